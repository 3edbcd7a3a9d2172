"""Telegram connector against a local fake of the Bot API (payloads from tests/connectors/fixtures/telegram)."""

from __future__ import annotations

import email
import json
import logging
import uuid
from pathlib import Path

import httpx
import pytest

from kopiena.connectors.errors import AccountDisconnected, ConnectorError, OutcomeUnknown, RateLimited
from kopiena.connectors.telegram.client import TelegramHttpClient
from kopiena.connectors.telegram.connector import TelegramConnector
from kopiena.connectors.testing import LocalServer, Response
from kopiena.connectors.types import (
    AccountCredentials,
    ItemKind,
    MediaItem,
    Poll,
    PostDraft,
    Visibility,
)
from tests.connectors.contract import READ_TIMEOUT_SECONDS, ConnectorContract, ContractHarness

FIXTURES = Path(__file__).parent / "fixtures" / "telegram"
BOT_TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
CHANNEL_ID = -1001111111111
GROUP_ID = -1002222222222
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SEND_ROUTE = ("POST", r"/bot[^/]+/sendMessage")


def fixture(name: str):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def form_of(request) -> tuple[dict, dict]:
    """(fields, files) of a JSON or multipart Bot API request."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        return request.json(), {}
    message = email.message_from_bytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.body)
    fields, files = {}, {}
    for part in message.get_payload():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename():
            files[name] = (part.get_filename(), part.get_payload(decode=True), part.get_content_type())
        else:
            value = part.get_payload(decode=True).decode()
            fields[name] = json.loads(value) if value[:1] in "[{" else value
    return fields, files


class FakeTelegram:
    """Just enough Bot API: a channel, its discussion group, an update queue with offset semantics."""

    def __init__(self, server: LocalServer, token: str = BOT_TOKEN):
        self.token = token
        self.sent: list[dict] = []
        self.deleted: list[tuple] = []
        self.updates: list[dict] = []
        self.next_message_id = 501
        self.next_update_id = 900000001
        server.add("POST", r"/bot(?P<token>[^/]+)/(?P<method>\w+)", self.handle)

    def handle(self, request, match):
        if match["token"] != self.token:
            return Response.json(fixture("error_unauthorized"), 401)
        fields, files = form_of(request)
        method = match["method"]
        if method == "getMe":
            return Response.json(fixture("get_me"))
        if method == "getChat":
            return Response.json(fixture("get_chat"))
        if method == "getChatMemberCount":  # https://core.telegram.org/bots/api#getchatmembercount
            return Response.json({"ok": True, "result": 1342})
        if method == "getUpdates":
            offset = int(fields.get("offset") or 0)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]  # confirmed ones are gone
            return Response.json({"ok": True, "result": self.updates[: int(fields.get("limit", 100))]})
        if method == "deleteMessage":
            self.deleted.append((fields["chat_id"], fields["message_id"]))
            return Response.json({"ok": True, "result": True})
        if method == "sendMediaGroup":
            messages = [self._message(fields, item, files) for item in fields["media"]]
            return Response.json({"ok": True, "result": messages})
        if method in ("sendMessage", "sendPhoto", "sendVideo", "sendPoll"):
            return Response.json({"ok": True, "result": self._message(fields, None, files, method=method)})
        return Response.json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    def _message(self, fields, album_item, files, method=""):
        chat = fixture("get_chat")["result"] if fields["chat_id"] in ("@grauzdetava", CHANNEL_ID) else None
        chat = chat or {
            "id": int(fields["chat_id"]),
            "type": "supergroup",
            "title": "Grauzdētava — diskusijas",
        }
        message = {"message_id": self.next_message_id, "chat": chat, "date": 1795000000}
        self.next_message_id += 1
        if album_item is not None:
            message["caption"] = album_item.get("caption", "")
        elif method == "sendPoll":
            message["poll"] = {"question": fields["question"], "options": fields["options"]}
        elif files:
            message["caption"] = fields.get("caption", "")
        else:
            message["text"] = fields["text"]
        self.sent.append(
            {"method": method or "sendMediaGroup", "fields": fields, "files": files, "message": message}
        )
        return message

    def add_update(self, message: dict) -> None:
        self.updates.append({"update_id": self.next_update_id, "message": message})
        self.next_update_id += 1

    def add_group_message(self, text: str, *, reply_to_post: int | None = None) -> None:
        message = {
            "message_id": 7000 + self.next_update_id % 1000,
            "from": {"id": 42424242, "is_bot": False, "first_name": "Anna", "username": "anna_b"},
            "chat": {"id": GROUP_ID, "title": "Grauzdētava — diskusijas", "type": "supergroup"},
            "date": 1795000300,
            "text": text,
        }
        if reply_to_post is not None:
            message["reply_to_message"] = {
                "message_id": 7001,
                "chat": message["chat"],
                "date": 1795000001,
                "is_automatic_forward": True,
                "forward_origin": {
                    "type": "channel",
                    "chat": {"id": CHANNEL_ID},
                    "message_id": reply_to_post,
                },
            }
        self.add_update(message)


def telegram_test_http(server: LocalServer, credentials: AccountCredentials) -> TelegramHttpClient:
    """Like contract.make_test_http, with the Telegram client that allows the token in the path."""
    return TelegramHttpClient(
        bot_token=credentials.secret("bot_token"),
        base_url=server.base_url,
        account_key=f"test-telegram-{uuid.uuid4()}",
        secrets=credentials.secret_values(),
        allow_loopback=True,
        timeout=httpx.Timeout(5.0, read=READ_TIMEOUT_SECONDS),
        backoff_seconds=0.0,
        burst=1000,
        rate_per_second=1000.0,
    )


class TelegramHarness(ContractHarness):
    fake: FakeTelegram

    def invalid_draft(self) -> PostDraft:
        return PostDraft(text="x" * 5000, visibility=Visibility.DIRECT, idempotency_key="k")

    def add_mention(self, text: str) -> None:
        self.fake.add_group_message(f"@grauzdetava {text}")


@pytest.fixture
def telegram():
    with LocalServer() as server:
        fake = FakeTelegram(server)
        credentials = AccountCredentials(
            {"bot_token": BOT_TOKEN, "chat_id": "@grauzdetava"}, base_url=server.base_url
        )
        connector = TelegramConnector(credentials, http=telegram_test_http(server, credentials))
        harness = TelegramHarness(
            connector=connector, server=server, secrets=[BOT_TOKEN], publish_route=SEND_ROUTE
        )
        harness.fake = fake
        yield harness


class TestTelegramContract(ConnectorContract):
    @pytest.fixture
    def harness(self, telegram):
        return telegram

    def test_no_secret_in_logs_errors_or_repr(self, harness, caplog):
        """Replaces the shared test's last check: the Bot API only accepts the token as the ``/bot<token>/``
        path segment, so there (and only there) it must appear; everything else stays clean."""
        caplog.set_level(logging.DEBUG)
        # Another test in the same process may have quietened httpx (kopiena run does below -v 2).
        caplog.set_level(logging.DEBUG, logger="httpx")
        seen = [repr(harness.connector), repr(harness.connector.credentials), repr(harness.connector.http)]
        harness.primary_call()
        harness.server.fail_next(
            *SEND_ROUTE, status=401, body={"ok": False, "description": f"token {BOT_TOKEN} bad"}
        )
        with pytest.raises(ConnectorError) as caught:
            harness.primary_call()
        seen += [str(caught.value), repr(caught.value), caught.value.platform_message]
        harness.server.hang_next(*SEND_ROUTE)
        with pytest.raises(OutcomeUnknown) as caught:
            harness.connector.publish(harness.valid_draft())
        seen.append(str(caught.value))
        seen += [record.getMessage() for record in caplog.records]
        text = "\n".join(seen) + caplog.text
        assert BOT_TOKEN not in text
        assert any("HTTP Request" in record.getMessage() for record in caplog.records)  # httpx did log
        for request in harness.server.requests:
            assert request.path.startswith(f"/bot{BOT_TOKEN}/")
            assert BOT_TOKEN not in request.path[len(f"/bot{BOT_TOKEN}/") :]
            assert BOT_TOKEN not in str(request.query) and BOT_TOKEN.encode() not in request.body


def test_verify_resolves_the_channel_and_its_discussion_group(telegram):
    info = telegram.connector.verify()
    assert (info.external_id, info.handle, info.url) == (
        str(CHANNEL_ID),
        "@grauzdetava",
        "https://t.me/grauzdetava",
    )
    assert telegram.connector.channel().discussion_id == GROUP_ID


def test_text_post_is_sent_once_with_link_and_silently(telegram):
    draft = PostDraft(
        text="Jauna kafija", link="https://grauzdetava.lv/kafija", visibility=Visibility.UNLISTED
    )
    result = telegram.connector.publish(draft)
    sent = telegram.fake.sent[-1]["fields"]
    assert sent["text"] == "Jauna kafija\nhttps://grauzdetava.lv/kafija"
    assert sent["disable_notification"] is True
    assert result.remote_id == f"{CHANNEL_ID}:501" and result.url == "https://t.me/grauzdetava/501"
    assert result.published_at.tzinfo is not None


def test_photo_album_and_poll(telegram):
    photo = MediaItem(PNG, mime="image/png", filename="cup.png")
    single = telegram.connector.publish(PostDraft(text="Viena bilde", media=(photo,)))
    assert telegram.fake.sent[-1]["method"] == "sendPhoto"
    assert telegram.fake.sent[-1]["files"]["photo"][1] == PNG
    album = telegram.connector.publish(PostDraft(text="Albums", media=(photo, photo, photo)))
    fields = telegram.fake.sent[-1]["fields"]
    assert [m["media"] for m in fields["media"]] == ["attach://file0", "attach://file1", "attach://file2"]
    assert fields["media"][0]["caption"] == "Albums" and "caption" not in fields["media"][1]
    assert album.remote_id != single.remote_id
    telegram.connector.publish(
        PostDraft(text="Kur pavadīsiet vasaru?", poll=Poll(options=("Jūrmalā", "Siguldā")))
    )
    assert telegram.fake.sent[-1]["fields"]["options"] == [{"text": "Jūrmalā"}, {"text": "Siguldā"}]


def test_validate_caption_poll_and_type_limits(telegram):
    video = MediaItem(b"x", mime="application/zip", filename="a.zip")
    problems = telegram.connector.validate(
        PostDraft(text="y" * 1100, media=(video,), poll=Poll(options=("a",)))
    )
    codes = {(p.field, p.code) for p in problems}
    assert {("text", "caption_too_long"), ("media[0]", "bad_type"), ("poll", "poll_with_media"),
            ("poll", "too_few_options")} <= codes  # fmt: skip


def test_updates_become_comments_mentions_and_messages(telegram):
    for update in fixture("get_updates")["result"]:
        telegram.fake.add_update(update["message"])
    page = telegram.connector.fetch_mentions()
    comment, mention = page.items  # the automatic forward of our own post is skipped
    assert comment.kind == ItemKind.COMMENT and comment.text == "Cik maksā kilograms?"
    assert comment.thread_id == f"{CHANNEL_ID}:501" and comment.parent_id == f"{GROUP_ID}:7001"
    assert comment.author.handle == "@anna_b" and comment.created_at.tzinfo is not None
    assert mention.kind == ItemKind.MENTION and mention.author.name == "Иван"
    assert page.cursor == "900000004"
    assert telegram.connector.fetch_mentions(cursor=page.cursor).items == ()


def test_reply_goes_to_the_discussion_group_as_a_reply(telegram):
    telegram.fake.add_group_message("Cik maksā?", reply_to_post=501)
    item = telegram.connector.fetch_mentions().items[0]
    result = telegram.connector.reply(parent_id=item.external_id, draft=PostDraft(text="12 € par kg"))
    fields = telegram.fake.sent[-1]["fields"]
    assert fields["chat_id"] == str(GROUP_ID)
    assert fields["reply_parameters"]["message_id"] == int(item.external_id.split(":")[1])
    assert result.remote_id.startswith(f"{GROUP_ID}:")


def test_delete_is_for_spam_and_uses_the_message_chat(telegram):
    telegram.connector.delete(f"{GROUP_ID}:7005")
    assert telegram.fake.deleted == [(str(GROUP_ID), 7005)]


def test_rate_limit_from_the_body_pauses_the_account(telegram):
    telegram.server.fail_next(*SEND_ROUTE, status=429, body=fixture("error_too_many_requests"))
    with pytest.raises(RateLimited) as caught:
        telegram.connector.publish(PostDraft(text="a"))
    assert caught.value.retry_after_seconds == 17
    with pytest.raises(RateLimited):
        telegram.connector.publish(PostDraft(text="b"))
    assert telegram.server.count(*SEND_ROUTE) == 1


def test_kicked_bot_is_a_disconnected_account_with_telegrams_words(telegram):
    telegram.server.fail_next(*SEND_ROUTE, status=403, body=fixture("error_forbidden"))
    with pytest.raises(AccountDisconnected) as caught:
        telegram.connector.publish(PostDraft(text="a"))
    assert "bot was kicked" in str(caught.value)


def test_token_in_a_query_string_is_still_refused(telegram):
    with pytest.raises(ConnectorError):
        telegram.connector.http.get(telegram.server.url(f"/bot{BOT_TOKEN}/getMe?again={BOT_TOKEN}"))
    assert telegram.server.requests == []
