"""Issue 16 item 18: the delivery's "open" link is the status's ``url`` from the platform; the sandbox serves
it (and the ``uri`` and the account's page) as web pages instead of answering 404."""

from __future__ import annotations

import uuid

import httpx
import pytest

from kopiena.connectors.types import PostDraft
from kopiena.sandbox import start_sandbox
from tests.connectors.test_mastodon import connector_for


@pytest.fixture
def sandbox():
    sandbox = start_sandbox()
    yield sandbox
    sandbox.stop()


def test_the_published_posts_url_is_a_page_with_the_post(sandbox):
    result = connector_for(sandbox).publish(
        PostDraft(text="Jaunā kafija <b>Etiopija</b> & co", idempotency_key=str(uuid.uuid4()))
    )
    assert result.url.startswith(sandbox.base_url + "/@")
    page = httpx.get(result.url)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Jaunā kafija &lt;b&gt;Etiopija&lt;/b&gt; &amp; co" in page.text  # the text, escaped
    assert "<b>Etiopija</b>" not in page.text
    assert f'data-status-id="{result.remote_id}"' in page.text
    # the ActivityPub uri redirects to the page; the account's url lists the post
    uri = f"{sandbox.base_url}/users/{sandbox.handle.lstrip('@').split('@')[0]}/statuses/{result.remote_id}"
    redirected = httpx.get(uri, follow_redirects=True)
    assert redirected.status_code == 200 and str(redirected.url) == result.url
    profile = httpx.get(result.url.rsplit("/", 1)[0])
    assert profile.status_code == 200 and result.url in profile.text


def test_unknown_or_someone_elses_status_is_404(sandbox):
    result = connector_for(sandbox).publish(PostDraft(text="Labrīt", idempotency_key=str(uuid.uuid4())))
    someone = sandbox.add_person("janis", "Jānis")
    assert httpx.get(f"{sandbox.base_url}/@{someone.username}/{result.remote_id}").status_code == 404
    assert httpx.get(result.url.rsplit("/", 1)[0] + "/999999").status_code == 404
    assert httpx.get(f"{sandbox.base_url}/@nobody_here").status_code == 404
