"""Instagram Graph JSON → our types. Ids are Instagram's own (media, comment, container)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from kopiena.connectors.facebook.mappers import parse_time
from kopiena.connectors.types import AccountInfo, AccountRef, ItemKind, Metrics, RemoteItem


def account_info(user: Mapping[str, Any]) -> AccountInfo:
    username = user.get("username", "")
    return AccountInfo(
        external_id=str(user["id"]),
        handle=f"@{username}" if username else str(user["id"]),
        name=user.get("name", ""),
        url=f"https://www.instagram.com/{username}/" if username else "",
        avatar_url=user.get("profile_picture_url", ""),
        followers_count=user.get("followers_count"),
    )


def author(data: Mapping[str, Any]) -> AccountRef:
    person = data.get("from") or {}
    username = person.get("username") or data.get("username") or ""
    return AccountRef(
        id=str(person.get("id", "")),
        handle=f"@{username}" if username else "",
        url=f"https://www.instagram.com/{username}/" if username else "",
    )


def comment_to_item(comment: Mapping[str, Any], *, media_id: str, parent_id: str = "") -> RemoteItem:
    return RemoteItem(
        external_id=str(comment["id"]),
        kind=ItemKind.COMMENT,
        text=comment.get("text", ""),
        created_at=parse_time(comment["timestamp"]),
        author=author(comment),
        parent_id=parent_id or media_id,
        thread_id=media_id,
    )


def flatten_comments(comments, *, media_id: str) -> Iterator[RemoteItem]:
    """Comments and their replies (``replies{…}`` expanded in the same request)."""
    for comment in comments:
        yield comment_to_item(comment, media_id=media_id)
        for reply in (comment.get("replies") or {}).get("data") or ():
            yield comment_to_item(reply, media_id=media_id, parent_id=str(comment["id"]))


def media_to_mention(media: Mapping[str, Any]) -> RemoteItem:
    return RemoteItem(
        external_id=str(media["id"]),
        kind=ItemKind.MENTION,
        text=media.get("caption", ""),
        created_at=parse_time(media["timestamp"]),
        author=author(media),
        url=media.get("permalink", ""),
    )


def insights_metrics(media_id: str, insights: Mapping[str, Any], collected_at: datetime) -> Metrics:
    values = {row["name"]: (row.get("values") or [{}])[0].get("value") for row in insights.get("data") or ()}
    return Metrics(
        remote_id=media_id,
        collected_at=collected_at,
        likes=values.get("likes"),
        replies=values.get("comments"),
        reposts=values.get("shares"),
        bookmarks=values.get("saved"),
        views=values.get("views"),
    )
