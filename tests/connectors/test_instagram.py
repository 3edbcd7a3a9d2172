"""Instagram connector against a local fake of the Instagram Graph API (payloads from fixtures/instagram)."""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kopiena.connectors.errors import ContentRejected, OutcomeUnknown, RateLimited, TransientError
from kopiena.connectors.instagram.connector import InstagramConnector
from kopiena.connectors.testing import LocalServer, Response
from kopiena.connectors.types import AccountCredentials, MediaItem, PostDraft
from tests.connectors.contract import ConnectorContract, ContractHarness, make_test_http

FIXTURES = Path(__file__).parent / "fixtures" / "instagram"
TOKEN = "EAAGm0PX4ZCpsBAInstagramTokenZm9vYmFy"
APP_SECRET = "0123456789abcdeff00dfacecafebeef"
IG_USER = "17841400000000001"
V = r"/v21\.0"
PUBLISH_ROUTE = ("POST", rf"{V}/{IG_USER}/media_publish")
CONTAINER_ROUTE = ("POST", rf"{V}/{IG_USER}/media")


def fixture(name: str):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


class FakeInstagram:
    """Containers with a status, publishing, media, comments, tags, insights — Meta's shapes, our state."""

    def __init__(self, server: LocalServer):
        self.containers: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.comments: dict[str, list[dict]] = {}
        self.tags: list[dict] = []
        self.hidden: dict[str, bool] = {}
        self.replies: list[tuple[str, str]] = []
        self.quota_usage = 3
        self.processing_polls = 0  # how many status reads answer IN_PROGRESS before FINISHED
        self.fail_processing = ""
        self.ids = itertools.count(17890000000000001)
        self.clock = itertools.count()
        server.add("GET", rf"{V}/(?P<path>.*)", self.get)
        server.add("POST", rf"{V}/(?P<path>.*)", self.post)

    def now(self) -> str:
        moment = datetime.now(UTC) - timedelta(seconds=600) + timedelta(seconds=next(self.clock))
        return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")

    def get(self, request, match):
        if request.bearer != TOKEN:
            return Response.json({"error": {"message": "Invalid OAuth access token.", "code": 190}}, 400)
        path, fields = match["path"], request.arg("fields")
        if path == IG_USER and fields.startswith("mentioned_comment"):
            return Response.json({"id": IG_USER, "mentioned_comment": {"id": "17850000000000077", "text": "@grauzdetava top!",
                                  "timestamp": self.now(), "username": "liga_o", "media": {"id": "17920000000000077"}}})  # fmt: skip
        if path == IG_USER:
            return Response.json(fixture("ig_user"))
        if path == f"{IG_USER}/content_publishing_limit":
            return Response.json(
                {
                    "data": [
                        {
                            "config": {"quota_total": 50, "quota_duration": 86400},
                            "quota_usage": self.quota_usage,
                        }
                    ]
                }
            )
        if path == f"{IG_USER}/media":
            return Response.json(
                {"data": sorted(self.media.values(), key=lambda m: m["timestamp"], reverse=True)}
            )
        if path == f"{IG_USER}/tags":
            return Response.json({"data": list(reversed(self.tags))})
        if path in self.containers:
            container = self.containers[path]
            if self.fail_processing:
                return Response.json({"id": path, "status_code": "ERROR", "status": self.fail_processing})
            if self.processing_polls and container["status_code"] == "IN_PROGRESS":
                self.processing_polls -= 1
                return Response.json({"id": path, "status_code": "IN_PROGRESS"})
            if container["status_code"] == "IN_PROGRESS":
                container["status_code"] = "FINISHED"
            return Response.json({"id": path, "status_code": container["status_code"]})
        if path.endswith("/comments"):
            return Response.json(
                {"data": list(reversed(self.comments.get(path.removesuffix("/comments"), [])))}
            )
        if path.endswith("/insights") and path.removesuffix("/insights") in self.media:
            return Response.json(fixture("insights"))
        return Response.json(
            {"error": {"message": "Unsupported get request.", "code": 100, "error_subcode": 33}}, 400
        )

    def post(self, request, match):
        if request.bearer != TOKEN:
            return Response.json({"error": {"message": "Invalid OAuth access token.", "code": 190}}, 400)
        path, form = match["path"], {k: v[0] for k, v in request.form().items()}
        if path == f"{IG_USER}/media":
            container_id = str(next(self.ids))
            self.containers[container_id] = {**form, "status_code": "IN_PROGRESS"}
            return Response.json({"id": container_id})
        if path == f"{IG_USER}/media_publish":
            container = self.containers[form["creation_id"]]
            if container["status_code"] != "FINISHED":
                return Response.json({"error": {"message": "Media ID is not available", "code": 9007}}, 400)
            container["status_code"] = "PUBLISHED"
            media_id = str(next(self.ids))
            self.media[media_id] = {"id": media_id, "caption": container.get("caption", ""), "timestamp": self.now(),
                                    "permalink": f"https://www.instagram.com/p/{media_id}/"}  # fmt: skip
            return Response.json({"id": media_id})
        if path.endswith("/replies"):
            reply_id = str(next(self.ids))
            self.replies.append((path.removesuffix("/replies"), form["message"]))
            return Response.json({"id": reply_id})
        if "hide" in form:
            self.hidden[path] = form["hide"] == "true"
            return Response.json({"success": True})
        return Response.json({"error": {"message": "Unsupported post request.", "code": 100}}, 400)

    def add_comment(self, media_id: str, text: str, *, user_id: str = "17841400000000501") -> None:
        self.comments.setdefault(media_id, []).append(
            {"id": str(next(self.ids)), "text": text, "timestamp": self.now(), "username": "anna_b",
             "from": {"id": user_id, "username": "anna_b"}, "hidden": False}
        )  # fmt: skip

    def add_tag(self, text: str) -> None:
        self.tags.append({"id": str(next(self.ids)), "caption": text, "timestamp": self.now(), "username": "liga_o",
                          "permalink": "https://www.instagram.com/p/x/"})  # fmt: skip


