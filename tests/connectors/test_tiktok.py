"""TikTok connector against a local fake of the Content Posting API (tests/connectors/tiktok_fake.py)."""

from __future__ import annotations

import uuid

import pytest

from kopiena.connectors.errors import AuthExpired, ContentRejected
from kopiena.connectors.testing import LocalServer
from kopiena.connectors.tiktok import oauth
from kopiena.connectors.tiktok.connector import PENDING_PREFIX, TikTokConnector, chunk_plan
from kopiena.connectors.types import AccountCredentials, MediaItem, PostDraft
from tests.connectors.contract import ConnectorContract, ContractHarness, make_test_http
from tests.connectors.tiktok_fake import CLIENT_KEY, CLIENT_SECRET, OPEN_ID, REFRESH, FakeTikTok

PUBLISH_ROUTE = ("PUT", r"/upload/[\w.~]+")
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x01" * 2048


class TikTokHarness(ContractHarness):
    fake: FakeTikTok

    def valid_draft(self) -> PostDraft:
        video = MediaItem(VIDEO, mime="video/mp4", filename="brew.mp4")
        return PostDraft(
            text=f"Kā top kafija ☕ {uuid.uuid4().hex[:6]}", media=(video,), idempotency_key=str(uuid.uuid4())
        )

    def invalid_draft(self) -> PostDraft:
        return PostDraft(text="x" * 2201, link="https://grauzdetava.lv", idempotency_key="k")

    def fail_auth(self, body: dict | None = None) -> None:
        error = {"code": "access_token_invalid", "message": str((body or {}).get("message", "invalid token"))}
        self.server.fail_next(*self.primary_route, status=401, body={"data": {}, "error": error})


def make_tiktok(server: LocalServer, **secrets) -> TikTokConnector:
    values = {"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH, **secrets}
    credentials = AccountCredentials(values, base_url=server.base_url)
    connector = TikTokConnector(
        credentials, http=make_test_http(server, credentials, secrets=[CLIENT_SECRET, REFRESH])
    )
    connector.poll_interval_seconds = 0
    return connector


@pytest.fixture
def tiktok():
    with LocalServer() as server:
        fake = FakeTikTok(server)
        harness = TikTokHarness(
            connector=make_tiktok(server),
            server=server,
            secrets=[CLIENT_SECRET, REFRESH],
            publish_route=PUBLISH_ROUTE,
        )
        harness.fake = fake
        yield harness


class TestTikTokContract(ConnectorContract):
    @pytest.fixture
    def harness(self, tiktok):
        return tiktok


def test_chunks_follow_the_media_transfer_guide():
    assert chunk_plan(2048) == (2048, 1)
    assert chunk_plan(64 * 1024 * 1024) == (64 * 1024 * 1024, 1)
    size = 95 * 1024 * 1024  # 9 chunks of 10 MB, the last one carrying the remaining 15 MB
    assert chunk_plan(size) == (10 * 1024 * 1024, 9)


def test_publish_asks_creator_info_uploads_and_follows_the_status(tiktok):
    tiktok.fake.processing_reads = 2
    result = tiktok.connector.publish(tiktok.valid_draft())
    (upload,) = tiktok.fake.uploads.values()
    assert upload["privacy"] == "PUBLIC_TO_EVERYONE" and result.remote_id == upload["video_id"]
    assert tiktok.server.count("POST", r"/v2/post/publish/creator_info/query/") == 1


def test_an_unaudited_app_posts_privately_as_the_creator_options_say(tiktok):
    tiktok.fake.privacy_options = ["SELF_ONLY"]
    tiktok.connector.publish(tiktok.valid_draft())
    assert [u["privacy"] for u in tiktok.fake.uploads.values()] == ["SELF_ONLY"]


def test_a_failed_video_is_rejected_with_tiktoks_reason(tiktok):
    tiktok.fake.fail_reason = "duration_check_failed"
    with pytest.raises(ContentRejected, match="duration_check_failed"):
        tiktok.connector.publish(tiktok.valid_draft())


def test_still_processing_is_stored_as_pending_and_metrics_resolve_it(tiktok):
    tiktok.fake.processing_reads = 10_000
    result = tiktok.connector.publish(tiktok.valid_draft())
    assert result.remote_id.startswith(PENDING_PREFIX)
    tiktok.fake.processing_reads = 0
    m = tiktok.connector.fetch_metrics([result.remote_id])[result.remote_id]
    assert (m.views, m.likes, m.replies, m.reposts) == (880, 31, 2, 5)


def test_a_video_is_required_and_the_token_is_renewed_and_handed_back(tiktok):
    codes = {p.code for p in tiktok.connector.validate(PostDraft(text="Bez video"))}
    assert "required" in codes
    assert tiktok.connector.verify().external_id == OPEN_ID
    assert tiktok.connector.updated_secrets()["access_token"] in tiktok.fake.access_tokens
    tiktok.fake.refresh_tokens.clear()
    with pytest.raises(AuthExpired):
        make_tiktok(tiktok.server).verify()


def test_oauth_code_to_tokens(tiktok):
    tiktok.fake.codes.add("c1")
    app = oauth.TikTokApp(
        client_key=CLIENT_KEY, client_secret=CLIENT_SECRET, redirect_uri="https://k.example/cb/"
    )
    url = oauth.authorize_url(app, state="s")
    assert url.startswith("https://www.tiktok.com/v2/auth/authorize/?") and "video.publish" in url
    http = make_test_http(tiktok.server, AccountCredentials({}, base_url=tiktok.server.base_url))
    tokens = oauth.exchange_code(http, app, code="c1")
    assert tokens.open_id == OPEN_ID and tokens.refresh_token == REFRESH
