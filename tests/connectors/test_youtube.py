"""YouTube connector against a local fake of the Data API v3 written from Google's documentation."""

from __future__ import annotations

import uuid

import pytest

from kopiena.connectors.capabilities import Capability
from kopiena.connectors.errors import AccountDisconnected, ContentRejected, OutcomeUnknown, RateLimited
from kopiena.connectors.registry import registry
from kopiena.connectors.types import AccountCredentials, MediaItem, PostDraft, Visibility
from kopiena.connectors.youtube import YouTubeConnector, oauth
from kopiena.connectors.youtube.connector import seconds_until_quota_reset
from tests.connectors.contract import ConnectorContract, ContractHarness, make_test_http
from tests.connectors.youtube_fake import CHANNEL_ID, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, FakeYouTube

VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 256
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
UPLOAD = ("PUT", r"/upload/youtube/v3/videos")


def draft(text: str = "Rīta kafija Rīgā\nKā mēs grauzdējam pupiņas.", **kwargs) -> PostDraft:
    kwargs.setdefault("media", (MediaItem(VIDEO, mime="video/mp4", filename="kafija.mp4"),))
    return PostDraft(text=text, idempotency_key=str(uuid.uuid4()), **kwargs)


class YouTubeHarness(ContractHarness):
    fake: FakeYouTube

    def valid_draft(self) -> PostDraft:
        return draft()

    def invalid_draft(self) -> PostDraft:
        return PostDraft(text="<b>" + "x" * 120, idempotency_key=str(uuid.uuid4()))  # no video either

    def add_comment(self, post_id: str, text: str) -> None:
        self.fake.add_comment(post_id, text)

    def fail_auth(self, body: dict | None = None) -> None:
        # The connector refreshes its access token once on a 401 and tries again: refuse both.
        body = body or {"error": {"code": 401, "message": "Invalid Credentials"}}
        for _ in range(2):
            self.server.fail_next(*self.primary_route, status=401, body=body)


def credentials_for(fake: FakeYouTube, **secrets) -> AccountCredentials:
    values = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN,
        **secrets,
    }
    return AccountCredentials(values, base_url=fake.base_url)


def connector_for(fake: FakeYouTube, **secrets) -> YouTubeConnector:
    credentials = credentials_for(fake, **secrets)
    return YouTubeConnector(credentials, http=make_test_http(fake.server, credentials))


@pytest.fixture
def fake():
    with FakeYouTube() as fake:
        yield fake


@pytest.fixture
def youtube(fake):
    return connector_for(fake)


class TestYouTubeContract(ConnectorContract):
    @pytest.fixture
    def harness(self, fake):
        harness = YouTubeHarness(
            connector=connector_for(fake),
            server=fake.server,
            secrets=[CLIENT_SECRET, REFRESH_TOKEN],
            publish_route=UPLOAD,
        )
        harness.fake = fake
        return harness


def test_registered_with_truthful_capabilities():
    cls = registry.get("youtube")
    assert cls is YouTubeConnector
    assert Capability.HIDE in cls.capabilities and Capability.RECONCILE in cls.capabilities
    assert Capability.IDEMPOTENT_PUBLISH not in cls.capabilities  # YouTube has no idempotency key
    assert Capability.READ_MENTIONS not in cls.capabilities and Capability.SEARCH not in cls.capabilities


def test_resumable_upload_sends_metadata_then_bytes_with_thumbnail(youtube, fake):
    post = draft(
        "Rīta kafija Rīgā\nKā mēs grauzdējam.",
        media=(
            MediaItem(VIDEO, mime="video/mp4", filename="kafija.mp4"),
            MediaItem(PNG, mime="image/png", filename="thumb.png"),
        ),
        link="https://kafija.example/",
        visibility=Visibility.UNLISTED,
    )
    result = youtube.publish(post)
    start = fake.server.requests_to("POST", r"/upload/youtube/v3/videos")[0]
    assert start.arg("uploadType") == "resumable" and start.arg("part") == "snippet,status"
    assert start.headers["x-upload-content-length"] == str(len(VIDEO))
    assert start.headers["x-upload-content-type"] == "video/mp4"
    video = fake.videos[result.remote_id]
    assert video["snippet"]["title"] == "Rīta kafija Rīgā"
    assert video["snippet"]["description"] == "Kā mēs grauzdējam.\n\nhttps://kafija.example/"
    assert video["status"]["privacyStatus"] == "unlisted" and video["bytes"] == len(VIDEO)
    assert video["snippet"]["tags"] == [f"kopiena-{post.idempotency_key}"]
    assert fake.thumbnails[result.remote_id] == PNG
    assert result.url == f"https://www.youtube.com/watch?v={result.remote_id}"
    for request in fake.server.requests:  # credentials only in headers
        assert REFRESH_TOKEN not in str(request.query) and CLIENT_SECRET not in str(request.query)


