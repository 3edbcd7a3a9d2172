"""Telegram channel (or group) through a bot: publish, read the discussion group, reply, delete spam.

Credentials: ``bot_token`` (from @BotFather) and ``chat_id`` (``@channel`` or the numeric id); the bot
must be an administrator of the channel and a member of its linked discussion group (where comments live).

What Telegram does not have, and what we do instead:

* No idempotency key: a timeout after ``send*`` is :class:`OutcomeUnknown` (raised by the HTTP client and
  never retried), and bots cannot list a channel's history, so there is no reconciliation: a person checks.
* No per-post comment listing: the Bot API has ONE update stream per bot (``getUpdates``, or the webhook),
  and confirming an offset drops earlier updates for everyone. So comments, mentions and messages all come
  from :meth:`fetch_mentions` (kind COMMENT with ``thread_id`` = our post, MENTION, MESSAGE); ingest
  dedupes on ``external_id``. READ_COMMENTS is therefore not declared.
* No hiding: deleting is the only moderation, and our policy uses it for spam only (never for negative
  comments) — the inbox decides when ``delete`` may be called.
* Visibility UNLISTED means a silent post (``disable_notification``): subscribers get no sound.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from kopiena.connectors import errors
from kopiena.connectors.base import ConnectKind, Connector
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.http import HttpClient, retry_after_seconds
from kopiena.connectors.telegram import constants as c
from kopiena.connectors.telegram import mappers, webhooks
from kopiena.connectors.telegram.client import TelegramApi, TelegramHttpClient
from kopiena.connectors.types import (
    AccountCredentials,
    AccountInfo,
    AccountStats,
    Limits,
    Page,
    PostDraft,
    PublishResult,
    ValidationProblem,
    Visibility,
    WebhookEvent,
)


class TelegramConnector(Connector):
    key = "telegram"
    name = "Telegram"
    capabilities = frozenset(
        {
            Capability.ACCOUNT_STATS,
            Capability.PUBLISH,
            Capability.PUBLISH_MEDIA,
            Capability.POLLS,
            Capability.THREADS,
            Capability.VISIBILITY,
            Capability.READ_MENTIONS,
            Capability.REPLY,
            Capability.DELETE,
            Capability.WEBHOOKS,
        }
    )
    limits = Limits(
        max_text_length=c.MAX_TEXT_CHARS,
        max_media=c.MAX_ALBUM_ITEMS,
        max_image_bytes=c.MAX_PHOTO_BYTES,
        max_video_bytes=c.MAX_VIDEO_BYTES,
        media_mime_types=c.PHOTO_TYPES | c.VIDEO_TYPES,
        max_poll_options=c.MAX_POLL_OPTIONS,
        max_poll_option_length=c.MAX_POLL_OPTION_CHARS,
    )
    connect = ConnectKind.TOKEN
    credential_fields: ClassVar[tuple[str, ...]] = ("bot_token", "chat_id")
    default_base_url = c.DEFAULT_BASE_URL
    docs_url = "https://core.telegram.org/bots/api"
    # https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this — about 20 messages a
    # minute into one group/channel.
    requests_per_second = 1.0
    burst = 20

    def __init__(
        self,
        credentials: AccountCredentials,
        *,
        http: HttpClient | None = None,
        allow_loopback: bool = False,
        allow_private: bool = False,
    ):
        bot_token = credentials.secret("bot_token")
        if http is None:
            base_url = (credentials.base_url or self.default_base_url).rstrip("/")
            http = TelegramHttpClient(
                bot_token=bot_token,
                base_url=base_url,
                account_key=credentials.account_key or f"{self.key}:{credentials.secret('chat_id')}",
                secrets=[bot_token],  # the chat id is an address, not a secret
                allow_loopback=allow_loopback,
                allow_private=allow_private,
                rate_per_second=self.requests_per_second,
                burst=self.burst,
            )
        super().__init__(credentials, http=http, allow_loopback=allow_loopback, allow_private=allow_private)
        self.api = TelegramApi(self.http, bot_token=bot_token)
        self._channel: mappers.Channel | None = None

    # Errors ---------------------------------------------------------------------------------
    def map_error(self, response: httpx.Response, words: str):
        try:
            body = response.json()
        except ValueError:
            body = None
        parameters = (body.get("parameters") if isinstance(body, dict) else None) or {}
        status = response.status_code
        details = {"platform_message": words, "status": status}
        if status == 429 or "retry_after" in parameters:
            # https://core.telegram.org/bots/api#responseparameters — retry_after in the body, not a header.
            wait = parameters.get("retry_after") or retry_after_seconds(response.headers) or 60
            self.http.rate_limiter.block(self.http.account_key, float(wait))
            return errors.RateLimited(f"Telegram asks to wait: {words}", retry_after_seconds=wait, **details)
        if status == 403 or (status == 400 and "chat not found" in words.lower()):
            return errors.AccountDisconnected(f"The bot cannot reach the chat any more: {words}", **details)
        if status == 409:  # a webhook is set while we poll, or two pollers compete
            return errors.PermanentError(f"Telegram refused: {words}", **details)
        return None

    # Account --------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        self.api.call(c.GET_ME)
        return mappers.account_info(self.channel())

    def channel(self) -> mappers.Channel:
        """The configured chat as Telegram describes it (numeric id, username, discussion group)."""
        if self._channel is None:
            chat = self.api.call(c.GET_CHAT, {"chat_id": self.credentials.secret("chat_id")})
            self._channel = mappers.channel_from_chat(chat)
        return self._channel

    def fetch_account_stats(self) -> AccountStats:
        """The channel's subscribers (getChatMemberCount); the Bot API gives no following or posts count."""
        count = self.api.call(c.GET_CHAT_MEMBER_COUNT, {"chat_id": self.credentials.secret("chat_id")})
        return AccountStats(collected_at=datetime.now(UTC), followers=int(count))

    # Publishing -----------------------------------------------------------------------------
    def text_as_sent(self, draft: PostDraft) -> str:
        return _text_of(draft)

    def text_length(self, draft: PostDraft) -> int:
        return len(_text_of(draft))

    def validate(self, draft: PostDraft) -> list[ValidationProblem]:
        problems = super().validate(draft)
        text = _text_of(draft)
        if draft.media and len(text) > c.MAX_CAPTION_CHARS:
            problems.append(
                ValidationProblem(
                    "text", "caption_too_long",
                    f"With media the text is a caption: {len(text)} characters; the limit is {c.MAX_CAPTION_CHARS}.",
                    c.MAX_CAPTION_CHARS,
                )
            )  # fmt: skip
        if draft.poll is not None:
            if draft.media:
                problems.append(ValidationProblem("poll", "poll_with_media", "A poll cannot carry media."))
            if draft.link:
                problems.append(ValidationProblem("link", "poll_with_link", "A poll cannot carry a link."))
            if not draft.text.strip():
                problems.append(ValidationProblem("text", "empty", "The poll needs a question."))
            elif len(draft.text) > c.MAX_POLL_QUESTION_CHARS:
                problems.append(
                    ValidationProblem(
                        "text", "question_too_long",
                        f"The poll question is limited to {c.MAX_POLL_QUESTION_CHARS} characters.",
                        c.MAX_POLL_QUESTION_CHARS,
                    )
                )  # fmt: skip
        if draft.visibility in (Visibility.FOLLOWERS, Visibility.DIRECT):
            problems.append(
                ValidationProblem(
                    "visibility", "unsupported", "Telegram posts are public, or silent (unlisted) at most."
                )
            )
        if draft.reply_to and not _is_remote_id(draft.reply_to):
            problems.append(ValidationProblem("reply_to", "invalid", "Not a Telegram message id."))
        return problems

    def publish(self, draft: PostDraft) -> PublishResult:
        self.ensure_valid(draft)
        reply_to = mappers.split_remote_id(draft.reply_to)[1] if draft.reply_to else None
        return self._send(self.credentials.secret("chat_id"), draft, reply_to=reply_to)

    def delete(self, remote_id: str) -> None:
        """Delete a message (our own post, or spam in the discussion group — never a negative comment)."""
        chat_id, message_id = _split(remote_id)
        self.api.call(c.DELETE_MESSAGE, {"chat_id": chat_id, "message_id": message_id})

    # Engaging -------------------------------------------------------------------------------
    def reply(self, *, parent_id: str, draft: PostDraft) -> PublishResult:
        self.ensure_valid(draft)
        chat_id, message_id = _split(parent_id)
        return self._send(chat_id, draft, reply_to=message_id)

    def _send(self, chat_id: str, draft: PostDraft, *, reply_to: int | None) -> PublishResult:
        common: dict[str, Any] = {"chat_id": chat_id}
        if draft.visibility == Visibility.UNLISTED:
            common["disable_notification"] = True
        if reply_to is not None:
            common["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
        text = _text_of(draft)
        if draft.poll is not None:
            message = self.api.call(
                c.SEND_POLL,
                {
                    **common,
                    "question": draft.text,
                    "options": [{"text": option} for option in draft.poll.options],
                    "allows_multiple_answers": draft.poll.multiple,
                },
            )
        elif len(draft.media) == 1:
            item = draft.media[0]
            field, method = (
                ("video", c.SEND_VIDEO) if item.mime_type.startswith("video/") else ("photo", c.SEND_PHOTO)
            )
            payload = {**common, "caption": text} if text else common
            message = self.api.call(
                method, payload, files={field: (item.name, item.read_bytes(), item.mime_type)}
            )
        elif draft.media:
            media, files = [], {}
            for index, item in enumerate(draft.media):
                name = f"file{index}"
                entry = {
                    "type": "video" if item.mime_type.startswith("video/") else "photo",
                    "media": f"attach://{name}",
                }
                if index == 0 and text:
                    entry["caption"] = text  # the album's caption is the first item's
                media.append(entry)
                files[name] = (item.name, item.read_bytes(), item.mime_type)
            message = self.api.call(c.SEND_MEDIA_GROUP, {**common, "media": media}, files=files)[0]
        else:
            message = self.api.call(c.SEND_MESSAGE, {**common, "text": text})
        return mappers.publish_result(message)

    # Reading --------------------------------------------------------------------------------
    def fetch_mentions(self, *, cursor: str = "") -> Page:
        """Everything new in the bot's update stream: comments, mentions and messages (see module doc).
        The cursor is the next ``update_id``; passing it confirms (drops) earlier updates at Telegram."""
        channel = self.channel()
        payload: dict[str, Any] = {
            "limit": c.UPDATES_LIMIT,
            "timeout": 0,
            "allowed_updates": list(c.ALLOWED_UPDATES),
        }
        if cursor:
            payload["offset"] = int(cursor)
        updates = self.api.call(c.GET_UPDATES, payload)
        items = tuple(item for update in updates if (item := mappers.update_to_item(update, channel)))
        next_cursor = str(max(u["update_id"] for u in updates) + 1) if updates else cursor
        return Page(items=items, cursor=next_cursor, has_more=len(updates) >= c.UPDATES_LIMIT)

    # Webhooks -------------------------------------------------------------------------------
    def verify_webhook(self, *, headers: Mapping[str, str], body: bytes, secret: str) -> bool:
        return webhooks.verify(headers, secret=secret)

    def parse_webhook(self, *, headers: Mapping[str, str], body: bytes) -> list[WebhookEvent]:
        return webhooks.parse(body, self.channel())


def _text_of(draft: PostDraft) -> str:
    """The text as sent: the link appended when the text does not already contain it."""
    if draft.link and draft.link not in draft.text:
        return f"{draft.text}\n{draft.link}" if draft.text else draft.link
    return draft.text


def _is_remote_id(value: str) -> bool:
    try:
        mappers.split_remote_id(value)
    except ValueError:
        return False
    return True


def _split(remote_id: str) -> tuple[str, int]:
    try:
        return mappers.split_remote_id(remote_id)
    except ValueError:
        raise errors.PermanentError(f"Not a Telegram message id: {remote_id!r}") from None
