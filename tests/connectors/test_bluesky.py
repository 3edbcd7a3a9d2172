"""Bluesky connector against a local fake PDS."""

from __future__ import annotations

import time
import uuid

import pytest

from kopiena.connectors.bluesky import BlueskyConnector
from kopiena.connectors.bluesky.richtext import facets, grapheme_count
from kopiena.connectors.bluesky.tid import tid_for
from kopiena.connectors.errors import AccountDisconnected, ContentRejected, OutcomeUnknown, TransientError
from kopiena.connectors.testing import LocalServer
from kopiena.connectors.types import AccountCredentials, ItemKind, MediaItem, PostDraft
from tests.connectors.bluesky_fake import FakeBluesky
from tests.connectors.contract import ConnectorContract, ContractHarness, make_test_http

PASSWORD = "abcd-efgh-ijkl-mnop"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32


class BlueskyHarness(ContractHarness):
    fake: FakeBluesky = None

    def invalid_draft(self) -> PostDraft:
        return PostDraft(
            text="ā" * 301,
            content_warning="x",
            media=(MediaItem(b"x" * 1_000_001, mime="image/png"),),
            idempotency_key=str(uuid.uuid4()),
        )

    def fail_auth(self, body=None) -> None:
        # The connector refreshes the session once by itself: refuse both attempts.
        for _ in range(2):
            self.server.fail_next(*self.primary_route, status=401, body=body or {"error": "InvalidToken"})

    def add_comment(self, post_id: str, text: str) -> None:
        self.fake.reply(post_id, text)

    def add_mention(self, text: str) -> None:
        self.fake.mention(text)


@pytest.fixture
def server():
    with LocalServer() as server:
        yield server


@pytest.fixture
def fake(server):
    return FakeBluesky(server, password=PASSWORD)


def bluesky_for(server, **secrets) -> BlueskyConnector:
    credentials = AccountCredentials(
        {"identifier": "kafija.bsky.social", "app_password": PASSWORD, **secrets}, base_url=server.base_url
    )
    return BlueskyConnector(credentials, http=make_test_http(server, credentials))


@pytest.fixture
def bluesky(server, fake):
    return bluesky_for(server)


def draft(text="Labrīt, Rīga! ☕", **kwargs) -> PostDraft:
    return PostDraft(text=text, idempotency_key=str(uuid.uuid4()), **kwargs)


class TestBlueskyContract(ConnectorContract):
    @pytest.fixture
    def harness(self, server, fake):
        harness = BlueskyHarness(
            connector=bluesky_for(server),
            server=server,
            secrets=[PASSWORD],
            publish_route=("POST", r"/xrpc/com\.atproto\.repo\.createRecord"),
        )
        harness.fake = fake
        return harness


def test_facets_use_utf8_byte_offsets():
    text = "Ā ☕ @anna.bsky.social skatiet https://kafija.example/ā?x=1 #RīgasKafija"
    found = facets(text, {"anna.bsky.social": "did:plc:anna"}.get)
    encoded = text.encode("utf-8")
    spans = [encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in found]
    assert spans == ["@anna.bsky.social", "https://kafija.example/ā?x=1", "#RīgasKafija"]
    assert [f["features"][0]["$type"].rsplit("#", 1)[1] for f in found] == ["mention", "link", "tag"]
    assert found[2]["features"][0]["tag"] == "RīgasKafija"
    assert facets("@nobody.example.com #1 https://x.example/#frag", lambda h: None) == [
        {
            "index": {"byteStart": 23, "byteEnd": 46},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://x.example/#frag"}],
        }
    ]


def test_graphemes_not_code_points():
    assert grapheme_count("👩‍👩‍👧 🇱🇻 é") == 5  # family, space, flag, space, e + combining accent
    assert grapheme_count("ā" * 300) == 300


def test_record_key_is_a_stable_tid():
    key = str(uuid.uuid4())
    assert tid_for(key) == tid_for(key) != tid_for(key + "x")
    assert len(tid_for(key)) == 13 and tid_for(key)[0] in "234567abcdefghij"