class InstagramHarness(ContractHarness):
    fake: FakeInstagram

    def image(self, name: str = "cup.jpg") -> MediaItem:
        return MediaItem(self.server.url(f"/media/{name}"), alt_text="Kafijas krūze")

    def valid_draft(self) -> PostDraft:
        return PostDraft(
            text="Labrīt, Rīga! ☕ #kafija", media=(self.image(),), idempotency_key=str(uuid.uuid4())
        )

    def invalid_draft(self) -> PostDraft:
        return PostDraft(text="Bez bildes", link="https://grauzdetava.lv", idempotency_key="k")

    def add_comment(self, post_id: str, text: str) -> None:
        self.fake.add_comment(post_id, text)

    def add_mention(self, text: str) -> None:
        self.fake.add_tag(f"@grauzdetava {text}")


@pytest.fixture
def instagram():
    with LocalServer() as server:
        fake = FakeInstagram(server)
        secrets = {"access_token": TOKEN, "ig_user_id": IG_USER, "app_secret": APP_SECRET}
        credentials = AccountCredentials(secrets, base_url=server.base_url)
        http = make_test_http(server, credentials, secrets=[TOKEN, APP_SECRET])  # the account id is no secret
        connector = InstagramConnector(credentials, http=http)
        connector.poll_interval_seconds = 0
        harness = InstagramHarness(
            connector=connector, server=server, secrets=[TOKEN, APP_SECRET], publish_route=PUBLISH_ROUTE
        )
        harness.fake = fake
        yield harness


class TestInstagramContract(ConnectorContract):
    @pytest.fixture
    def harness(self, instagram):
        return instagram


def test_single_image_goes_through_one_container_with_alt_text(instagram):
    result = instagram.connector.publish(instagram.valid_draft())
    (container,) = instagram.fake.containers.values()
    assert container["image_url"].endswith("/media/cup.jpg") and container["alt_text"] == "Kafijas krūze"
    assert container["status_code"] == "PUBLISHED" and result.remote_id in instagram.fake.media


