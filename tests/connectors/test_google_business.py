"""Google Business Profile connector against the local fake (tests/connectors/gbp_fake.py)."""

from __future__ import annotations

import uuid

import pytest

from kopiena.connectors.capabilities import Capability
from kopiena.connectors.errors import (
    AccountDisconnected,
    ContentRejected,
    OutcomeUnknown,
    PermanentError,
    RateLimited,
)
from kopiena.connectors.google_business import GoogleBusinessConnector
from kopiena.connectors.testing import LocalServer
from kopiena.connectors.types import AccountCredentials, ItemKind, MediaItem, PostDraft
from tests.connectors.contract import ConnectorContract, ContractHarness, make_test_http
from tests.connectors.gbp_fake import LOCATION, FakeGoogleBusiness

REFRESH = "1//0refresh-" + "r" * 30
CLIENT_ID = "123-abc.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-" + "s" * 28
POSTS = ("POST", rf"/v4/{LOCATION}/localPosts")


class GbpHarness(ContractHarness):
    fake: FakeGoogleBusiness

    def invalid_draft(self) -> PostDraft:
        return PostDraft(
            text="ā" * 1501,
            media=(MediaItem(b"%PDF-1.4", mime="application/pdf"), MediaItem(b"x", mime="image/png")),
            idempotency_key=str(uuid.uuid4()),
        )

    def add_mention(self, text: str) -> None:
        self.fake.add_review(text)

    def fail_auth(self, body: dict | None = None) -> None:
        # The connector refreshes the token once on a 401 and repeats the call: two refusals.
        body = body or {"error": {"code": 401, "message": "Invalid Credentials", "status": "UNAUTHENTICATED"}}
        for _ in range(2):
            self.server.fail_next(*self.primary_route, status=401, body=body)


@pytest.fixture
def server():
    with LocalServer() as server:
        yield server


@pytest.fixture
def fake(server):
    return FakeGoogleBusiness(server, refresh_token=REFRESH, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)


def connector_for(server, **secrets) -> GoogleBusinessConnector:
    values = {
        "location": LOCATION,
        "refresh_token": REFRESH,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        **secrets,
    }
    credentials = AccountCredentials(values, base_url=server.base_url)
    http = make_test_http(server, credentials, secrets=[v for k, v in values.items() if k != "location"])
    return GoogleBusinessConnector(credentials, http=http)


@pytest.fixture
def gbp(server, fake):
    return connector_for(server)


def draft(text: str = "Svaigi grauzdēta Etiopijas kafija jau plauktā ☕", **kwargs) -> PostDraft:
    return PostDraft(text=text, idempotency_key=str(uuid.uuid4()), **kwargs)


class TestGoogleBusinessContract(ConnectorContract):
    @pytest.fixture
    def harness(self, server, fake):
        connector = connector_for(server)
        connector.verify()  # obtains the first access token, so secrets can name it
        harness = GbpHarness(
            connector=connector,
            server=server,
            secrets=[REFRESH, CLIENT_SECRET, connector.updated_secrets()["access_token"]],
            publish_route=POSTS,
        )
        harness.fake = fake
        return harness


def test_capabilities_are_truthful():
    caps = GoogleBusinessConnector.capabilities
    assert Capability.HIDE not in caps  # a business cannot hide or delete a review
    assert Capability.METRICS not in caps
    assert {Capability.PUBLISH, Capability.READ_MENTIONS, Capability.REPLY, Capability.RECONCILE} <= caps


def test_outcome_unknown_after_send_is_reconciled_without_a_second_post(gbp, server, fake):
    post = draft("Sestdien degustācija 11:00", link="https://kafija.example/degustacija")
    server.hang_next(*POSTS, apply=True)
    with pytest.raises(OutcomeUnknown):
        gbp.publish(post)
    found = gbp.find_published(post)
    assert found is not None and found.remote_id == fake.posts[0]["name"]
    assert server.count(*POSTS) == 1 and len(fake.posts) == 1
    # the same text with another link is another post; an unsent one is not found
    assert gbp.find_published(draft("Sestdien degustācija 11:00")) is None
    assert gbp.find_published(draft("Nekad nepublicēts")) is None


