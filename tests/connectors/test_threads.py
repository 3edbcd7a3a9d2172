"""Threads connector against a local fake of the Threads API (tests/connectors/threads_fake.py)."""

from __future__ import annotations

import uuid

import pytest

from kopiena.connectors.errors import (
    AuthExpired,
    ContentRejected,
    OutcomeUnknown,
    RateLimited,
    TransientError,
)
from kopiena.connectors.testing import LocalServer
from kopiena.connectors.threads import oauth
from kopiena.connectors.threads.connector import ThreadsConnector, threads_length
from kopiena.connectors.types import AccountCredentials, MediaItem, PostDraft
from tests.connectors.contract import ConnectorContract, ContractHarness, make_test_http
from tests.connectors.threads_fake import APP_ID, APP_SECRET, TOKEN, USER_ID, FakeThreads, V

PUBLISH_ROUTE = ("POST", rf"{V}/{USER_ID}/threads_publish")
CONTAINER_ROUTE = ("POST", rf"{V}/{USER_ID}/threads")


class ThreadsHarness(ContractHarness):
    fake: FakeThreads

    def image(self, name: str = "cup.jpg") -> MediaItem:
        return MediaItem(self.server.url(f"/media/{name}"), alt_text="Kafijas krūze")

    def invalid_draft(self) -> PostDraft:
        local_file = MediaItem(b"\xff\xd8", mime="image/jpeg", filename="cup.jpg")
        return PostDraft(text="x" * 501, media=(local_file,), idempotency_key="k")

    def add_comment(self, post_id: str, text: str) -> None:
        self.fake.add_reply(post_id, text)

    def add_mention(self, text: str) -> None:
        self.fake.add_mention(f"@grauzdetava {text}")

    def fail_auth(self, body: dict | None = None) -> None:
        self.server.fail_next(
            *self.primary_route, status=400, body={"error": {"message": "Session has expired", "code": 190}}
        )


def make_threads(server: LocalServer, **secrets) -> ThreadsConnector:
    values = {"access_token": TOKEN, "user_id": USER_ID, **secrets}
    credentials = AccountCredentials(values, base_url=server.base_url)
    connector = ThreadsConnector(credentials, http=make_test_http(server, credentials, secrets=[TOKEN]))
    connector.poll_interval_seconds = 0
    return connector


@pytest.fixture
def threads():
    with LocalServer() as server:
        fake = FakeThreads(server)
        harness = ThreadsHarness(
            connector=make_threads(server), server=server, secrets=[TOKEN], publish_route=PUBLISH_ROUTE
        )
        harness.fake = fake
        yield harness


class TestThreadsContract(ConnectorContract):
    @pytest.fixture
    def harness(self, threads):
        return threads


def test_text_post_is_one_container_then_publish(threads):
    result = threads.connector.publish(threads.valid_draft())
    (container,) = threads.fake.containers.values()
    assert container["media_type"] == "TEXT" and container["status"] == "PUBLISHED"
    assert result.remote_id in threads.fake.posts


def test_image_with_alt_text_and_a_carousel_of_children(threads):
    threads.connector.publish(PostDraft(text="Viena", media=(threads.image(),), idempotency_key="i"))
    single = list(threads.fake.containers.values())[-1]
    assert single["media_type"] == "IMAGE" and single["alt_text"] == "Kafijas krūze"
    images = (threads.image("a.jpg"), threads.image("b.png"))
    threads.connector.publish(PostDraft(text="Divas", media=images, idempotency_key="c"))
    children = [c for c in threads.fake.containers.values() if c.get("is_carousel_item") == "true"]
    (parent,) = [c for c in threads.fake.containers.values() if c.get("media_type") == "CAROUSEL"]
    assert len(children) == 2 and len(parent["children"].split(",")) == 2 and parent["text"] == "Divas"


def test_emoji_count_as_their_bytes_and_five_links_at_most(threads):
    assert threads_length("Labrīt ☕") == 7 + 3 and threads_length("😀") == 4
    draft = PostDraft(text="😀" * 126)  # 126 characters, 504 by Threads' count
    assert [p.code for p in threads.connector.validate(draft)] == ["too_long"]
    links = " ".join(f"https://grauzdetava.lv/{i}" for i in range(6))
    assert "too_many_links" in {p.code for p in threads.connector.validate(PostDraft(text=links))}


def test_waits_while_processing_and_a_container_error_is_rejected_with_metas_words(threads):
    threads.fake.processing_polls = 2
    threads.connector.publish(threads.valid_draft())
    assert threads.server.count(*PUBLISH_ROUTE) == 1
    threads.fake.fail_processing = "Media download failed."
    with pytest.raises(ContentRejected, match="Media download failed"):
        threads.connector.publish(threads.valid_draft())
    assert threads.server.count(*PUBLISH_ROUTE) == 1


def test_publishing_quota_is_read_before_creating_anything(threads):
    threads.fake.quota_usage = 250
    with pytest.raises(RateLimited):
        threads.connector.publish(threads.valid_draft())
    assert threads.server.count(*CONTAINER_ROUTE) == 0


