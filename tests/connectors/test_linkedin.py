"""LinkedIn Page connector against a local fake of the Community Management API (linkedin_fake.py)."""

from __future__ import annotations

import pytest

from kopiena.connectors.errors import AuthExpired, ContentRejected, OutcomeUnknown, RateLimited
from kopiena.connectors.linkedin import oauth
from kopiena.connectors.linkedin.connector import LinkedInConnector
from kopiena.connectors.linkedin.little import from_little, to_little
from kopiena.connectors.testing import LocalServer
from kopiena.connectors.types import AccountCredentials, MediaItem, PostDraft
from tests.connectors.contract import ConnectorContract, ContractHarness, make_test_http
from tests.connectors.linkedin_fake import CLIENT_ID, CLIENT_SECRET, ORG, ORG_ID, REFRESH, TOKEN, FakeLinkedIn

PUBLISH_ROUTE = ("POST", r"/rest/posts")
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


class LinkedInHarness(ContractHarness):
    fake: FakeLinkedIn

    def invalid_draft(self) -> PostDraft:
        image = MediaItem(PNG, mime="image/png", filename="a.png")
        return PostDraft(text="x" * 3001, link="https://grauzdetava.lv", media=(image,), idempotency_key="k")

    def add_comment(self, post_id: str, text: str) -> None:
        self.fake.add_comment(post_id, text)


def make_linkedin(server: LocalServer, **secrets) -> LinkedInConnector:
    values = {"access_token": TOKEN, "organization_id": ORG_ID, **secrets}
    credentials = AccountCredentials(values, base_url=server.base_url)
    return LinkedInConnector(credentials, http=make_test_http(server, credentials, secrets=[TOKEN]))


@pytest.fixture
def linkedin():
    with LocalServer() as server:
        fake = FakeLinkedIn(server)
        harness = LinkedInHarness(
            connector=make_linkedin(server), server=server, secrets=[TOKEN], publish_route=PUBLISH_ROUTE
        )
        harness.fake = fake
        yield harness


class TestLinkedInContract(ConnectorContract):
    @pytest.fixture
    def harness(self, linkedin):
        return linkedin


def test_reserved_characters_are_escaped_so_linkedin_does_not_cut_the_post():
    text = "Jaunums (tikai šonedēļ): -20% *visam* #kafija @Rīga https://grauzdetava.lv/a_(b)"
    little = to_little(text)
    assert "\\(tikai šonedēļ\\)" in little and "\\*visam\\*" in little and "\\@Rīga" in little
    assert "{hashtag|\\#|kafija}" in little and "https://grauzdetava.lv/a_(b)" in little
    assert from_little(little) == text


def test_a_text_post_as_the_organisation_with_its_verify(linkedin):
    info = linkedin.connector.verify()
    assert (info.external_id, info.handle, info.followers_count) == (ORG, "grauzdetava", 1543)
    result = linkedin.connector.publish(PostDraft(text="Labrīt (svaigi) #kafija", idempotency_key="a"))
    post = linkedin.fake.posts[result.remote_id]
    assert post["author"] == ORG and post["commentary"] == "Labrīt \\(svaigi\\) {hashtag|\\#|kafija}"
    assert result.url == f"https://www.linkedin.com/feed/update/{result.remote_id}/"


def test_article_link_and_images_are_uploaded_then_referenced(linkedin):
    linked = linkedin.connector.publish(
        PostDraft(text="Jauns raksts\npar kafiju", link="https://grauzdetava.lv/r")
    )
    assert linkedin.fake.posts[linked.remote_id]["content"] == {
        "article": {"source": "https://grauzdetava.lv/r", "title": "Jauns raksts"}
    }
    one = MediaItem(PNG, mime="image/png", filename="a.png", alt_text="Krūze")
    single = linkedin.connector.publish(PostDraft(text="Viena", media=(one,)))
    media = linkedin.fake.posts[single.remote_id]["content"]["media"]
    assert media["altText"] == "Krūze" and linkedin.fake.uploads[media["id"]] == PNG
    two = MediaItem(PNG, mime="image/png", filename="b.png")
    several = linkedin.connector.publish(PostDraft(text="Divas", media=(one, two)))
    assert len(linkedin.fake.posts[several.remote_id]["content"]["multiImage"]["images"]) == 2


