"""Mastodon connector against the sandbox instance (the same server the demo uses)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from kopiena.connectors.capabilities import Capability
from kopiena.connectors.errors import AccountDisconnected, ContentRejected
from kopiena.connectors.mastodon import MastodonConnector, oauth
from kopiena.connectors.types import AccountCredentials, ItemKind, MediaItem, Poll, PostDraft, Visibility
from kopiena.sandbox import start_sandbox
from tests.connectors.contract import ConnectorContract, ContractHarness, make_test_http

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class MastodonHarness(ContractHarness):
    sandbox = None

    def invalid_draft(self) -> PostDraft:
        return PostDraft(
            text="ā" * 501,
            poll=Poll(options=("Jā",)),
            media=(MediaItem(b"%PDF-1.4", mime="application/pdf"),),
            idempotency_key=str(uuid.uuid4()),
        )

    def add_comment(self, post_id: str, text: str) -> None:
        self.sandbox.comment(post_id, text)

    def add_mention(self, text: str) -> None:
        self.sandbox.mention(text)


@pytest.fixture
def sandbox():
    sandbox = start_sandbox()
    yield sandbox
    sandbox.stop()


def connector_for(sandbox, token: str | None = None) -> MastodonConnector:
    credentials = AccountCredentials(
        {"access_token": token or sandbox.access_token}, base_url=sandbox.base_url
    )
    connector = MastodonConnector(credentials, http=make_test_http(sandbox.http, credentials))
    connector.media_poll_interval_seconds = 0.0
    return connector


@pytest.fixture
def mastodon(sandbox):
    return connector_for(sandbox)


def draft(text: str = "Labrīt, Rīga! ☕", **kwargs) -> PostDraft:
    return PostDraft(text=text, idempotency_key=str(uuid.uuid4()), **kwargs)


class TestMastodonContract(ConnectorContract):
    @pytest.fixture
    def harness(self, sandbox):
        harness = MastodonHarness(
            connector=connector_for(sandbox),
            server=sandbox.http,
            secrets=[sandbox.access_token],
            publish_route=("POST", r"/api/v1/statuses"),
        )
        harness.sandbox = sandbox
        return harness


def test_hide_is_not_declared():
    assert Capability.HIDE not in MastodonConnector.capabilities


def test_every_post_carries_an_idempotency_key_and_the_server_dedupes_it(mastodon, sandbox):
    post = draft()
    first = mastodon.publish(post)
    again = mastodon.publish(post)
    assert first.remote_id == again.remote_id
    sent = sandbox.http.requests_to("POST", r"/api/v1/statuses")
    assert [r.headers["idempotency-key"] for r in sent] == [post.idempotency_key] * 2
    assert len(sandbox.brand_statuses()) == 1


def test_publish_with_images_alt_text_cw_visibility_and_language(mastodon, sandbox):
    result = mastodon.publish(
        draft(
            "Jaunā partija no Kenijas #kafija",
            media=(MediaItem(PNG, mime="image/png", alt_text="Kafijas pupiņas maisā"),),
            content_warning="Kofeīns",
            visibility=Visibility.FOLLOWERS,
            language="lv",
        )
    )
    status = sandbox.state.statuses[result.remote_id]
    assert status.spoiler_text == "Kofeīns" and status.visibility == "private" and status.language == "lv"
    assert [sandbox.state.media[m].description for m in status.media_ids] == ["Kafijas pupiņas maisā"]
    assert result.url.endswith(f"/@kafija/{result.remote_id}")


def test_video_is_awaited_until_processed(mastodon, sandbox):
    result = mastodon.publish(
        draft("Video", media=(MediaItem(b"\x00" * 100, mime="video/mp4", alt_text="x"),))
    )
    assert sandbox.http.count("GET", r"/api/v1/media/\d+") >= 1
    assert sandbox.state.statuses[result.remote_id].media_ids


def test_poll_and_thread(mastodon, sandbox):
    first = mastodon.publish(draft("Kāda kafija jums garšo?", poll=Poll(("Espresso", "Filtra"), 3600)))
    second = mastodon.publish(draft("(2/2) Balsojiet!", reply_to=first.remote_id))
    assert [o["title"] for o in sandbox.state.statuses[first.remote_id].poll["options"]] == [
        "Espresso",
        "Filtra",
    ]
    assert sandbox.state.statuses[second.remote_id].in_reply_to_id == first.remote_id


def test_validation_counts_links_as_23_and_refuses_poll_with_media(mastodon):
    long_link = "https://kafija.example/" + "x" * 600
    assert mastodon.validate(draft("Lasiet: " + long_link)) == []
    problems = mastodon.validate(draft("x", poll=Poll(("a", "b")), media=(MediaItem(PNG, mime="image/png"),)))
    assert [p.code for p in problems] == ["poll_with_media"]


def test_platform_refusal_keeps_the_platform_words(mastodon, sandbox):
    sandbox.fail_next(
        "POST", r"/api/v1/statuses", status=422, body={"error": "Validation failed: Text is spam"}
    )
    with pytest.raises(ContentRejected, match="Text is spam"):
        mastodon.publish(draft())


def test_revoked_token_means_reconnect(mastodon, sandbox):
    sandbox.fail_next(status=401, body={"error": "The access token was revoked"})
    with pytest.raises(AccountDisconnected):
        mastodon.verify()


def test_find_published_matches_text_with_shortened_links(mastodon):
    post = draft("Mūsu jaunais katalogs: https://kafija.example/katalogs/2026/ziema?utm_source=mastodon")
    result = mastodon.publish(post)
    assert mastodon.find_published(post).remote_id == result.remote_id
    assert mastodon.find_published(draft("Cits teksts")) is None


def test_reply_addresses_the_author_and_keeps_a_direct_conversation_direct(mastodon, sandbox):
    post = mastodon.publish(draft("Jautājumi?"))
    anna = sandbox.add_person("anna", "Anna")
    question = sandbox.comment(post.remote_id, "Vai ir bezkofeīna?", author=anna)
    answer = mastodon.reply(parent_id=question.id, draft=draft("Jā, Kolumbijas!"))
    status = sandbox.state.statuses[answer.remote_id]
    assert status.text == "@anna Jā, Kolumbijas!" and status.in_reply_to_id == question.id
    secret = sandbox.state.post(anna.id, "@kafija privāti: kur ir mans pasūtījums?", visibility="direct")
    answer = mastodon.reply(parent_id=secret.id, draft=draft("Pārbaudām!"))
    assert sandbox.state.statuses[answer.remote_id].visibility == "direct"


def test_mentions_tell_comments_from_mentions_and_followers_from_strangers(mastodon, sandbox):
    post = mastodon.publish(draft())
    fan, stranger = sandbox.add_person("fan", "Fan"), sandbox.add_person("stranger", "Stranger")
    sandbox.state.follow(fan.id, sandbox.account.id)
    sandbox.comment(post.remote_id, "Garšīgi!", author=fan)
    sandbox.mention("Kas zina @kafija adresi?", author=stranger)
    page = mastodon.fetch_mentions()
    assert [(i.kind, i.author.handle, i.author.is_follower) for i in page.items] == [
        (ItemKind.COMMENT, "fan", True),
        (ItemKind.MENTION, "stranger", False),
    ]
    assert page.items[0].parent_id == post.remote_id


def test_comments_include_replies_to_replies_but_not_ours(mastodon, sandbox):
    post = mastodon.publish(draft())
    first = sandbox.comment(post.remote_id, "Cik maksā?")
    mastodon.reply(parent_id=first.id, draft=draft("12 EUR"))
    sandbox.state.post(sandbox.add_person("b", "B").id, "Dārgi!", in_reply_to_id=first.id)
    texts = [i.text for i in mastodon.fetch_comments(post_id=post.remote_id).items]
    assert texts == ["@kafija Cik maksā?", "Dārgi!"]


def test_search_by_hashtag_and_text(mastodon, sandbox):
    other = sandbox.add_person("barista", "Barista")
    sandbox.state.post(other.id, "Rīta kafija #RigaCoffee")
    sandbox.state.post(other.id, "Labākā grauzdētava Rīgā")
    mastodon.publish(draft("Mūsu #RigaCoffee"))  # our own posts are not "listening" results
    tagged = mastodon.search("#RigaCoffee")
    assert [i.text for i in tagged.items] == ["Rīta kafija #RigaCoffee"]
    assert mastodon.search("#RigaCoffee", cursor=tagged.cursor).items == ()
    assert [i.text for i in mastodon.search("grauzdētava").items] == ["Labākā grauzdētava Rīgā"]


def test_metrics_and_delete(mastodon, sandbox):
    post = mastodon.publish(draft())
    fan = sandbox.add_person("fan", "Fan")
    sandbox.state.favourite(fan.id, post.remote_id)
    sandbox.state.reblog(fan.id, post.remote_id)
    sandbox.comment(post.remote_id, "👍", author=fan)
    metrics = mastodon.fetch_metrics([post.remote_id])[post.remote_id]
    assert (metrics.likes, metrics.reposts, metrics.replies) == (1, 1, 1)
    mastodon.delete(post.remote_id)
    mastodon.delete(post.remote_id)  # already gone is fine
    assert mastodon.fetch_metrics([post.remote_id]) == {}


def test_oauth_flow_against_the_sandbox(sandbox):
    http = make_test_http(sandbox.http, AccountCredentials())
    app = oauth.register_app(http, client_name="Kopiena", redirect_uri="https://kopiena.example/cb")
    url = oauth.authorize_url(sandbox.base_url, app, state="s1")
    assert "scope=read%3Aaccounts" in url and "client_secret" not in url
    redirect = httpx.get(url).headers["location"]
    params = dict(httpx.URL(redirect).params)
    assert params["state"] == "s1"
    token = oauth.exchange_code(http, app, code=params["code"])
    assert connector_for(sandbox, token).verify().handle == "kafija"
    assert "client_secret" not in repr(app) and app.client_secret not in repr(app)


def test_direct_mentions_are_messages_and_posts_without_a_key_still_carry_one(mastodon, sandbox):
    anna = sandbox.add_person("anna", "Anna")
    sandbox.state.post(anna.id, "@kafija vai varu pasūtīt uz biroju?", visibility="direct")
    assert [i.kind for i in mastodon.fetch_mentions().items] == [ItemKind.MESSAGE]
    mastodon.publish(PostDraft(text="Bez atslēgas"))
    assert sandbox.http.requests_to("POST", r"/api/v1/statuses")[-1].headers["idempotency-key"]
