"""Facebook Page connector against a local fake of the Graph API (payloads from fixtures/facebook)."""

from __future__ import annotations

import base64
import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kopiena.connectors.errors import (
    AccountDisconnected,
    AuthExpired,
    ContentRejected,
    RateLimited,
    TransientError,
)
from kopiena.connectors.facebook import oauth
from kopiena.connectors.facebook.connector import FacebookConnector
from kopiena.connectors.testing import LocalServer, Response
from kopiena.connectors.types import AccountCredentials, MediaItem, PostDraft
from tests.connectors.contract import ConnectorContract, ContractHarness, make_test_http
from tests.connectors.test_telegram import form_of

FIXTURES = Path(__file__).parent / "fixtures" / "facebook"
TOKEN = "EAAGm0PX4ZCpsBAPageTokenZm9vYmFyYmF6cXV4"
APP_SECRET = "f00dfacecafebeef0123456789abcdef"
PAGE_ID = "104000000000001"
V = r"/v21\.0"
PUBLISH_ROUTE = ("POST", rf"{V}/{PAGE_ID}/feed")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def fixture(name: str):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def graph_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def cursor_for(index: int) -> str:
    return base64.b64encode(str(index).encode()).decode()


class FakeGraph:
    """A Page with posts, photos, comments, tagged posts — Graph shapes, in-memory state."""

    def __init__(self, server: LocalServer):
        self.posts: dict[str, dict] = {}
        self.comments: dict[str, list[dict]] = {}
        self.tagged: list[dict] = []
        self.hidden: dict[str, bool] = {}
        self.conversations: dict[str, list[dict]] = {}  # PSID → messages, newest first (as Graph lists them)
        self.sent_messages: list[dict] = []
        self.ids = itertools.count(900000000000001)
        self.clock = itertools.count()
        server.add("GET", rf"{V}/(?P<path>.*)", self.get)
        server.add("POST", rf"{V}/(?P<path>.*)", self.post)

    def now(self) -> str:  # strictly increasing seconds, ending around now
        return graph_time(datetime.now(UTC) - timedelta(seconds=600) + timedelta(seconds=next(self.clock)))

    def _denied(self, request):
        if request.bearer != TOKEN:
            return Response.json(fixture("error_expired"), 400)
        proof = request.query.get("appsecret_proof", [""])[0]
        if not proof:
            return Response.json(
                {
                    "error": {
                        "message": "API calls from the server require an appsecret_proof argument",
                        "code": 100,
                    }
                },
                400,
            )
        return None

    def get(self, request, match):
        if denied := self._denied(request):
            return denied
        path = match["path"]
        if path == PAGE_ID:
            return Response.json(fixture("page"))
        if path == f"{PAGE_ID}/published_posts":
            return Response.json(
                {"data": sorted(self.posts.values(), key=lambda p: p["created_time"], reverse=True)}
            )
        if path == f"{PAGE_ID}/tagged":
            since = int(request.arg("since") or 0)
            data = [
                p
                for p in self.tagged
                if datetime.strptime(p["created_time"], "%Y-%m-%dT%H:%M:%S%z").timestamp() >= since
            ]
            return Response.json({"data": list(reversed(data))})
        if path.endswith("/comments"):
            comments = self.comments.get(path.removesuffix("/comments"), [])
            after = int(base64.b64decode(request.arg("after")).decode()) + 1 if request.arg("after") else 0
            page = comments[after:]
            paging = (
                {"cursors": {"before": cursor_for(after), "after": cursor_for(after + len(page) - 1)}}
                if page
                else {}
            )
            return Response.json({"data": page, "paging": paging})
        if path == f"{PAGE_ID}/conversations":
            data = [
                {"id": f"t_{psid}", "messages": {"data": msgs}} for psid, msgs in self.conversations.items()
            ]
            return Response.json({"data": data})
        if path.startswith("m_"):
            psid = next(p for p, msgs in self.conversations.items() if any(m["id"] == path for m in msgs))
            return Response.json({"id": path, "from": {"id": psid, "name": "Anna Bērziņa"}})
        if path == "":
            wanted = request.arg("ids").split(",")
            if "shares" in request.arg("fields") and any("_" not in pid for pid in wanted):
                return Response.json(
                    {"error": {"message": "(#100) Tried accessing nonexisting field (shares)", "code": 100}},
                    400,
                )
            return Response.json(
                {pid: fixture("post_metrics") | {"id": pid} for pid in wanted if pid in self.posts}
            )
        return Response.json(
            {"error": {"message": "Unsupported get request.", "code": 100, "error_subcode": 33}}, 400
        )

    def post(self, request, match):
        if denied := self._denied(request):
            return denied
        path = match["path"]
        multipart = "multipart" in request.headers.get("content-type", "")
        fields = form_of(request)[0] if multipart else {k: v[0] for k, v in request.form().items()}
        if path == f"{PAGE_ID}/feed":
            post_id = self.add_post(fields.get("message", ""))
            self.posts[post_id]["attached"] = sorted(
                v for k, v in fields.items() if k.startswith("attached_media")
            )
            return Response.json({"id": post_id})
        if path == f"{PAGE_ID}/photos":
            photo_id = str(next(self.ids))
            if fields.get("published") == "false":
                return Response.json({"id": photo_id})
            return Response.json({"id": photo_id, "post_id": self.add_post(fields.get("caption", ""))})
        if path == f"{PAGE_ID}/videos":
            return Response.json({"id": self.add_post(fields.get("description", ""), prefix="")})
        if path == f"{PAGE_ID}/messages":
            self.sent_messages.append(fields)
            return Response.json(
                {"recipient_id": json.loads(fields["recipient"])["id"], "message_id": "m_reply1"}
            )
        if path.endswith("/comments"):
            return Response.json(
                {"id": self.add_comment(path.removesuffix("/comments"), fields["message"], PAGE_ID)}
            )
        if "is_hidden" in fields:
            self.hidden[path] = fields["is_hidden"] == "true"
            return Response.json({"success": True})
        return Response.json({"error": {"message": "Unknown path components", "code": 2500}}, 400)

    def add_post(self, message: str, *, prefix: str = f"{PAGE_ID}_") -> str:
        post_id = f"{prefix}{next(self.ids)}"
        self.posts[post_id] = {"id": post_id, "message": message, "created_time": self.now(),
                               "permalink_url": f"https://www.facebook.com/{post_id}"}  # fmt: skip
        return post_id

    def add_comment(self, object_id: str, text: str, author_id: str = "5550000000000001") -> str:
        comment_id = f"{object_id.split('_')[-1]}_{next(self.ids)}"
        self.comments.setdefault(object_id, []).append(
            {"id": comment_id, "message": text, "created_time": self.now(),
             "from": {"id": author_id, "name": "Anna Bērziņa"}, "is_hidden": False}
        )  # fmt: skip
        return comment_id

    def add_message(self, psid: str, text: str) -> str:
        message_id = f"m_{next(self.ids)}"
        self.conversations.setdefault(psid, []).insert(
            0,
            {
                "id": message_id,
                "message": text,
                "created_time": self.now(),
                "from": {"id": psid, "name": "Anna"},
            },
        )
        return message_id

    def add_tagged(self, text: str) -> None:
        self.tagged.append({"id": f"5550000000000007_{next(self.ids)}", "message": text, "created_time": self.now(),
                            "from": {"id": "5550000000000007", "name": "Līga Ozola"}})  # fmt: skip