def test_refused_thumbnail_does_not_fail_the_published_video(youtube, fake):
    fake.server.fail_next(
        "POST", r"/upload/youtube/v3/thumbnails/set", status=403, body={"error": {"code": 403}}
    )
    post = draft(media=(MediaItem(VIDEO, mime="video/mp4"), MediaItem(PNG, mime="image/png")))
    result = youtube.publish(post)
    assert result.remote_id in fake.videos and fake.server.count(*UPLOAD) == 1


def test_validate_youtube_rules(youtube):
    assert youtube.validate(draft()) == []
    codes = {
        p.code
        for p in youtube.validate(
            PostDraft(
                text="Title <x>\n" + "ā" * 2600,  # 5200 bytes
                media=(MediaItem(PNG, mime="image/png"), MediaItem(PNG, mime="image/png")),
                visibility=Visibility.FOLLOWERS,
            )
        )
    }
    assert {"title_bad_chars", "description_too_long", "video_required", "too_many", "unsupported"} <= codes
    long_title = youtube.validate(draft("x" * 101))
    assert [p.code for p in long_title] == ["title_too_long"]
    pdf = youtube.validate(draft(media=(MediaItem(b"%PDF", mime="application/pdf"),)))
    assert {p.code for p in pdf} == {"bad_type", "video_required"}


def test_outcome_unknown_after_upload_reconciles_without_a_second_upload(youtube, fake):
    post = draft()
    fake.server.hang_next(*UPLOAD, apply=True)
    with pytest.raises(OutcomeUnknown):
        youtube.publish(post)
    found = youtube.find_published(post)
    assert found is not None and found.remote_id in fake.videos
    assert fake.server.count(*UPLOAD) == 1 and len(fake.videos) == 1
    # Same title, other delivery: not confused with it.
    assert youtube.find_published(draft()) is None


def test_lost_upload_session_answer_is_retried_safely(youtube, fake):
    """Opening the session creates nothing, so a dropped answer there is simply asked again."""
    fake.server.drop_next("POST", r"/upload/youtube/v3/videos")
    result = youtube.publish(draft())
    assert result.remote_id in fake.videos and len(fake.videos) == 1


def test_quota_exceeded_403_is_rate_limited_until_pacific_midnight(youtube, fake):
    fake.server.fail_next(
        "GET",
        r"/youtube/v3/channels",
        status=403,
        body={"error": {"code": 403, "message": "quota", "errors": [{"reason": "quotaExceeded"}]}},
    )
    with pytest.raises(RateLimited) as caught:
        youtube.verify()
    assert 60 <= caught.value.retry_after_seconds <= 25 * 3600


def test_rate_limit_403_and_insufficient_permissions(fake):
    youtube = connector_for(fake)
    fake.server.fail_next(
        "GET", r"/youtube/v3/channels", status=403,
        body={"error": {"code": 403, "message": "slow", "errors": [{"reason": "rateLimitExceeded"}]}},
    )  # fmt: skip
    with pytest.raises(RateLimited) as caught:
        youtube.verify()
    assert caught.value.retry_after_seconds == 60
    other = connector_for(fake)
    fake.server.fail_next(
        "GET", r"/youtube/v3/channels", status=403,
        body={"error": {"code": 403, "message": "scope", "errors": [{"reason": "insufficientPermissions"}]}},
    )  # fmt: skip
    with pytest.raises(AccountDisconnected):
        other.verify()


def test_quota_reset_is_pacific_midnight():
    from datetime import UTC, datetime

    # 2026-12-04 07:00 UTC is 23:00 PST: one hour to go.
    assert seconds_until_quota_reset(datetime(2026, 12, 4, 7, 0, tzinfo=UTC)) == 3600


def test_expired_access_token_is_refreshed_once_and_handed_back(fake):
    youtube = connector_for(fake, access_token="ya29.stale")
    info = youtube.verify()
    assert info.external_id == CHANNEL_ID and info.handle == "@kafijariga" and info.followers_count == 1200
    assert fake.server.count("POST", r"/token") == 1
    refreshed = youtube.updated_secrets()
    assert refreshed["access_token"] == fake.access_tokens[-1] and float(refreshed["access_expires_at"]) > 0
    youtube.verify()
    assert fake.server.count("POST", r"/token") == 1  # the new token is kept for the rest of the call
    again = connector_for(fake, **refreshed)
    again.verify()
    assert fake.server.count("POST", r"/token") == 1  # a stored, unexpired token is used as it is


def test_revoked_refresh_token_means_reconnect(fake):
    youtube = connector_for(fake, refresh_token="1//revoked")
    with pytest.raises(AccountDisconnected, match="Connect the channel again"):
        youtube.verify()


