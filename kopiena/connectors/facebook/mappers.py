"""Graph API JSON → our types (Facebook Pages; Instagram has its own in ``connectors.instagram``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from kopiena.connectors.types import (
    AccountInfo,
    AccountRef,
    ItemKind,
    Metrics,
    Page,
    PublishResult,
    RemoteItem,
)


def parse_time(value: str | int | float) -> datetime:
    """Graph times: ``2026-11-27T09:15:00+0000`` in reads, epoch seconds in webhooks."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000 if value > 1e12 else value, tz=UTC)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)


def page_info(page: Mapping[str, Any]) -> AccountInfo:
    return AccountInfo(
        external_id=str(page["id"]),
        handle=page.get("username") or page.get("name") or str(page["id"]),
        name=page.get("name", ""),
        url=page.get("link") or f"https://www.facebook.com/{page['id']}",
        followers_count=page.get("followers_count"),
    )


def author(person: Mapping[str, Any] | None) -> AccountRef:
    """A commenter. Meta only names people who gave the app permission or are Page admins; others come
    without ``from``, so the author may be anonymous."""
    person = person or {}
    person_id = str(person.get("id", ""))
    return AccountRef(
        id=person_id,
        name=person.get("name", ""),
        url=f"https://www.facebook.com/{person_id}" if person_id else "",
    )


def comment_to_item(comment: Mapping[str, Any], *, post_id: str) -> RemoteItem:
    parent = (comment.get("parent") or {}).get("id") or post_id
    return RemoteItem(
        external_id=str(comment["id"]),
        kind=ItemKind.COMMENT,
        text=comment.get("message", ""),
        created_at=parse_time(comment["created_time"]),
        author=author(comment.get("from")),
        url=comment.get("permalink_url", ""),
        parent_id=str(parent),
        thread_id=post_id,
    )


def post_to_mention(post: Mapping[str, Any]) -> RemoteItem:
    return RemoteItem(
        external_id=str(post["id"]),
        kind=ItemKind.MENTION,
        text=post.get("message", ""),
        created_at=parse_time(post["created_time"]),
        author=author(post.get("from")),
        url=post.get("permalink_url", ""),
    )


def publish_result(post_id: str, *, url: str = "", published_at: datetime | None = None) -> PublishResult:
    return PublishResult(
        remote_id=post_id, url=url or f"https://www.facebook.com/{post_id}", published_at=published_at
    )


def post_metrics(remote_id: str, data: Mapping[str, Any], collected_at: datetime) -> Metrics:
    def summary(edge: str) -> int | None:
        value = (data.get(edge) or {}).get("summary", {}).get("total_count")
        return int(value) if value is not None else None

    return Metrics(
        remote_id=remote_id,
        collected_at=collected_at,
        likes=summary("reactions"),
        replies=summary("comments"),
        # Graph leaves "shares" out of a post that has none; a video has no shares at all.
        reposts=int((data.get("shares") or {}).get("count", 0)) if "_" in remote_id else None,
    )


def newer_than(items: Iterable[RemoteItem], cursor: str) -> Page:
    """Time-cursor paging for edges that are newest-first and take ``since`` (inclusive): the cursor is
    ``"<epoch>|<ids seen at that second>"``, so items of the same second are neither lost nor repeated."""
    since, _, seen_text = cursor.partition("|")
    seen = set(filter(None, seen_text.split(",")))
    fresh = sorted(
        (
            item
            for item in items
            if item.external_id not in seen and (not since or item.created_at.timestamp() >= int(since))
        ),
        key=lambda item: (item.created_at, item.external_id),
    )
    if not fresh:
        return Page(cursor=cursor)
    newest = int(fresh[-1].created_at.timestamp())
    at_newest = [item.external_id for item in fresh if int(item.created_at.timestamp()) == newest]
    if str(newest) == since:
        at_newest += sorted(seen)
    return Page(items=tuple(fresh), cursor=f"{newest}|{','.join(at_newest)}")


def message_to_item(message: Mapping[str, Any]) -> RemoteItem:
    """A Messenger message; the conversation is keyed by the sender's page-scoped id, as in webhooks."""
    sender = message.get("from") or {}
    return RemoteItem(
        external_id=str(message["id"]),
        kind=ItemKind.MESSAGE,
        text=message.get("message", ""),
        created_at=parse_time(message["created_time"]),
        author=author(sender),
        thread_id=f"messenger:{sender.get('id', '')}",
    )
