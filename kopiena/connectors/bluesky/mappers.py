"""Bluesky lexicon objects (postView, notification, profileView) → our dataclasses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kopiena.connectors.types import AccountInfo, AccountRef, ItemKind, Metrics, RemoteItem

# listNotifications reasons we read, and what they are for the inbox.
REASON_KINDS = {"reply": ItemKind.COMMENT, "mention": ItemKind.MENTION, "quote": ItemKind.MENTION}


def parse_datetime(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def indexed_at(view: dict[str, Any]) -> datetime:
    return parse_datetime(view.get("indexedAt") or (view.get("record") or {}).get("createdAt"))


def split_uri(uri: str) -> tuple[str, str, str]:
    """``at://did/collection/rkey`` → (did, collection, rkey)."""
    repo, collection, rkey = uri.removeprefix("at://").split("/", 2)
    return repo, collection, rkey


def web_url(uri: str, handle: str = "") -> str:
    repo, _, rkey = split_uri(uri)
    return f"https://bsky.app/profile/{handle or repo}/post/{rkey}"


def account_info(profile: dict[str, Any]) -> AccountInfo:
    return AccountInfo(
        external_id=profile["did"],
        handle=profile["handle"],
        name=profile.get("displayName") or profile["handle"],
        url=f"https://bsky.app/profile/{profile['handle']}",
        avatar_url=profile.get("avatar") or "",
        followers_count=profile.get("followersCount"),
    )


def account_ref(author: dict[str, Any]) -> AccountRef:
    viewer = author.get("viewer")
    return AccountRef(
        id=author["did"],
        handle=author.get("handle", ""),
        name=author.get("displayName") or author.get("handle", ""),
        url=f"https://bsky.app/profile/{author.get('handle') or author['did']}",
        is_follower=bool(viewer.get("followedBy")) if isinstance(viewer, dict) else None,
    )


def _item(uri: str, record: dict[str, Any], author: dict[str, Any], moment: datetime, *, kind: ItemKind,
          thread_id: str = "") -> RemoteItem:  # fmt: skip
    reply = record.get("reply") or {}
    langs = record.get("langs") or [""]
    return RemoteItem(
        external_id=uri,
        kind=kind,
        text=record.get("text", ""),
        created_at=moment,
        author=account_ref(author),
        url=web_url(uri, author.get("handle", "")),
        parent_id=(reply.get("parent") or {}).get("uri", ""),
        thread_id=thread_id or (reply.get("root") or {}).get("uri", ""),
        language=langs[0][:2],
    )


def remote_item(post: dict[str, Any], *, kind: ItemKind, thread_id: str = "") -> RemoteItem:
    """A postView (thread reply, search hit)."""
    return _item(post["uri"], post.get("record") or {}, post["author"], indexed_at(post), kind=kind,
                 thread_id=thread_id)  # fmt: skip


def notification_item(notification: dict[str, Any]) -> RemoteItem:
    return _item(notification["uri"], notification.get("record") or {}, notification["author"],
                 indexed_at(notification), kind=REASON_KINDS[notification["reason"]])  # fmt: skip


def flatten_replies(thread: dict[str, Any]) -> list[dict[str, Any]]:
    """Every post below a threadViewPost (blocked/not-found placeholders skipped)."""
    found: list[dict[str, Any]] = []
    stack = list(thread.get("replies") or [])
    while stack:
        node = stack.pop()
        if "post" in node:
            found.append(node["post"])
            stack += node.get("replies") or []
    return found


def metrics(post: dict[str, Any], *, collected_at: datetime) -> Metrics:
    return Metrics(
        remote_id=post["uri"],
        collected_at=collected_at,
        likes=post.get("likeCount"),
        reposts=post.get("repostCount"),
        replies=post.get("replyCount"),
        quotes=post.get("quoteCount"),
    )
