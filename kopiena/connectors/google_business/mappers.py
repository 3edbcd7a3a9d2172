"""Google Business Profile JSON → our dataclasses (platform JSON never leaves the package)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kopiena.connectors.google_business import constants as api
from kopiena.connectors.types import AccountInfo, AccountRef, ItemKind, PublishResult, RemoteItem


def parse_time(value: str) -> datetime:
    """RFC 3339 with up to nanoseconds and a Z ("2026-12-04T10:00:00.123456789Z") → aware UTC."""
    text = value.strip().replace("Z", "+00:00")
    if "." in text:  # Python takes at most 6 fractional digits
        head, _, rest = text.partition(".")
        digits = "".join(ch for ch in rest if ch.isdigit())
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits) :]}"
    moment = datetime.fromisoformat(text)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def star_rating(review: dict[str, Any]) -> int | None:
    return api.STAR_RATINGS.get(str(review.get("starRating") or ""))


def review_item(review: dict[str, Any]) -> RemoteItem:
    """A review as an inbox item: the reviewer's display name, the stars, answered if it has a reply."""
    reviewer = review.get("reviewer") or {}
    name = "" if reviewer.get("isAnonymous") else str(reviewer.get("displayName") or "")
    rating = star_rating(review)
    return RemoteItem(
        external_id=str(review["name"]),
        kind=ItemKind.COMMENT,
        text=str(review.get("comment") or ""),
        created_at=parse_time(review["createTime"]),
        author=AccountRef(id=f"reviewer:{name}" if name else "reviewer:anonymous", handle=name, name=name),
        # a review stands alone: it starts its own conversation
        thread_id=str(review["name"]),
        # the conversation's subject: the stars first, so a one-star review stands out in the list
        title=(f"{'★' * rating}{'☆' * (5 - rating)} {review.get('comment') or ''}".strip() if rating else ""),
        rating=rating,
        answered=bool((review.get("reviewReply") or {}).get("comment")),
    )


def publish_result(post: dict[str, Any]) -> PublishResult:
    created = post.get("createTime")
    return PublishResult(
        remote_id=str(post["name"]),
        url=str(post.get("searchUrl") or ""),
        published_at=parse_time(created) if created else None,
    )


def reply_result(review_name: str, reply: dict[str, Any]) -> PublishResult:
    updated = reply.get("updateTime")
    # A review has one reply, addressed through the review: its id is the review's reply resource.
    return PublishResult(
        remote_id=f"{review_name}/reply", published_at=parse_time(updated) if updated else None
    )


def location_info(location: dict[str, Any], location_name: str) -> AccountInfo:
    metadata = location.get("metadata") or {}
    return AccountInfo(
        external_id=location_name,
        handle=str(location.get("title") or location_name),
        name=str(location.get("title") or ""),
        url=str(metadata.get("mapsUri") or ""),
    )