class FacebookHarness(ContractHarness):
    fake: FakeGraph

    def invalid_draft(self) -> PostDraft:
        photo = MediaItem(PNG, mime="image/png", filename="cup.png")
        return PostDraft(text="x" * 63207, media=(photo,), link="https://grauzdetava.lv", idempotency_key="k")

    def add_comment(self, post_id: str, text: str) -> None:
        self.fake.add_comment(post_id, text)

    def add_mention(self, text: str) -> None:
        self.fake.add_tagged(f"@Rīgas Grauzdētava {text}")


@pytest.fixture
def facebook():
    with LocalServer() as server:
        fake = FakeGraph(server)
        secrets = {"access_token": TOKEN, "page_id": PAGE_ID, "app_secret": APP_SECRET}
        credentials = AccountCredentials(secrets, base_url=server.base_url)
        http = make_test_http(server, credentials, secrets=[TOKEN, APP_SECRET])  # the page id is no secret
        connector = FacebookConnector(credentials, http=http)
        harness = FacebookHarness(
            connector=connector, server=server, secrets=[TOKEN, APP_SECRET], publish_route=PUBLISH_ROUTE
        )
        harness.fake = fake
        yield harness


class TestFacebookContract(ConnectorContract):
    @pytest.fixture
    def harness(self, facebook):
        return facebook


def test_token_only_in_the_header_and_the_proof_is_a_keyed_hash(facebook):
    facebook.connector.verify()
    (request,) = facebook.server.requests
    assert request.bearer == TOKEN
    assert TOKEN not in str(request.query) and APP_SECRET not in str(request.query)
    assert len(request.query["appsecret_proof"][0]) == 64