def test_retry_of_the_same_delivery_cannot_duplicate(bluesky, fake):
    post = draft()
    first = bluesky.publish(post)
    again = bluesky.publish(post)  # e.g. a worker crashed after the PDS accepted
    assert again.remote_id == first.remote_id
    assert len(fake.our_posts()) == 1
    assert first.remote_id.endswith("/" + tid_for(post.idempotency_key))


def test_post_with_facets_images_and_quote(bluesky, fake):
    anna = fake.person("anna.bsky.social", "Anna")
    quoted = fake.post_by(anna, "Kur dzert kafiju?")
    result = bluesky.publish(
        draft(
            "Paldies @anna.bsky.social! #kafija",
            link="https://kafija.example/",
            language="lv",
            quote_of=quoted,
            media=(MediaItem(PNG, mime="image/png", alt_text="Kafijas tase"),),
        )
    )
    record = fake.records[result.remote_id]["value"]
    assert record["text"].endswith("\n\nhttps://kafija.example/") and record["langs"] == ["lv"]
    assert {f["features"][0]["$type"].rsplit("#", 1)[1] for f in record["facets"]} == {
        "mention",
        "tag",
        "link",
    }
    embed = record["embed"]
    assert embed["$type"] == "app.bsky.embed.recordWithMedia"
    assert embed["record"]["record"]["uri"] == quoted
    assert embed["media"]["images"][0]["alt"] == "Kafijas tase"
    assert result.url.startswith("https://bsky.app/profile/kafija.bsky.social/post/")


def test_thread_and_reply_keep_the_root(bluesky, fake):
    root = bluesky.publish(draft("1/2"))
    second = bluesky.publish(draft("2/2", reply_to=root.remote_id))
    question = fake.reply(second.remote_id, "Un cena?")
    answer = bluesky.reply(parent_id=question, draft=draft("8 EUR"))
    reply = fake.records[answer.remote_id]["value"]["reply"]
    assert reply["root"]["uri"] == root.remote_id and reply["parent"]["uri"] == question


def test_expired_session_is_refreshed_once_and_handed_back(bluesky, fake):
    bluesky.verify()
    fake.expire_sessions()
    assert bluesky.verify().handle == "kafija.bsky.social"
    updated = bluesky.updated_secrets()
    assert updated["access_jwt"] in fake.access and updated["did"] == fake.did
    assert fake.sessions_created == 1  # refreshed, not a new session (createSession is rate-limited)


def test_stored_session_is_reused(server, fake):
    bluesky_for(server).verify()
    assert fake.sessions_created == 1
    session = bluesky_for(server)
    session.verify()
    reused = bluesky_for(server, **session.updated_secrets())
    reused.verify()
    assert fake.sessions_created == 2 and reused.updated_secrets() == {}


def test_wrong_app_password_means_reconnect(server, fake):
    credentials = AccountCredentials(
        {"identifier": "kafija.bsky.social", "app_password": "nope"}, base_url=server.base_url
    )
    with pytest.raises(AccountDisconnected):
        BlueskyConnector(credentials, http=make_test_http(server, credentials)).verify()


def test_notifications_give_comments_and_mentions_with_follower_flag(bluesky, fake):
    post = bluesky.publish(draft())
    fan = fake.person("fan.bsky.social", "Fan", follows=True)
    fake.reply(post.remote_id, "Garšīgi!", by=fan)
    fake.like(post.remote_id)
    fake.mention("kur jūs atrodaties?", by=fake.person("stranger.bsky.social"))
    page = bluesky.fetch_mentions()
    assert [(i.kind, i.author.handle, i.author.is_follower) for i in page.items] == [
        (ItemKind.COMMENT, "fan.bsky.social", True),
        (ItemKind.MENTION, "stranger.bsky.social", False),
    ]
    assert page.items[0].thread_id == post.remote_id


def test_mentions_page_back_until_the_cursor(bluesky, fake):
    fake.mention("first")
    cursor = bluesky.fetch_mentions().cursor
    for n in range(120):
        fake.mention(f"m{n}")
    page = bluesky.fetch_mentions(cursor=cursor)
    assert len(page.items) == 120 and page.items[0].text.endswith("m0") and not page.has_more


