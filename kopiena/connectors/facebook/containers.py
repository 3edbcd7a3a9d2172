"""Meta's two-step publishing through media containers, shared by Instagram and Threads.

A container is made first (``POST /{user}/media`` or ``/{user}/threads``), processed by Meta (video takes
a while) and then published (``…/media_publish`` / ``…/threads_publish``). Both APIs report a container's
progress with the same codes, under different field names; and both list the account's recent posts, which
is how a publish whose answer was lost is found again (reconciliation) without publishing twice.
https://developers.facebook.com/docs/instagram-platform/content-publishing
https://developers.facebook.com/docs/threads/posts
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kopiena.connectors import errors
from kopiena.connectors.facebook.connector import RECONCILE_WINDOW_SECONDS
from kopiena.connectors.facebook.mappers import parse_time
from kopiena.connectors.types import PublishResult

# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-container#fields
FINISHED = "FINISHED"
PUBLISHED = "PUBLISHED"
ERROR = "ERROR"
EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class ContainerFields:
    """Where a platform puts a container's code and its explanation."""

    platform: str  # for messages: "Instagram", "Threads"
    code: str  # "status_code" (Instagram), "status" (Threads)
    words: str  # "status" (Instagram), "error_message" (Threads)

    @property
    def query(self) -> str:
        return f"{self.code},{self.words}"


def container_code(status: Mapping[str, Any], fields: ContainerFields) -> str:
    return str(status.get(fields.code) or "")


def wait_until_finished(
    read_status: Callable[[], Mapping[str, Any]], fields: ContainerFields, *, attempts: int, interval: float
) -> None:
    """Poll the container until it can be published; refused media raise ContentRejected, media still
    processing after ``attempts`` raise TransientError (nothing was published: it is safe to try again)."""
    for attempt in range(attempts):
        status = read_status()
        code = container_code(status, fields)
        if code in (FINISHED, PUBLISHED):
            return
        if code in (ERROR, EXPIRED):
            words = str(status.get(fields.words) or code)
            raise errors.ContentRejected(
                f"{fields.platform} could not process the media: {words}", platform_message=words
            )
        if attempt + 1 < attempts:
            time.sleep(interval)
    raise errors.TransientError(
        f"{fields.platform} is still processing the media; nothing was published yet."
    )


def recent_post_with_text(
    posts: Iterable[Mapping[str, Any]], *, text_field: str, text: str
) -> PublishResult | None:
    """The account's post published within the reconciliation window whose text is ``text``."""
    now = datetime.now(UTC)
    for post in posts:
        created = parse_time(post["timestamp"])
        recent = (now - created).total_seconds() <= RECONCILE_WINDOW_SECONDS
        if recent and str(post.get(text_field) or "").strip() == text.strip():
            return PublishResult(
                remote_id=str(post["id"]), url=post.get("permalink", ""), published_at=created
            )
    return None
