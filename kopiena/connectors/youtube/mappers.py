"""YouTube JSON → the connector dataclasses (platform JSON never leaves this package)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kopiena.connectors.types import AccountInfo, AccountRef, ItemKind, Metrics, PublishResult, RemoteItem

WATCH_URL = "https://www.youtube.com/watch?v={id}"


def parse_datetime(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None  # hidden counters (e.g. likes hidden by the owner) are simply absent


def account_info(channel: dict[str, Any]) -> AccountInfo:
    snippet = channel.get("snippet") or {}
    statistics = channel.get("statistics") or {}
    handle = snippet.get("customUrl") or channel["id"]
    thumbnails = snippet.get("thumbnails") or {}
    avatar = (thumbnails.get("default") or {}).get("url", "")
    return AccountInfo(
        external_id=channel["id"],
        handle=handle,
        name=snippet.get("title", ""),
        url=f"https://www.youtube.com/channel/{channel['id']}",
        avatar_url=avatar,
        followers_count=None
        if statistics.get("hiddenSubscriberCount")
        else _int(statistics.get("subscriberCount")),
    )


def publish_result(video: dict[str, Any]) -> PublishResult:
    snippet = video.get("snippet") or {}
    published = snippet.get("publishedAt")
    return PublishResult(
        remote_id=video["id"],
        url=WATCH_URL.format(id=video["id"]),
        published_at=parse_datetime(published) if published else None,
    )


def comment_item(comment: dict[str, Any], *, video_id: str) -> RemoteItem:
    """A top-level comment or a reply (``snippet.parentId``) as a COMMENT under ``video_id``."""
    snippet = comment.get("snippet") or {}
    author_id = (snippet.get("authorChannelId") or {}).get("value", "")
    return RemoteItem(
        external_id=comment["id"],
        kind=ItemKind.COMMENT,
        # textOriginal is what the author typed (only the owner of the video or comment gets it);
        # textDisplay is HTML and may be shortened.
        text=snippet.get("textOriginal") or snippet.get("textDisplay") or "",
        created_at=parse_datetime(snippet.get("publishedAt")),
        author=AccountRef(
            id=author_id,
            handle=snippet.get("authorDisplayName", ""),
            name=snippet.get("authorDisplayName", ""),
            url=snippet.get("authorChannelUrl", ""),
        ),
        url=f"{WATCH_URL.format(id=video_id)}&lc={comment['id']}",
        parent_id=snippet.get("parentId") or video_id,
        thread_id=video_id,
    )


def metrics(video: dict[str, Any], *, collected_at: datetime) -> Metrics:
    statistics = video.get("statistics") or {}
    return Metrics(
        remote_id=video["id"],
        collected_at=collected_at,
        likes=_int(statistics.get("likeCount")),
        replies=_int(statistics.get("commentCount")),
        views=_int(statistics.get("viewCount")),
    )