def test_publish_sends_summary_link_button_and_one_photo(gbp, fake):
    photo = MediaItem("https://kopiena.example/m/abc.jpg", mime="image/jpeg")
    result = gbp.publish(
        draft("Jauns sezonas dzēriens", link="https://kafija.example/", media=(photo,), language="lv")
    )
    post = fake.posts[0]
    assert result.remote_id == post["name"] and result.url.startswith("https://local.google.com/")
    assert result.published_at.tzinfo is not None
    assert post["summary"] == "Jauns sezonas dzēriens" and post["topicType"] == "STANDARD"
    assert post["callToAction"] == {"actionType": "LEARN_MORE", "url": "https://kafija.example/"}
    assert post["media"] == [{"mediaFormat": "PHOTO", "sourceUrl": "https://kopiena.example/m/abc.jpg"}]
    assert post["languageCode"] == "lv"


def test_validate_limits(gbp):
    assert gbp.validate(draft("x" * 1500)) == []
    codes = {
        (p.field, p.code)
        for p in gbp.validate(draft("x" * 1501, media=(MediaItem(b"\x89PNG", mime="image/png"),)))
    }
    assert codes == {("text", "too_long"), ("media[0]", "needs_url")}
    assert [p.code for p in gbp.validate(draft(""))] == ["empty"]
    photo = MediaItem("https://kopiena.example/1.jpg", mime="image/jpeg")
    assert [(p.field, p.code) for p in gbp.validate(draft("", media=(photo,)))] == [("text", "empty")]
    two = tuple(MediaItem(f"https://kopiena.example/{i}.jpg", mime="image/jpeg") for i in range(2))
    assert [p.code for p in gbp.validate(draft(media=two))] == ["too_many"]


def test_reviews_page_through_next_page_token_with_stars_names_and_answered(gbp, server, fake):
    for i in range(120):
        fake.add_review(f"Atsauksme {i}", stars=(i % 5) + 1)
    fake.add_review("", stars=1, reviewer="", anonymous=True)
    answered = fake.add_review("Lieliski!", stars=5)
    answered["reviewReply"] = {"comment": "Paldies!", "updateTime": answered["updateTime"]}
    page = gbp.fetch_mentions()
    assert len(page.items) == 122 and server.count("GET", r"/v4/.*/reviews") == 3  # 50 + 50 + 22
    assert [i.text for i in page.items[:2]] == ["Atsauksme 0", "Atsauksme 1"]  # oldest first
    assert [i.rating for i in page.items[:6]] == [1, 2, 3, 4, 5, 1]
    first = page.items[0]
    assert first.kind == ItemKind.COMMENT and first.author.name == "Anna Bērziņa" and not first.answered
    anonymous, last = page.items[-2], page.items[-1]
    assert anonymous.author.name == "" and anonymous.rating == 1 and anonymous.title == "★☆☆☆☆"
    assert last.answered and last.external_id == answered["name"]
    requests_before = server.count("GET", r"/v4/.*/reviews")
    assert gbp.fetch_mentions(cursor=page.cursor).items == ()
    assert server.count("GET", r"/v4/.*/reviews") == requests_before + 1  # stops at the first old review


def test_review_reply_is_created_then_updated_never_duplicated(gbp, server, fake):
    review = fake.add_review("Kafija auksta", stars=2)
    first = gbp.reply(parent_id=review["name"], draft=draft("Atvainojiet, nākamā uz mūsu rēķina."))
    assert review["reviewReply"]["comment"] == "Atvainojiet, nākamā uz mūsu rēķina."
    second = gbp.reply(parent_id=review["name"], draft=draft("Atvainojiet! Rakstiet mums, lūdzu."))
    assert review["reviewReply"]["comment"] == "Atvainojiet! Rakstiet mums, lūdzu."
    assert first.remote_id == second.remote_id == f"{review['name']}/reply"
    assert server.count("PUT", r"/v4/.*/reply") == 2
    gbp.delete_reply(review["name"])
    gbp.delete_reply(review["name"])  # already gone is fine
    assert "reviewReply" not in review