def test_a_retry_of_a_post_that_went_out_learns_its_id_from_the_duplicate_refusal(linkedin):
    draft = PostDraft(text="Tikai vienreiz", idempotency_key="d")
    linkedin.server.hang_next(*PUBLISH_ROUTE, apply=True)  # LinkedIn created it; the answer was lost
    with pytest.raises(OutcomeUnknown):
        linkedin.connector.publish(draft)
    (created,) = linkedin.fake.posts
    assert linkedin.connector.find_published(draft).remote_id == created
    again = linkedin.connector.publish(draft)
    assert again.remote_id == created and len(linkedin.fake.posts) == 1


def test_comments_without_our_own_then_answers_nested_under_the_comment(linkedin):
    post = linkedin.connector.publish(PostDraft(text="Jautājumi?"))
    question = linkedin.fake.add_comment(post.remote_id, "Cik maksā \\(ar piegādi\\)?")
    (item,) = linkedin.connector.fetch_comments(post_id=post.remote_id).items
    assert (item.external_id, item.text, item.author.id) == (
        question,
        "Cik maksā (ar piegādi)?",
        "urn:li:person:anna123",
    )
    answer = linkedin.connector.reply(parent_id=question, draft=PostDraft(text="12 € (ar piegādi)"))
    stored = linkedin.fake.comments[post.remote_id][-1]
    assert stored["parentComment"] == question and stored["actor"] == ORG
    assert stored["message"]["text"] == "12 € \\(ar piegādi\\)" and answer.remote_id == stored["commentUrn"]
    assert [i.external_id for i in linkedin.connector.fetch_comments(post_id=post.remote_id).items] == [
        question
    ]


def test_share_statistics_become_metrics(linkedin):
    post = linkedin.connector.publish(PostDraft(text="Skaitļi"))
    metrics = linkedin.connector.fetch_metrics([post.remote_id, "urn:li:share:1"])
    m = metrics[post.remote_id]
    assert set(metrics) == {post.remote_id} and (m.views, m.likes, m.replies, m.reposts) == (880, 31, 2, 5)


def test_daily_limit_waits_until_midnight_utc_and_a_dead_token_asks_for_reconnect(linkedin):
    linkedin.server.fail_next(
        *PUBLISH_ROUTE, status=429, body={"status": 429, "message": "Resource level throttle"}
    )
    with pytest.raises(RateLimited) as caught:
        linkedin.connector.publish(PostDraft(text="a"))
    assert 60 <= caught.value.retry_after_seconds <= 86400
    linkedin.fake.tokens.clear()
    with pytest.raises(AuthExpired):
        make_linkedin(linkedin.server).verify()


def test_a_token_in_its_last_week_is_refreshed_with_the_refresh_token(linkedin):
    soon = str(int(LinkedInConnector.clock()) + 2 * 86400)
    connector = make_linkedin(
        linkedin.server,
        refresh_token=REFRESH,
        token_expires_at=soon,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    connector.verify()
    changed = connector.updated_secrets()
    assert changed["access_token"].startswith("AQXrefreshed") and int(changed["token_expires_at"]) > int(soon)


def test_oauth_code_to_tokens_and_the_pages_the_member_administers(linkedin):
    linkedin.fake.codes.add("c1")
    app = oauth.LinkedInApp(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uri="https://k.example/cb/"
    )
    url = oauth.authorize_url(app, state="s")
    assert (
        url.startswith("https://www.linkedin.com/oauth/v2/authorization?") and "w_organization_social" in url
    )
    http = make_test_http(linkedin.server, AccountCredentials({}, base_url=linkedin.server.base_url))
    tokens = oauth.exchange_code(http, app, code="c1")
    assert tokens.refresh_token == REFRESH and tokens.expires_at > 0
    assert oauth.administered_organizations(http, tokens) == [(ORG, "Rīgas Grauzdētava")]
    with pytest.raises(ContentRejected):
        oauth.exchange_code(http, app, code="c1")


def test_built_as_the_product_builds_it_the_organisation_id_may_go_into_urls(linkedin):
    credentials = AccountCredentials(
        {"access_token": TOKEN, "organization_id": ORG_ID}, base_url=linkedin.server.base_url
    )
    assert LinkedInConnector(credentials, allow_loopback=True).verify().external_id == ORG