def test_search_and_metrics_and_delete(bluesky, fake):
    other = fake.person("barista.bsky.social")
    fake.post_by(other, "Labākā kafija Rīgā")
    mine = bluesky.publish(draft("Mūsu kafija"))
    hits = bluesky.search("kafija")
    assert [i.text for i in hits.items] == ["Labākā kafija Rīgā"]
    assert bluesky.search("kafija", cursor=hits.cursor).items == ()
    fake.like(mine.remote_id)
    assert bluesky.fetch_metrics([mine.remote_id])[mine.remote_id].likes == 1
    bluesky.delete(mine.remote_id)
    bluesky.delete(mine.remote_id)
    assert bluesky.fetch_metrics([mine.remote_id]) == {}


def test_a_retry_after_an_unknown_outcome_finds_the_post_despite_the_pds_500(bluesky, fake, server):
    """The PDS answers a taken record key with 500 InternalServerError, not a 4xx: the retry must look the
    post up instead of reporting a temporary error (which ended as "gave up" on a live post)."""
    post = draft()
    server.hang_next("POST", r"/xrpc/com\.atproto\.repo\.createRecord", apply=True)
    with pytest.raises(OutcomeUnknown):
        bluesky.publish(post)
    again = bluesky.publish(post)
    assert again.remote_id.endswith("/" + tid_for(post.idempotency_key))
    assert len(fake.our_posts()) == 1


def test_a_5xx_on_a_post_that_does_not_exist_stays_temporary(bluesky, fake, server):
    server.fail_next("POST", r"/xrpc/com\.atproto\.repo\.createRecord", status=500)
    with pytest.raises(TransientError):
        bluesky.publish(draft())
    assert server.count("GET", r"/xrpc/com\.atproto\.repo\.getRecord") == 1  # looked up first
    assert fake.our_posts() == {}


def test_a_failed_look_up_leaves_the_original_error(bluesky, fake, server):
    server.fail_next("POST", r"/xrpc/com\.atproto\.repo\.createRecord", status=500)
    for _ in range(bluesky.http.retries + 1):
        server.fail_next("GET", r"/xrpc/com\.atproto\.repo\.getRecord", status=503)
    with pytest.raises(TransientError, match="500"):
        bluesky.publish(draft())


def test_thread_parts_posted_at_once_do_not_wait_for_the_appview(bluesky, fake, server):
    """The AppView indexes a new post seconds later; the next part of a thread must not look its parent
    up there ("The post being answered … no longer exists")."""
    fake.appview_lag = True
    first = bluesky.publish(draft("1/3"))
    second = bluesky.publish(draft("2/3", reply_to=first.remote_id))
    # Another worker (a fresh connector) publishes the third part: it asks our PDS, not the AppView.
    third = bluesky_for(server).publish(draft("3/3", reply_to=second.remote_id))
    refs = [fake.records[r.remote_id]["value"]["reply"] for r in (second, third)]
    assert [ref["parent"]["uri"] for ref in refs] == [first.remote_id, second.remote_id]
    assert refs[1]["parent"]["cid"] == fake.records[second.remote_id]["cid"]
    assert (
        refs[0]["root"]
        == refs[1]["root"]
        == {"uri": first.remote_id, "cid": fake.records[first.remote_id]["cid"]}
    )
    assert server.count("GET", r"/xrpc/app\.bsky\.feed\.getPosts") == 0


def test_a_reply_to_someone_elses_post_still_reads_it_from_the_appview(bluesky, fake):
    fake.appview_lag = True
    post = bluesky.publish(draft("Jauna kafija!"))
    fake.catch_up()
    question = fake.reply(post.remote_id, "Cik maksā?")
    answer = bluesky.reply(parent_id=question, draft=draft("5 EUR"))
    reply = fake.records[answer.remote_id]["value"]["reply"]
    assert reply["parent"]["uri"] == question and reply["root"]["uri"] == post.remote_id


