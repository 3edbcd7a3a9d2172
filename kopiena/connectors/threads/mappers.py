"""Threads JSON → our types. Ids are Threads' own (media, reply, container); Threads gives replies'
authors by username only, so the username is the author's id."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from kopiena.connectors.facebook.mappers import parse_time
from kopiena.connectors.types import AccountInfo, AccountRef, ItemKind, Metrics, RemoteItem


def account_info(user: Mapping[str, Any]) -> AccountInfo:
    username = user.get("username", "")
    return AccountInfo(
        external_id=str(user["id"]),
        handle=f"@{username}" if username else str(user["id"]),
        name=user.get("name", "") or username,
        url=f"https://www.threads.net/@{username}" if username else "",
        avatar_url=user.get("threads_profile_picture_url", ""),
        followers_count=user.get("followers_count"),
    )


def author(data: Mapping[str, Any]) -> AccountRef:
    username = data.get("username") or ""
    return AccountRef(
        id=username,
        handle=f"@{username}" if username else "",
        url=f"https://www.threads.net/@{username}" if username else "",
    )


def reply_to_item(reply: Mapping[str, Any], *, post_id: str) -> RemoteItem:
    parent = str((reply.get("replied_to") or {}).get("id") or post_id)
    return RemoteItem(
        external_id=str(reply["id"]),
        kind=ItemKind.COMMENT,
        text=reply.get("text", ""),
        created_at=parse_time(reply["timestamp"]),
        author=author(reply),
        parent_id=parent,
        thread_id=post_id,
        url=reply.get("permalink", ""),
    )


def mention_to_item(media: Mapping[str, Any]) -> RemoteItem:
    return RemoteItem(
        external_id=str(media["id"]),
        kind=ItemKind.MENTION,
        text=media.get("text", ""),
        created_at=parse_time(media["timestamp"]),
        author=author(media),
        url=media.get("permalink", ""),
    )


def insights_metrics(media_id: str, insights: Mapping[str, Any], collected_at: datetime) -> Metrics:
    """Media insights: each metric as ``values[0].value`` (or ``total_value.value``)."""
    values: dict[str, int | None] = {}
    for row in insights.get("data") or ():
        found = (row.get("values") or [{}])[0].get("value")
        if found is None:
            found = (row.get("total_value") or {}).get("value")
        values[row.get("name", "")] = found
    return Metrics(
        remote_id=media_id,
        collected_at=collected_at,
        likes=values.get("likes"),
        replies=values.get("replies"),
        reposts=values.get("reposts"),
        quotes=values.get("quotes"),
        views=values.get("views"),
    )
