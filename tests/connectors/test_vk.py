"""VK connector against a local fake of the VK API (payloads from tests/connectors/fixtures/vk)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from kopiena.connectors.errors import (
    AuthExpired,
    ContentRejected,
    OutcomeUnknown,
    RateLimited,
    TransientError,
)
from kopiena.connectors.testing import LocalServer, Response
from kopiena.connectors.types import AccountCredentials, ItemKind, MediaItem, Poll, PostDraft
from kopiena.connectors.vk.connector import VkConnector
from tests.connectors.contract import ConnectorContract, ContractHarness, make_test_http

FIXTURES = Path(__file__).parent / "fixtures" / "vk"
TOKEN = "vk1.a.community-token-Zm9vYmFyYmF6cXV4eHl6"
SERVICE_TOKEN = "service-key-0f1e2d3c4b5a69788796a5b4"
GROUP_ID = 212345678
OWNER = -GROUP_ID
PUBLISH_ROUTE = ("POST", r"/method/wall\.post")
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def fixture(name: str):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def vk_error_body(code: int, message: str) -> dict:
    return {"error": {"error_code": code, "error_msg": message, "request_params": []}}


def vk_error(code: int, message: str) -> Response:
    return Response.json(vk_error_body(code, message))


class FakeVk:
    """wall.post with guid dedupe, uploads, comments, newsfeed, metrics — VK's shapes, our state."""

    def __init__(self, server: LocalServer):
        self.server = server
        self.posts: dict[int, dict] = {}
        self.by_guid: dict[str, int] = {}
        self.comments: dict[int, list[dict]] = {}
        self.feed: list[dict] = []
        self.ids = itertools.count(1001)
        self.clock = itertools.count(1795000000)
        server.add("POST", r"/method/(?P<method>[\w.]+)", self.handle)
        server.add(
            "POST",
            r"/upload/photo/(?P<gid>\d+)",
            lambda request, match: Response.json(fixture("photo_upload")),
        )
        server.add(
            "POST",
            r"/upload/video",
            lambda request, match: Response.json({"video_id": 456239, "owner_id": OWNER}),
        )

    def handle(self, request, match):
        method, form = match["method"], {k: v[0] for k, v in request.form().items()}
        expected = SERVICE_TOKEN if method == "newsfeed.search" else TOKEN
        if request.bearer != expected:
            return vk_error(5, "User authorization failed: invalid access_token (4).")
        if form.get("v") != "5.199":
            return vk_error(8, "Invalid request: v is required")
        handler = getattr(self, method.replace(".", "_"), None)
        return handler(form) if handler else vk_error(3, "Unknown method passed")

    def groups_getById(self, form):
        return Response.json(fixture("groups_get_by_id"))

    def wall_post(self, form):
        guid = form.get("guid", "")
        if guid in self.by_guid:  # the documented guid behaviour: the same post again, not a new one
            return Response.json({"response": {"post_id": self.by_guid[guid]}})
        post_id = next(self.ids)
        self.posts[post_id] = {"id": post_id, "owner_id": OWNER, "from_id": OWNER, "date": next(self.clock),
                               "text": form.get("message", ""), "attachments": form.get("attachments", ""),
                               "likes": {"count": 14}, "reposts": {"count": 3}, "comments": {"count": 0},
                               "views": {"count": 512}}  # fmt: skip
        self.by_guid[guid] = post_id
        return Response.json({"response": {"post_id": post_id}})

    def wall_get(self, form):
        items = sorted(self.posts.values(), key=lambda p: -p["id"])[: int(form.get("count", 20))]
        return Response.json({"response": {"count": len(self.posts), "items": items}})

    def wall_getById(self, form):
        wanted = form["posts"].split(",")
        items = [p for p in self.posts.values() if f"{p['owner_id']}_{p['id']}" in wanted]
        return Response.json({"response": {"items": items, "profiles": [], "groups": []}})

    def photos_getWallUploadServer(self, form):
        return Response.json(
            # Like VK's own, the upload address names the community.
            {
                "response": {
                    "album_id": -14,
                    "user_id": 0,
                    "upload_url": self.server.url(f"/upload/photo/{GROUP_ID}?act=do_add&gid={GROUP_ID}"),
                }
            }
        )

    def photos_saveWallPhoto(self, form):
        assert form["hash"] == "f1e2d3c4b5a6" and form["server"] == "850136"
        return Response.json(fixture("photos_save_wall_photo"))

    def video_save(self, form):
        return Response.json({"response": {"upload_url": self.server.url("/upload/video"), "video_id": 456239,
                                           "owner_id": OWNER, "title": form.get("name", "")}})  # fmt: skip

    def polls_create(self, form):
        return Response.json(fixture("polls_create"))

    def wall_getComments(self, form):
        comments = self.comments.get(int(form["post_id"]), [])
        start = int(form.get("start_comment_id", 0))
        items = [c for c in comments if c["id"] >= start]  # start_comment_id is inclusive
        answer = fixture("wall_get_comments")["response"]
        answer.update(count=len(comments), items=items)
        return Response.json({"response": answer})

    def wall_createComment(self, form):
        comment_id = self.add_comment(int(form["post_id"]), form["message"], from_id=-int(form["from_group"]))
        return Response.json({"response": {"comment_id": comment_id, "parents_stack": []}})

    def newsfeed_search(self, form):
        since = int(form.get("start_time", 0))
        items = [p for p in self.feed if p["date"] >= since and form["q"] in p["text"]]
        answer = fixture("newsfeed_search")["response"]
        answer.update(items=list(reversed(items)), count=len(items))  # newest first, like VK
        answer.pop("next_from")
        return Response.json({"response": answer})

    def add_comment(self, post_id: int, text: str, *, from_id: int = 42424242) -> int:
        comment_id = 5000 + sum(len(v) for v in self.comments.values()) + 1
        self.comments.setdefault(post_id, []).append(
            {"id": comment_id, "from_id": from_id, "date": next(self.clock), "text": text, "post_id": post_id,
             "owner_id": OWNER, "parents_stack": [], "thread": {"count": 0, "items": []}}
        )  # fmt: skip
        return comment_id

    def add_feed_post(self, text: str) -> None:
        self.feed.append({"id": len(self.feed) + 88, "owner_id": 60606060, "from_id": 60606060,
                          "date": next(self.clock), "text": text, "post_type": "post"})  # fmt: skip