def test_photo_album_uploads_unpublished_photos_then_one_feed_post(facebook):
    photo = MediaItem(PNG, mime="image/png", filename="cup.png", alt_text="Krūze")
    result = facebook.connector.publish(PostDraft(text="Albums", media=(photo, photo)))
    post = facebook.fake.posts[result.remote_id]
    assert post["message"] == "Albums" and len(post["attached"]) == 2
    assert facebook.server.count("POST", rf"{V}/{PAGE_ID}/photos") == 2


def test_single_photo_returns_the_post_id(facebook):
    photo = MediaItem(PNG, mime="image/png", filename="cup.png")
    result = facebook.connector.publish(PostDraft(text="Viena", media=(photo,)))
    assert result.remote_id.startswith(f"{PAGE_ID}_")


def test_lost_answer_for_an_unpublished_photo_is_transient_and_no_post_is_made(facebook):
    facebook.server.hang_next("POST", rf"{V}/{PAGE_ID}/photos")
    photo = MediaItem(PNG, mime="image/png", filename="cup.png")
    with pytest.raises(TransientError):
        facebook.connector.publish(PostDraft(text="Albums", media=(photo, photo)))
    assert facebook.server.count(*PUBLISH_ROUTE) == 0


def test_reconcile_ignores_an_old_post_with_the_same_text(facebook):
    facebook.fake.posts["old"] = {"id": "old", "message": "Nedēļas piedāvājums",
                                  "created_time": graph_time(datetime.now(UTC) - timedelta(days=7))}  # fmt: skip
    assert facebook.connector.find_published(PostDraft(text="Nedēļas piedāvājums")) is None


@pytest.mark.parametrize(
    ("name", "error", "words"),
    [
        ("error_expired", AuthExpired, "has expired on Friday"),
        ("error_revoked", AccountDisconnected, "has not authorized application"),
        ("error_duplicate", ContentRejected, "This status update is identical to the last one you posted."),
    ],
)
def test_graph_errors_map_to_the_taxonomy_with_metas_words(facebook, name, error, words):
    facebook.server.fail_next(*PUBLISH_ROUTE, status=400, body=fixture(name))
    with pytest.raises(error) as caught:
        facebook.connector.publish(PostDraft(text="a"))
    assert words in str(caught.value)


def test_page_rate_limit_waits_as_long_as_meta_says(facebook):
    usage = {PAGE_ID: [{"type": "pages", "call_count": 100, "total_cputime": 20, "total_time": 30,
                        "estimated_time_to_regain_access": 7}]}  # fmt: skip
    facebook.server.fail_next(
        *PUBLISH_ROUTE,
        status=400,
        body=fixture("error_rate"),
        headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
    )
    with pytest.raises(RateLimited) as caught:
        facebook.connector.publish(PostDraft(text="a"))
    assert caught.value.retry_after_seconds == 7 * 60
    with pytest.raises(RateLimited):
        facebook.connector.verify()
    assert len(facebook.server.requests) == 1


def test_nearly_spent_app_quota_pauses_before_meta_throttles(facebook):
    usage = {"X-App-Usage": json.dumps({"call_count": 96, "total_time": 20, "total_cputime": 10})}
    facebook.server.fail_next("GET", rf"{V}/{PAGE_ID}/tagged", status=200, headers=usage, body={"data": []})
    facebook.connector.fetch_mentions()
    with pytest.raises(RateLimited):
        facebook.connector.verify()


def test_reply_hide_and_unhide_a_comment(facebook):
    post = facebook.connector.publish(PostDraft(text="Jauna kafija"))
    facebook.fake.add_comment(post.remote_id, "Briesmīga kafija!")
    (comment,) = facebook.connector.fetch_comments(post_id=post.remote_id).items
    answer = facebook.connector.reply(
        parent_id=comment.external_id, draft=PostDraft(text="Žēl! Uzrakstiet mums.")
    )
    facebook.connector.hide(comment.external_id)
    assert facebook.fake.hidden == {comment.external_id: True}
    facebook.connector.unhide(comment.external_id)
    assert facebook.fake.hidden == {comment.external_id: False}
    assert answer.remote_id in {c["id"] for c in facebook.fake.comments[comment.external_id]}


def test_a_comment_reply_cannot_carry_media(facebook):
    photo = MediaItem(PNG, mime="image/png", filename="cup.png")
    with pytest.raises(ContentRejected):
        facebook.connector.reply(parent_id="1_2", draft=PostDraft(text="a", media=(photo,)))
    assert facebook.server.requests == []