def test_answering_a_deleted_post_of_ours_is_refused_clearly(bluesky, fake):
    gone = bluesky.publish(draft("Drīz izdzēsīsim"))
    bluesky.delete(gone.remote_id)
    with pytest.raises(ContentRejected, match="no longer exists"):
        bluesky_for_same_session(bluesky).publish(draft("2/2", reply_to=gone.remote_id))


def bluesky_for_same_session(connector: BlueskyConnector) -> BlueskyConnector:
    """A fresh connector (no memory of created records) on the same session."""
    credentials = AccountCredentials(
        {**connector.credentials.secrets, **connector.updated_secrets()}, base_url=connector.base_url
    )
    return BlueskyConnector(credentials, http=connector.http)


def test_the_byte_limit_is_validated_as_well_as_graphemes(bluesky, fake, server):
    """300 family emoji are 300 graphemes but 3,750 bytes: the PDS refuses them ("string too big")."""
    family = "👩‍👩‍👧‍👦" * 300
    assert grapheme_count(family) == 300 and len(family.encode()) > 3000
    problems = bluesky.validate(draft(family))
    assert [(p.field, p.code, p.limit) for p in problems] == [("text", "too_many_bytes", 3000)]
    with pytest.raises(ContentRejected):
        bluesky.publish(draft(family))
    assert server.count("POST", r"/xrpc/com\.atproto\.repo\.createRecord") == 0
    assert bluesky.validate(draft("ā" * 300)) == []  # 600 bytes, 300 graphemes: fine
    # The fake PDS refuses it the way the real one does, should anything send it anyway.
    record = {"$type": "app.bsky.feed.post", "text": family, "createdAt": "2026-12-04T10:00:00.000Z"}
    with pytest.raises(ContentRejected, match=r"string too big \(maximum 3000, got 7500\)"):
        bluesky._call(
            "POST",
            "/xrpc/com.atproto.repo.createRecord",
            json={"repo": fake.did, "collection": "app.bsky.feed.post", "record": record},
        )


def test_a_handle_typed_with_an_at_sign_connects(server, fake):
    """Bluesky shows handles as "@kafija.bsky.social"; the PDS reads "@…" as an e-mail address."""
    connector = bluesky_for(server, identifier=" @kafija.bsky.social")
    assert connector.verify().handle == "kafija.bsky.social"
    assert server.requests_to("POST", r"/xrpc/com\.atproto\.server\.createSession")[0].json()[
        "identifier"
    ] == ("kafija.bsky.social")


def test_a_refused_app_password_says_what_bluesky_said(server, fake):
    with pytest.raises(AccountDisconnected) as caught:
        bluesky_for(server, app_password="wrong-pass-word-xxxx").verify()
    assert caught.value.platform_message == "AuthenticationRequired: Invalid identifier or password"
    assert "Invalid identifier or password" in caught.value.message


class Clock:
    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_a_revoked_app_password_is_noticed_within_minutes(server, fake):
    """Revoking an app password revokes its refresh tokens at once, but access tokens stay valid for about
    two hours; the connector refreshes the session every few minutes, so it notices soon."""
    clock = Clock()
    connector = bluesky_for(server)
    connector.clock = clock
    connector.verify()
    fake.revoke_app_password()
    clock.now += connector.session_check_seconds - 60
    assert connector.verify().handle == "kafija.bsky.social"  # the access token still works
    clock.now += 61
    with pytest.raises(AccountDisconnected) as caught:
        connector.verify()
    assert "Invalid identifier or password" in caught.value.message


def test_a_live_session_is_refreshed_every_few_minutes_and_handed_back(server, fake):
    clock = Clock()
    connector = bluesky_for(server)
    connector.clock = clock
    connector.verify()
    first = connector.updated_secrets()["refresh_jwt"]
    clock.now += connector.session_check_seconds
    connector.verify()
    updated = connector.updated_secrets()
    assert updated["refresh_jwt"] != first and updated["refresh_jwt"] in fake.refresh
    assert fake.sessions_created == 1  # refreshed, not a new session (createSession is rate-limited)