class VkHarness(ContractHarness):
    fake: FakeVk

    def invalid_draft(self) -> PostDraft:
        archive = MediaItem(b"PK", mime="application/zip", filename="a.zip")
        return PostDraft(text="x" * 16385, media=(archive,), idempotency_key="k")

    def add_comment(self, post_id: str, text: str) -> None:
        self.fake.add_comment(int(post_id.split("_")[1]), text)

    def add_mention(self, text: str) -> None:
        self.fake.add_feed_post(f"@grauzdetava {text}")


@pytest.fixture
def vk():
    with LocalServer() as server:
        fake = FakeVk(server)
        secrets = {"access_token": TOKEN, "group_id": str(GROUP_ID), "confirmation_code": "a1b2c3d4",
                   "service_token": SERVICE_TOKEN}  # fmt: skip
        credentials = AccountCredentials(secrets, base_url=server.base_url)
        http = make_test_http(server, credentials, secrets=[TOKEN, SERVICE_TOKEN])  # ids are no secrets
        connector = VkConnector(credentials, http=http)
        harness = VkHarness(
            connector=connector, server=server, secrets=[TOKEN, SERVICE_TOKEN], publish_route=PUBLISH_ROUTE
        )
        harness.fake = fake
        yield harness


class TestVkContract(ConnectorContract):
    @pytest.fixture
    def harness(self, vk):
        return vk


def test_the_default_client_treats_only_tokens_as_secrets():
    credentials = AccountCredentials(
        {"access_token": TOKEN, "group_id": str(GROUP_ID), "confirmation_code": "a1b2"}
    )
    http = VkConnector(credentials).http
    assert http.scrub(f"{TOKEN} gid={GROUP_ID}") == f"[REDACTED] gid={GROUP_ID}"


def test_verify_names_the_community_and_sends_the_token_in_a_header(vk):
    info = vk.connector.verify()
    assert (info.external_id, info.handle, info.url) == (
        str(GROUP_ID),
        "grauzdetava",
        "https://vk.com/grauzdetava",
    )
    (request,) = vk.server.requests
    assert request.bearer == TOKEN and TOKEN.encode() not in request.body and not request.query


def test_a_retry_after_a_lost_answer_reuses_the_guid_and_makes_no_second_post(vk):
    draft = PostDraft(text="Jauna kafija", idempotency_key="delivery-42")
    vk.server.hang_next(*PUBLISH_ROUTE, apply=True)
    with pytest.raises(OutcomeUnknown):
        vk.connector.publish(draft)
    again = vk.connector.publish(draft)  # what the engine may do for an IDEMPOTENT_PUBLISH platform
    assert len(vk.fake.posts) == 1 and again.remote_id == f"{OWNER}_1001"
    assert {r.form()["guid"][0] for r in vk.server.requests_to(*PUBLISH_ROUTE)} == {"delivery-42"}