def test_comment_threads_are_paged_with_next_page_token_and_include_replies(youtube, fake):
    fake.page_size = 2
    video = youtube.publish(draft()).remote_id
    first = fake.add_comment(video, "Pirmais")
    for n in range(4):
        fake.add_comment(video, f"Komentārs {n}")
    for n in range(3):  # more replies than a thread carries: read through comments.list
        fake.add_comment(video, f"Atbilde {n}", parent_id=first, author="Boris")
    page = youtube.fetch_comments(post_id=video)
    assert [i.text for i in page.items] == [
        "Pirmais", "Komentārs 0", "Komentārs 1", "Komentārs 2", "Komentārs 3", "Atbilde 0", "Atbilde 1", "Atbilde 2",
    ]  # fmt: skip
    assert fake.server.count("GET", r"/youtube/v3/commentThreads") == 3
    reply = page.items[-1]
    assert reply.parent_id == first and reply.thread_id == video and reply.author.id == "UCboris"
    assert youtube.fetch_comments(post_id=video, cursor=page.cursor).items == ()


def test_reply_goes_into_the_thread_and_our_own_replies_are_not_read_back(youtube, fake):
    video = youtube.publish(draft()).remote_id
    question = fake.add_comment(video, "Cik maksā?")
    answer = youtube.reply(parent_id=question, draft=PostDraft(text="12 EUR", idempotency_key="k"))
    assert fake.comments[answer.remote_id]["snippet"]["parentId"] == question
    follow_up = fake.add_comment(video, "Paldies!", parent_id=question)
    again = youtube.reply(parent_id=follow_up, draft=PostDraft(text="Lūdzu!", idempotency_key="k2"))
    assert fake.comments[again.remote_id]["snippet"]["parentId"] == question  # one level deep
    texts = [i.text for i in youtube.fetch_comments(post_id=video).items]
    assert texts == ["Cik maksā?", "Paldies!"]
    with pytest.raises(ContentRejected):
        youtube.reply(parent_id=question, draft=PostDraft(text="  "))


def test_hide_holds_for_review_and_unhide_publishes_again(youtube, fake):
    video = youtube.publish(draft()).remote_id
    rude = fake.add_comment(video, "Briesmīga kafija")
    youtube.hide(rude)
    assert fake.comments[rude]["moderationStatus"] == "heldForReview"
    assert youtube.fetch_comments(post_id=video).items == ()
    youtube.unhide(rude)
    assert fake.comments[rude]["moderationStatus"] == "published"
    youtube.reject(rude)
    assert fake.comments[rude]["moderationStatus"] == "rejected"
    with pytest.raises(ContentRejected):  # YouTube cannot publish a rejected comment again
        youtube.unhide(rude)
    request = fake.server.requests_to("POST", r"/youtube/v3/comments/setModerationStatus")[0]
    assert request.arg("moderationStatus") == "heldForReview"


def test_metrics_and_delete(youtube, fake):
    video = youtube.publish(draft()).remote_id
    fake.videos[video]["statistics"].update(viewCount="42", likeCount="7")
    fake.add_comment(video, "👍")
    metrics = youtube.fetch_metrics([video, "gone"])
    assert set(metrics) == {video}
    assert (metrics[video].views, metrics[video].likes, metrics[video].replies) == (42, 7, 1)
    youtube.delete(video)
    youtube.delete(video)  # already gone is fine
    assert youtube.fetch_metrics([video]) == {}


def test_upload_session_on_another_host_gets_no_token(youtube, fake):
    from kopiena.connectors.errors import PermanentError
    from kopiena.connectors.testing import Response

    fake.server._routes.insert(
        0,
        (
            "POST",
            __import__("re").compile(r"/upload/youtube/v3/videos"),
            lambda request, match: Response(
                200, b"", {"Location": "https://evil.example/upload?upload_id=1"}
            ),
        ),
    )
    with pytest.raises(PermanentError, match="own host"):
        youtube.publish(draft())


def test_oauth_code_exchange_and_consent_url(fake):
    app = oauth.GoogleApp(CLIENT_ID, CLIENT_SECRET, redirect_uri="https://kopiena.example/cb")
    url = oauth.authorize_url(app, state="s1")
    assert url.startswith("https://accounts.google.com/o/oauth2/v2/auth?")
    assert "access_type=offline" in url and "prompt=consent" in url and "state=s1" in url
    assert CLIENT_SECRET not in url and "youtube.force-ssl" in url
    http = make_test_http(fake.server, AccountCredentials())
    tokens = oauth.exchange_code(http, app, code="good-code", base_url=fake.base_url)
    assert tokens.refresh_token == REFRESH_TOKEN and CLIENT_SECRET not in repr(app) + repr(tokens)
    assert oauth.token_url("") == "https://oauth2.googleapis.com/token"


def test_thumbnail_must_be_a_small_jpeg_or_png(youtube):
    gif = youtube.validate(
        draft(media=(MediaItem(VIDEO, mime="video/mp4"), MediaItem(b"GIF89a", mime="image/gif")))
    )
    assert [(p.field, p.code) for p in gif] == [("media[1]", "bad_type")]
    big = MediaItem(b"\xff\xd8" + b"\x00" * (2 * 1024 * 1024), mime="image/jpeg")
    too_big = youtube.validate(draft(media=(MediaItem(VIDEO, mime="video/mp4"), big)))
    assert [(p.field, p.code) for p in too_big] == [("media[1]", "too_big")]
