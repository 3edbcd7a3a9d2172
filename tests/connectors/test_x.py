"""X connector against a local fake of the X API v2 (tests/connectors/x_fake.py)."""

from __future__ import annotations

import pytest

from kopiena.connectors.errors import AuthExpired, OutcomeUnknown, PermanentError, RateLimited
from kopiena.connectors.testing import LocalServer
from kopiena.connectors.types import AccountCredentials, MediaItem, Poll, PostDraft
from kopiena.connectors.x import oauth
from kopiena.connectors.x.connector import XConnector
from kopiena.connectors.x.counting import weighted_length
from tests.connectors.contract import ConnectorContract, ContractHarness, make_test_http
from tests.connectors.x_fake import CLIENT_ID, CLIENT_SECRET, REFRESH, USER_ID, FakeX

PUBLISH_ROUTE = ("POST", r"/2/tweets")
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


class XHarness(ContractHarness):
    fake: FakeX

    def invalid_draft(self) -> PostDraft:
        return PostDraft(text="x" * 281, poll=Poll(options=("a",)), idempotency_key="k")

    def add_comment(self, post_id: str, text: str) -> None:
        self.fake.add_user("1600000000000000009", "anna_b")
        self.fake.add(text, author="1600000000000000009", reply_to=post_id)

    def add_mention(self, text: str) -> None:
        self.fake.add_user("1600000000000000010", "liga_o")
        self.fake.mentions.append(self.fake.add(f"@grauzdetava {text}", author="1600000000000000010"))

    def fail_auth(self, body: dict | None = None) -> None:
        # The connector renews the access once after a 401 and asks again: refuse both.
        for _ in range(2):
            self.server.fail_next(*self.primary_route, status=401, body=body or {"title": "Unauthorized"})


def make_x(server: LocalServer, fake: FakeX, **secrets) -> XConnector:
    values = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH, **secrets}
    credentials = AccountCredentials(values, base_url=server.base_url)
    return XConnector(credentials, http=make_test_http(server, credentials, secrets=[CLIENT_SECRET, REFRESH]))


@pytest.fixture
def x():
    with LocalServer() as server:
        fake = FakeX(server)
        harness = XHarness(
            connector=make_x(server, fake),
            server=server,
            secrets=[CLIENT_SECRET, REFRESH],
            publish_route=PUBLISH_ROUTE,
        )
        harness.fake = fake
        yield harness


class TestXContract(ConnectorContract):
    @pytest.fixture
    def harness(self, x):
        return x


def test_weighted_length_counts_links_as_23_and_wide_characters_as_two():
    assert weighted_length("Labrīt, Rīga! Привет") == 20
    assert weighted_length("see https://grauzdetava.lv/a/very/long/path/that/goes/on") == 4 + 23
    assert weighted_length("咖啡") == 4 and weighted_length("👍🏽") == 2 and weighted_length("👨‍👩‍👧") == 2


def test_the_first_call_renews_the_access_and_hands_back_the_single_use_refresh_token(x):
    assert x.connector.verify().handle == "@grauzdetava"
    changed = x.connector.updated_secrets()
    assert changed["refresh_token"] != REFRESH and REFRESH not in x.fake.refresh_tokens
    assert changed["access_token"] in x.fake.access_tokens
    # the next connector starts from what was stored and does not refresh again
    again = make_x(x.server, x.fake, **changed)
    again.verify()
    assert again.updated_secrets() == {}


def test_a_revoked_access_token_is_renewed_once_and_the_call_repeated(x):
    x.connector.verify()
    stored = x.connector.updated_secrets()
    x.fake.expire_tokens()
    connector = make_x(x.server, x.fake, **stored)
    assert connector.publish(PostDraft(text="Pēc atjaunošanas")).remote_id in x.fake.tweets
    assert connector.updated_secrets()["refresh_token"] != stored["refresh_token"]