def test_photo_video_poll_and_link_become_attachments(vk):
    draft = PostDraft(
        text="Kur pavadīsiet vasaru?",
        media=(MediaItem(JPEG, mime="image/jpeg", filename="cup.jpg", alt_text="Krūze"),
               MediaItem(b"\x00\x00\x00\x18ftypmp42", mime="video/mp4", filename="brew.mp4")),
        poll=Poll(options=("Jūrmalā", "Siguldā")),
        link="https://grauzdetava.lv",
        idempotency_key="k1",
    )  # fmt: skip
    vk.connector.publish(draft)
    (post,) = vk.fake.posts.values()
    assert post["attachments"] == (
        f"photo{OWNER}_457239017,video{OWNER}_456239,poll{OWNER}_700123,https://grauzdetava.lv"
    )
    (poll,) = vk.server.requests_to("POST", r"/method/polls\.create")
    assert json.loads(poll.form()["add_answers"][0]) == ["Jūrmalā", "Siguldā"]


def test_a_lost_upload_answer_is_transient_and_posts_nothing(vk):
    vk.server.hang_next("POST", r"/upload/photo/\d+")
    with pytest.raises(TransientError):
        vk.connector.publish(
            PostDraft(text="a", media=(MediaItem(JPEG, mime="image/jpeg"),), idempotency_key="k")
        )
    assert vk.server.count(*PUBLISH_ROUTE) == 0


@pytest.mark.parametrize(
    ("code", "message", "error"),
    [
        (5, "User authorization failed: invalid access_token (4).", AuthExpired),
        (214, "Access to adding post denied: a post is already scheduled for this time", ContentRejected),
        (9, "Flood control", RateLimited),
    ],
)
def test_vk_error_codes_map_to_the_taxonomy_with_vks_words(vk, code, message, error):
    vk.server.fail_next(*PUBLISH_ROUTE, status=200, body=vk_error_body(code, message))  # VK errors are 200s
    with pytest.raises(error) as caught:
        vk.connector.publish(PostDraft(text="a", idempotency_key="k"))
    assert message in str(caught.value)


def test_rate_error_6_pauses_the_account_for_a_second(vk):
    vk.server.fail_next(
        "POST", r"/method/wall\.get", status=200, body=vk_error_body(6, "Too many requests per second")
    )
    with pytest.raises(RateLimited) as caught:
        vk.connector.find_published(PostDraft(text="a"))
    assert caught.value.retry_after_seconds == 1
    with pytest.raises(RateLimited):
        vk.connector.find_published(PostDraft(text="a"))
    assert vk.server.count("POST", r"/method/wall\.get") == 1


def test_reply_answers_the_comment_as_the_community_with_a_guid(vk):
    post = vk.connector.publish(PostDraft(text="Jauna kafija", idempotency_key="p"))
    vk.fake.add_comment(1001, "Cik maksā?")
    (comment,) = vk.connector.fetch_comments(post_id=post.remote_id).items
    assert comment.external_id == f"{OWNER}_1001_5001" and comment.author.name == "Anna Bērziņa"
    result = vk.connector.reply(
        parent_id=comment.external_id, draft=PostDraft(text="12 €", idempotency_key="r1")
    )
    (request,) = vk.server.requests_to("POST", r"/method/wall\.createComment")
    form = {k: v[0] for k, v in request.form().items()}
    assert (form["reply_to_comment"], form["from_group"], form["guid"]) == ("5001", str(GROUP_ID), "r1")
    assert result.remote_id == f"{OWNER}_1001_5002"
    # our own answer is not read back as a comment to answer
    assert vk.connector.fetch_comments(post_id=post.remote_id, cursor="5001").items == ()


def test_search_uses_the_service_token(vk):
    vk.fake.add_feed_post("Rīgas Grauzdētava ir labākā")
    page = vk.connector.search("Grauzdētava")
    assert [item.kind for item in page.items] == [ItemKind.MENTION]
    assert vk.server.requests_to("POST", r"/method/newsfeed\.search")[0].bearer == SERVICE_TOKEN


def test_metrics(vk):
    post = vk.connector.publish(PostDraft(text="a", idempotency_key="m"))
    metrics = vk.connector.fetch_metrics([post.remote_id])[post.remote_id]
    assert (metrics.likes, metrics.reposts, metrics.replies, metrics.views) == (14, 3, 0, 512)


def test_there_is_no_hide_on_vk(vk):
    assert not vk.connector.supports("hide")


def test_a_draft_without_a_key_is_valid_for_scheduling_and_posts_without_guid(vk):
    draft = PostDraft(
        text="Plānots ieraksts"
    )  # the publishing app validates before a delivery (and key) exists
    assert vk.connector.validate(draft) == []
    vk.connector.publish(draft)
    (request,) = vk.server.requests_to(*PUBLISH_ROUTE)
    assert "guid" not in request.form()