def test_metrics_from_reactions_comments_and_shares(facebook):
    post = facebook.connector.publish(PostDraft(text="a"))
    video = facebook.connector.publish(
        PostDraft(text="v", media=(MediaItem(b"\x00", mime="video/mp4", filename="v.mp4"),))
    )
    metrics = facebook.connector.fetch_metrics([post.remote_id, video.remote_id])
    assert (
        metrics[post.remote_id].likes,
        metrics[post.remote_id].replies,
        metrics[post.remote_id].reposts,
    ) == (21, 2, 4)
    assert metrics[video.remote_id].reposts is None and metrics[video.remote_id].likes == 21
    assert facebook.server.count("GET", rf"{V}/") == 2  # posts and videos in separate batches


def test_messenger_messages_are_read_with_a_cursor_and_answered_in_messenger(facebook):
    facebook.fake.add_message("6100000000000001", "Vai varu pasūtīt uz mājām?")
    facebook.fake.add_message("6100000000000002", "Есть ли доставка?")
    first = facebook.connector.fetch_messages()
    assert [item.text for item in first.items] == ["Vai varu pasūtīt uz mājām?", "Есть ли доставка?"]
    assert first.items[0].thread_id == "messenger:6100000000000001"
    assert facebook.connector.fetch_messages(cursor=first.cursor).items == ()
    facebook.fake.add_message("6100000000000001", "Paldies!")
    (later,) = facebook.connector.fetch_messages(cursor=first.cursor).items
    result = facebook.connector.reply(parent_id=later.external_id, draft=PostDraft(text="Jā, piegādājam!"))
    (sent,) = facebook.fake.sent_messages
    assert (
        json.loads(sent["recipient"]) == {"id": "6100000000000001"} and sent["messaging_type"] == "RESPONSE"
    )
    assert json.loads(sent["message"]) == {"text": "Jā, piegādājam!"} and result.remote_id == "m_reply1"


def test_a_messenger_answer_after_24_hours_is_refused_not_a_disconnect(facebook):
    message_id = facebook.fake.add_message("6100000000000001", "Sveiki")
    window = {"error": {"message": "(#10) This message is sent outside of allowed window.", "code": 10,
                        "error_subcode": 2018278}}  # fmt: skip
    facebook.server.fail_next("POST", rf"{V}/{PAGE_ID}/messages", status=400, body=window)
    with pytest.raises(ContentRejected) as caught:
        facebook.connector.reply(parent_id=message_id, draft=PostDraft(text="Atvainojiet par kavēšanos"))
    assert "outside of allowed window" in str(caught.value)


def test_meta_login_flow_gives_page_tokens_without_secrets_in_urls(caplog):
    user_tokens = {"code-123": "short-user-token-aaaa", "short-user-token-aaaa": "long-user-token-bbbb"}
    with LocalServer() as server:

        def token(request, match):
            form = {k: v[0] for k, v in request.form().items()}
            assert form["client_secret"] == APP_SECRET and form["client_id"] == "42"
            given = form.get("code") or form["fb_exchange_token"]
            return Response.json({"access_token": user_tokens[given], "token_type": "bearer"})

        def accounts(request, match):
            assert request.bearer == "long-user-token-bbbb"
            return Response.json({"data": [{"id": PAGE_ID, "name": "Rīgas Grauzdētava", "access_token": TOKEN,
                                            "instagram_business_account": {"id": "17841400000000001",
                                                                           "username": "grauzdetava"}}]})  # fmt: skip

        server.add("POST", rf"{V}/oauth/access_token", token)
        server.add("GET", rf"{V}/me/accounts", accounts)
        app = oauth.MetaApp("42", APP_SECRET, redirect_uri="https://kopiena.example.lv/cb")
        http = make_test_http(server, AccountCredentials())
        url = oauth.authorize_url(app, state="s1")
        assert url.startswith("https://www.facebook.com/v21.0/dialog/oauth?") and "pages_manage_posts" in url
        assert APP_SECRET not in url
        user_token = oauth.exchange_code(http, app, code="code-123")
        (page,) = oauth.managed_pages(http, user_token=user_token)
        assert (page.id, page.access_token, page.instagram_id) == (PAGE_ID, TOKEN, "17841400000000001")
        assert TOKEN not in repr(page) and APP_SECRET not in repr(app)
        for request in server.requests:
            assert APP_SECRET not in str(request.query) and "user-token" not in str(request.query)
    for secret in (APP_SECRET, TOKEN, "long-user-token-bbbb"):
        assert secret not in caplog.text