def test_review_reply_timeout_is_retried_safely_because_put_replaces(gbp, server, fake):
    review = fake.add_review("Labs", stars=4)
    server.hang_next("PUT", r"/v4/.*/reply", apply=True)
    gbp.reply(parent_id=review["name"], draft=draft("Paldies!"))
    assert server.count("PUT", r"/v4/.*/reply") == 2 and review["reviewReply"]["comment"] == "Paldies!"


def test_reply_checks_before_sending(gbp, server, fake):
    review = fake.add_review("?", stars=3)
    with pytest.raises(ContentRejected):
        gbp.reply(parent_id=review["name"], draft=draft("x" * 4097))
    with pytest.raises(PermanentError):
        gbp.reply(parent_id="accounts/9/locations/9/reviews/r1", draft=draft("Sveiki"))
    assert server.count("PUT", r"/v4/.*/reply") == 0


def test_429_resource_exhausted_is_rate_limited(gbp, server, fake):
    server.fail_next(
        "GET", r"/v4/.*/reviews", status=429,
        body={"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}},
    )  # fmt: skip
    with pytest.raises(RateLimited) as caught:
        gbp.fetch_mentions()
    assert caught.value.retry_after_seconds == 60.0  # Google sends no Retry-After: a minute


def test_expired_access_token_is_refreshed_once_and_handed_back(server, fake):
    gbp = connector_for(server, access_token="ya29.expired")
    fake.add_review("Garšīgi")
    assert [i.text for i in gbp.fetch_mentions().items] == ["Garšīgi"]
    assert fake.refreshes == 1
    new = gbp.updated_secrets()["access_token"]
    assert new in fake.tokens and server.requests_to("GET", r"/v4/.*/reviews")[-1].bearer == new
    token_request = server.requests_to("POST", r"/token")[0]
    assert token_request.arg("refresh_token") == REFRESH and REFRESH not in str(token_request.query)


def test_revoked_refresh_token_means_reconnect(server, fake):
    gbp = connector_for(server, refresh_token="1//revoked")
    with pytest.raises(AccountDisconnected):
        gbp.verify()


def test_lost_permission_means_reconnect_and_other_403_is_permanent(gbp, server, fake):
    denied = {
        "error": {
            "code": 403,
            "message": "The caller does not have permission",
            "status": "PERMISSION_DENIED",
        }
    }
    server.fail_next("GET", r"/v1/locations/.*", status=403, body=denied)
    with pytest.raises(AccountDisconnected):
        gbp.verify()
    disabled = {
        "error": {"code": 403, "message": "API has not been used in project 1", "status": "SERVICE_DISABLED"}
    }
    server.fail_next("GET", r"/v1/locations/.*", status=403, body=disabled)
    with pytest.raises(PermanentError):
        gbp.verify()


def test_verify_and_list_locations(gbp):
    info = gbp.verify()
    assert info.external_id == LOCATION and info.handle == "Rīgas Grauzdētava"
    assert gbp.list_locations() == [(LOCATION, "Rīgas Grauzdētava")]


def test_delete_local_post_but_never_a_review(gbp, fake):
    result = gbp.publish(draft())
    gbp.delete(result.remote_id)
    gbp.delete(result.remote_id)
    assert fake.posts == []
    review = fake.add_review("Nē")
    with pytest.raises(PermanentError):
        gbp.delete(review["name"])


def test_default_hosts_are_googles(fake):
    connector = GoogleBusinessConnector(AccountCredentials({"location": LOCATION}))
    from kopiena.connectors.google_business import constants as api

    assert (
        connector._url(api.REVIEWS, location=LOCATION)
        == f"https://mybusiness.googleapis.com/v4/{LOCATION}/reviews"
    )
    assert connector._url(api.TOKEN) == "https://oauth2.googleapis.com/token"