def test_a_lost_container_answer_published_nothing(threads):
    threads.server.hang_next(*CONTAINER_ROUTE)
    with pytest.raises(TransientError):
        threads.connector.publish(threads.valid_draft())
    assert threads.server.count(*PUBLISH_ROUTE) == 0


def test_the_container_says_whether_a_lost_publish_happened(threads):
    draft = threads.valid_draft()
    threads.server.hang_next(*PUBLISH_ROUTE)  # lost before Meta applied it
    with pytest.raises(OutcomeUnknown):
        threads.connector.publish(draft)
    assert threads.connector.find_published(draft) is None
    # Applied, but the answer lost: the container is PUBLISHED and the post is found by its text.
    applied = PostDraft(text="Otrā reize", idempotency_key=str(uuid.uuid4()))
    threads.server.hang_next(*PUBLISH_ROUTE, apply=True)
    with pytest.raises(OutcomeUnknown):
        threads.connector.publish(applied)
    found = threads.connector.find_published(applied)
    assert found is not None and threads.fake.posts[found.remote_id]["text"] == "Otrā reize"


def test_replies_at_any_depth_without_our_own_then_answer_hide_unhide(threads):
    post = threads.connector.publish(threads.valid_draft())
    first = threads.fake.add_reply(post.remote_id, "Cik maksā?")
    threads.fake.add_reply(post.remote_id, "Arī man interesē", parent=first, username="janis")
    items = threads.connector.fetch_comments(post_id=post.remote_id).items
    assert [(i.text, i.parent_id, i.author.handle) for i in items] == [
        ("Cik maksā?", post.remote_id, "@anna_b"),
        ("Arī man interesē", first, "@janis"),
    ]
    answer = threads.connector.reply(parent_id=first, draft=PostDraft(text="12 €"))
    reply_container = list(threads.fake.containers.values())[-1]
    assert reply_container["reply_to_id"] == first and reply_container["text"] == "12 €"
    page = threads.connector.fetch_comments(post_id=post.remote_id)
    assert answer.remote_id not in {i.external_id for i in page.items}  # our own answer stays out
    threads.connector.hide(first)
    threads.connector.unhide(first)
    assert threads.fake.hidden == {first: False}


def test_reply_quota_and_empty_reply(threads):
    with pytest.raises(ContentRejected):
        threads.connector.reply(parent_id="1", draft=PostDraft(text="  "))
    threads.fake.reply_quota_usage = 1000
    with pytest.raises(RateLimited, match="replies"):
        threads.connector.reply(parent_id="1", draft=PostDraft(text="Paldies!"))


def test_insights_become_metrics_and_a_deleted_post_is_skipped(threads):
    post = threads.connector.publish(threads.valid_draft())
    metrics = threads.connector.fetch_metrics([post.remote_id, "18999999999999999"])
    assert set(metrics) == {post.remote_id}
    m = metrics[post.remote_id]
    assert (m.views, m.likes, m.replies, m.reposts, m.quotes) == (880, 31, 2, 5, 1)


def test_an_expired_token_asks_for_reconnect(threads):
    threads.fake.tokens.clear()
    with pytest.raises(AuthExpired):
        threads.connector.verify()


def test_a_token_in_its_last_week_is_refreshed_and_handed_back(threads):
    connector = make_threads(threads.server, token_expires_at=str(int(ThreadsConnector.clock()) + 3 * 86400))
    assert connector.verify().handle == "@grauzdetava"
    changed = connector.updated_secrets()
    assert changed["access_token"].startswith("THrefreshed") and changed["access_token"] != TOKEN
    assert int(changed["token_expires_at"]) > ThreadsConnector.clock() + 50 * 86400
    fresh = make_threads(threads.server, token_expires_at=str(int(ThreadsConnector.clock()) + 40 * 86400))
    fresh.verify()
    assert fresh.updated_secrets() == {}


def test_oauth_code_becomes_a_long_lived_token_with_the_user_id(threads):
    threads.fake.codes["code-1"] = USER_ID
    app = oauth.ThreadsApp(app_id=APP_ID, app_secret=APP_SECRET, redirect_uri="https://k.example/cb/")
    url = oauth.authorize_url(app, state="s1")
    assert url.startswith("https://threads.net/oauth/authorize?") and "threads_manage_replies" in url
    http = make_test_http(threads.server, AccountCredentials({}, base_url=threads.server.base_url))
    token = oauth.exchange_code(http, app, code="code-1")
    assert token.user_id == USER_ID and token.access_token.startswith("THlong") and token.expires_at > 0
    with pytest.raises(ContentRejected):
        oauth.exchange_code(http, app, code="code-1")  # used once


def test_built_as_the_product_builds_it_the_user_id_may_go_into_urls(threads):
    """The worker builds connectors without a test client: only the token counts as a secret, so the user
    id in every Threads path is not refused as "a credential in a URL"."""
    credentials = AccountCredentials(
        {"access_token": TOKEN, "user_id": USER_ID}, base_url=threads.server.base_url
    )
    connector = ThreadsConnector(credentials, allow_loopback=True)
    connector.poll_interval_seconds = 0
    assert connector.publish(threads.valid_draft()).remote_id in threads.fake.posts
