"""Sign in with Threads against the local fake (token endpoints + Threads API): the long-lived token and
its expiry are stored, the app secret never leaves a POST body."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

from kopiena.connectors import registry as connector_registry
from kopiena.connectors.registry import ConnectorRegistry
from kopiena.connectors.testing import LocalServer
from kopiena.integrations import platforms
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.selectors import credential_for
from tests.connectors.threads_fake import APP_ID, APP_SECRET, USER_ID, FakeThreads
from tests.integrations.oauth_steps import authorize_url_after_start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def connectors(monkeypatch):
    real = ConnectorRegistry(paths=["kopiena.connectors.threads.ThreadsConnector"])
    monkeypatch.setattr(connector_registry, "get", real.get)
    monkeypatch.setattr(connector_registry, "all", real.all)
    return real


@pytest.fixture
def threads():
    with (
        LocalServer() as server,
        override_settings(
            OUTBOUND_ALLOW_PRIVATE=True,
            THREADS_APP_ID=APP_ID,
            THREADS_APP_SECRET=APP_SECRET,
            THREADS_API_URL=server.base_url,
        ),
    ):
        yield FakeThreads(server)


def _start(client, workspace) -> str:
    response = client.post(f"/w/{workspace.slug}/settings/accounts/connect/threads/oauth/")
    url = authorize_url_after_start(client, response)
    assert url.startswith("https://threads.net/oauth/authorize?")
    assert f"client_id={APP_ID}" in url and "threads_content_publish" in url and APP_SECRET not in url
    return url.split("state=")[1].split("&")[0]


def test_without_a_threads_app_only_the_token_form_is_offered(login, owner, workspace):
    with override_settings(THREADS_APP_ID="", THREADS_APP_SECRET=""):
        client = login(owner)
        html = client.get(f"/w/{workspace.slug}/settings/accounts/connect/threads/").content.decode()
        assert "/oauth/" not in html and 'name="access_token"' in html and 'name="user_id"' in html
        assert 'name="token_expires_at"' not in html


def test_sign_in_with_threads_connects_the_profile_with_a_long_lived_token(login, owner, workspace, threads):
    client = login(owner)
    state = _start(client, workspace)
    threads.codes["good-code"] = USER_ID
    back = client.get("/integrations/oauth/threads/callback/", {"state": state, "code": "good-code"})
    account = ConnectedAccount.objects.get()
    assert back["Location"] == f"/w/{workspace.slug}/settings/accounts/{account.pk}/"
    assert (account.platform, account.external_id, account.handle) == ("threads", USER_ID, "@grauzdetava")
    stored = credential_for(account)
    assert stored["access_token"].startswith("THlong") and stored["user_id"] == USER_ID
    assert int(stored["token_expires_at"]) > time.time() + 50 * 86400
    assert all(APP_SECRET not in f"{r.path}{r.query}" for r in threads.server.requests)


def test_a_bad_code_connects_nothing(login, owner, workspace, threads):
    client = login(owner)
    state = _start(client, workspace)
    back = client.get("/integrations/oauth/threads/callback/", {"state": state, "code": "forged"})
    assert back["Location"] == "/"
    assert not ConnectedAccount.objects.exists()


def test_the_account_page_lists_threads_capabilities_truthfully():
    labels = platforms.capability_labels("threads")
    assert {"Read comments", "Read mentions", "Reply", "Hide comments", "Metrics"} <= set(labels)
    assert "Search" not in labels and "Direct messages" not in labels