def test_images_with_alt_text_a_poll_and_a_thread(x):
    image = MediaItem(PNG, mime="image/png", filename="a.png", alt_text="Krūze")
    with_image = x.connector.publish(PostDraft(text="Ar bildi", media=(image,)))
    (media_id,) = x.fake.tweets[with_image.remote_id]["media"]["media_ids"]
    assert (
        x.fake.media[media_id]["alt_text"] == "Krūze" and x.fake.media[media_id]["category"] == "tweet_image"
    )
    poll = x.connector.publish(
        PostDraft(text="Kura?", poll=Poll(options=("Latte", "Kapučīno"), expires_in_seconds=3600))
    )
    assert x.fake.tweets[poll.remote_id]["poll"] == {"options": ["Latte", "Kapučīno"], "duration_minutes": 60}
    second = x.connector.publish(PostDraft(text="2/2", reply_to=poll.remote_id))
    assert x.fake.tweets[second.remote_id]["referenced_tweets"] == [
        {"type": "replied_to", "id": poll.remote_id}
    ]
    assert with_image.url == f"https://x.com/grauzdetava/status/{with_image.remote_id}"


def test_a_retry_of_a_post_that_went_out_finds_it_instead_of_failing_on_duplicate(x):
    draft = PostDraft(text="Vienreiz https://grauzdetava.lv", idempotency_key="d")
    x.connector.verify()
    x.server.hang_next(*PUBLISH_ROUTE, apply=True)
    with pytest.raises(OutcomeUnknown):
        x.connector.publish(draft)
    (created,) = x.fake.tweets
    assert x.connector.find_published(draft).remote_id == created
    assert x.connector.publish(draft).remote_id == created and len(x.fake.tweets) == 1


def test_replies_come_from_recent_search_and_a_free_tier_says_so(x):
    post = x.connector.publish(PostDraft(text="Jautājumi?"))
    x.fake.add_user("1600000000000000011", "janis")
    question = x.fake.add("Cik maksā?", author="1600000000000000011", reply_to=post.remote_id)
    (item,) = x.connector.fetch_comments(post_id=post.remote_id).items
    assert (item.external_id, item.parent_id, item.author.handle) == (question, post.remote_id, "@janis")
    x.connector.reply(parent_id=question, draft=PostDraft(text="12 €"))
    assert [i.text for i in x.connector.fetch_comments(post_id=post.remote_id).items] == ["Cik maksā?"]
    x.connector.hide(question)
    x.connector.unhide(question)
    assert x.fake.hidden == {question: False}
    x.fake.search_forbidden = True
    with pytest.raises(PermanentError, match="plan"):
        x.connector.fetch_comments(post_id=post.remote_id)


def test_rate_limit_waits_until_x_rate_limit_reset(x):
    x.connector.verify()
    x.server.fail_next(
        *PUBLISH_ROUTE, status=429, body={"title": "Too Many Requests"}, headers=FakeX.reset_header(600)
    )
    with pytest.raises(RateLimited) as caught:
        x.connector.publish(PostDraft(text="a"))
    assert 590 <= caught.value.retry_after_seconds <= 600


def test_public_metrics(x):
    post = x.connector.publish(PostDraft(text="Skaitļi"))
    m = x.connector.fetch_metrics([post.remote_id])[post.remote_id]
    assert (m.views, m.likes, m.replies, m.reposts, m.quotes, m.bookmarks) == (880, 31, 2, 5, 1, 7)


def test_a_spent_refresh_token_asks_for_reconnect(x):
    x.fake.refresh_tokens.clear()
    with pytest.raises(AuthExpired):
        x.connector.verify()


def test_oauth_with_pkce(x):
    app = oauth.XApp(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri="https://k.example/cb/")
    verifier = "v" * 50
    url = oauth.authorize_url(app, state="s", verifier=verifier)
    assert "code_challenge_method=S256" in url and "offline.access" in url and verifier not in url
    x.fake.codes["c1"] = oauth.code_challenge(verifier)
    http = make_test_http(x.server, AccountCredentials({}, base_url=x.server.base_url))
    tokens = oauth.exchange_code(http, app, code="c1", verifier=verifier)
    assert tokens.access_token in x.fake.access_tokens and tokens.refresh_token in x.fake.refresh_tokens
    x.fake.codes["c2"] = oauth.code_challenge(verifier)
    with pytest.raises(Exception):  # noqa: B017 - a wrong verifier is refused by the platform
        oauth.exchange_code(http, app, code="c2", verifier="w" * 50)


def test_built_as_the_product_builds_it(x):
    credentials = AccountCredentials(
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH},
        base_url=x.server.base_url,
    )
    assert XConnector(credentials, allow_loopback=True).verify().external_id == USER_ID
