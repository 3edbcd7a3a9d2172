"""Telegram JSON → our types. Remote ids are ``"<chat_id>:<message_id>"`` (message ids are per chat)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kopiena.connectors.types import AccountInfo, AccountRef, ItemKind, PublishResult, RemoteItem


@dataclass(frozen=True)
class Channel:
    """The channel (or group) we publish to, and its linked discussion group, as getChat reports them."""

    id: int
    username: str = ""
    title: str = ""
    discussion_id: int | None = None


def remote_id(chat_id: int | str, message_id: int | str) -> str:
    return f"{chat_id}:{message_id}"


def split_remote_id(value: str) -> tuple[str, int]:
    """``"-100123:45"`` → ``("-100123", 45)``; raises ValueError on anything else."""
    chat, sep, message = value.rpartition(":")
    if not sep or not chat:
        raise ValueError(f"not a Telegram message id: {value!r}")
    return chat, int(message)


def channel_from_chat(chat: dict[str, Any]) -> Channel:
    return Channel(
        id=int(chat["id"]),
        username=chat.get("username") or "",
        title=chat.get("title") or chat.get("first_name") or "",
        discussion_id=chat.get("linked_chat_id"),
    )


def account_info(channel: Channel) -> AccountInfo:
    return AccountInfo(
        external_id=str(channel.id),
        handle=f"@{channel.username}" if channel.username else channel.title or str(channel.id),
        name=channel.title,
        url=f"https://t.me/{channel.username}" if channel.username else "",
    )


def message_url(chat: dict[str, Any], message_id: int) -> str:
    """Public link for a message: t.me/<username>/<id>, or t.me/c/<id>/<id> for private supergroups."""
    if chat.get("username"):
        return f"https://t.me/{chat['username']}/{message_id}"
    chat_id = str(chat.get("id", ""))
    if chat_id.startswith("-100"):
        return f"https://t.me/c/{chat_id[4:]}/{message_id}"
    return ""


def timestamp(epoch: int | float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def publish_result(message: dict[str, Any]) -> PublishResult:
    return PublishResult(
        remote_id=remote_id(message["chat"]["id"], message["message_id"]),
        url=message_url(message["chat"], message["message_id"]),
        published_at=timestamp(message["date"]),
    )


def _author(message: dict[str, Any]) -> AccountRef:
    user = message.get("from") or {}
    sender_chat = message.get("sender_chat")
    if sender_chat:  # someone writing as a channel or an anonymous group admin
        user = {
            "id": sender_chat["id"],
            "username": sender_chat.get("username"),
            "first_name": sender_chat.get("title"),
        }
    username = user.get("username") or ""
    name = " ".join(part for part in (user.get("first_name"), user.get("last_name")) if part)
    return AccountRef(
        id=str(user.get("id", "")),
        handle=f"@{username}" if username else "",
        name=name,
        url=f"https://t.me/{username}" if username else "",
    )


def _thread_of(message: dict[str, Any]) -> str:
    """Our channel post a discussion-group comment belongs to, when Telegram tells us."""
    reply = message.get("reply_to_message") or {}
    origin = reply.get("forward_origin") or {}
    if reply.get("is_automatic_forward") and origin.get("type") == "channel":
        return remote_id(origin["chat"]["id"], origin["message_id"])
    if message.get("message_thread_id"):
        return remote_id(message["chat"]["id"], message["message_thread_id"])
    return ""


def message_to_item(message: dict[str, Any], channel: Channel) -> RemoteItem | None:
    """A message someone wrote where our bot can see it, or ``None`` for what is not for the inbox
    (the automatic copy of our own channel post, service messages, our channel's own posts).

    Kinds: a private chat with the bot is a MESSAGE; in the discussion group a reply (to a channel post
    or to a comment) is a COMMENT; a message naming our @channel is a MENTION; other group chatter is a
    MESSAGE in the group's conversation."""
    chat = message.get("chat") or {}
    if message.get("is_automatic_forward") or (message.get("sender_chat") or {}).get("id") == channel.id:
        return None
    text = message.get("text") or message.get("caption") or ""
    if not text and not any(key in message for key in ("photo", "video", "document", "sticker", "voice")):
        return None  # joins, pins, title changes …
    reply = message.get("reply_to_message") or {}
    chat_id = chat.get("id")
    parent_id = remote_id(chat_id, reply["message_id"]) if reply else ""
    mentioned = bool(channel.username) and f"@{channel.username}".lower() in text.lower()
    if chat.get("type") == "private":
        kind = ItemKind.MESSAGE
    elif reply or message.get("message_thread_id"):
        kind = ItemKind.COMMENT
    elif mentioned:
        kind = ItemKind.MENTION
    else:
        kind = ItemKind.MESSAGE
    return RemoteItem(
        external_id=remote_id(chat_id, message["message_id"]),
        kind=kind,
        text=text,
        created_at=timestamp(message["date"]),
        author=_author(message),
        url=message_url(chat, message["message_id"]),
        parent_id=parent_id,
        # The conversation: our channel post for comments, else the chat itself (a private chat, the group).
        thread_id=_thread_of(message) or parent_id or str(chat_id),
    )


def update_to_item(update: dict[str, Any], channel: Channel) -> RemoteItem | None:
    """The new message in an update (edits keep their first id, so ingest keeps the first text)."""
    for key in ("message", "edited_message"):
        if key in update:
            return message_to_item(update[key], channel)
    return None  # channel_post: our own channel; anything else we did not ask for