def test_carousel_children_then_parent_and_a_lone_video_is_a_reel(instagram):
    images = (instagram.image("a.jpg"), instagram.image("b.jpg"))
    instagram.connector.publish(PostDraft(text="Divas", media=images, idempotency_key="c"))
    children = [c for c in instagram.fake.containers.values() if c.get("is_carousel_item") == "true"]
    (parent,) = [c for c in instagram.fake.containers.values() if c.get("media_type") == "CAROUSEL"]
    assert len(children) == 2 and len(parent["children"].split(",")) == 2 and parent["caption"] == "Divas"
    instagram.connector.publish(
        PostDraft(text="Reel", media=(MediaItem(instagram.server.url("/m/brew.mp4")),), idempotency_key="r")
    )
    assert list(instagram.fake.containers.values())[-1]["media_type"] == "REELS"


def test_waits_while_the_container_is_processing(instagram):
    instagram.fake.processing_polls = 2
    instagram.connector.publish(instagram.valid_draft())
    assert instagram.server.count(*PUBLISH_ROUTE) == 1


def test_a_container_error_is_rejected_with_metas_words_and_never_published(instagram):
    instagram.fake.fail_processing = "Error: The media could not be fetched from the URI. 2207026"
    with pytest.raises(ContentRejected) as caught:
        instagram.connector.publish(instagram.valid_draft())
    assert "could not be fetched" in str(caught.value)
    assert instagram.server.count(*PUBLISH_ROUTE) == 0


def test_publishing_quota_is_read_at_run_time(instagram):
    instagram.fake.quota_usage = 50
    with pytest.raises(RateLimited):
        instagram.connector.publish(instagram.valid_draft())
    assert instagram.server.count(*CONTAINER_ROUTE) == 0


def test_a_lost_container_answer_published_nothing(instagram):
    instagram.server.hang_next(*CONTAINER_ROUTE)
    with pytest.raises(TransientError):
        instagram.connector.publish(instagram.valid_draft())
    assert instagram.server.count(*PUBLISH_ROUTE) == 0


def test_the_container_says_a_lost_publish_did_not_happen(instagram):
    draft = instagram.valid_draft()
    instagram.server.hang_next(*PUBLISH_ROUTE)  # the request is lost before Meta applies it
    with pytest.raises(OutcomeUnknown):
        instagram.connector.publish(draft)
    assert instagram.connector.find_published(draft) is None
    container_reads = instagram.server.requests_to("GET", rf"{V}/1789\d+")
    assert container_reads[-1].query["fields"] == ["status_code,status"]


def test_media_must_be_a_public_address(instagram):
    draft = PostDraft(text="a", media=(MediaItem(b"\xff\xd8", mime="image/jpeg", filename="cup.jpg"),))
    problems = instagram.connector.validate(draft)
    assert [(p.field, p.code) for p in problems] == [("media[0]", "needs_url")]


def test_hashtag_and_mention_limits(instagram):
    text = " ".join(f"#t{i}" for i in range(31)) + " " + " ".join(f"@u{i}" for i in range(21))
    codes = {p.code for p in instagram.connector.validate(PostDraft(text=text, media=(instagram.image(),)))}
    assert {"too_many_hashtags", "too_many_mentions"} <= codes


def test_reply_hide_unhide(instagram):
    post = instagram.connector.publish(instagram.valid_draft())
    instagram.fake.add_comment(post.remote_id, "Cik maksā?")
    instagram.fake.add_comment(post.remote_id, "Paldies!", user_id=IG_USER)  # our own: not for the inbox
    (comment,) = instagram.connector.fetch_comments(post_id=post.remote_id).items
    instagram.connector.reply(parent_id=comment.external_id, draft=PostDraft(text="12 €"))
    assert instagram.fake.replies == [(comment.external_id, "12 €")]
    instagram.connector.hide(comment.external_id)
    instagram.connector.unhide(comment.external_id)
    assert instagram.fake.hidden == {comment.external_id: False}


def test_insights_become_metrics(instagram):
    post = instagram.connector.publish(instagram.valid_draft())
    metrics = instagram.connector.fetch_metrics([post.remote_id, "17920000000099999"])
    assert set(metrics) == {post.remote_id}
    m = metrics[post.remote_id]
    assert (m.likes, m.replies, m.reposts, m.bookmarks, m.views) == (31, 2, 5, 7, 880)
