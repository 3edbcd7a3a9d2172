"""feedparser entries → RemoteItem mentions, and the compact polling cursor."""

from __future__ import annotations

import calendar
import hashlib
import html
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import nh3

from kopiena.connectors.types import AccountRef, ItemKind, RemoteItem

MAX_TEXT_CHARS = 4000
MAX_CURSOR_CHARS = 255  # integrations.SyncCursor.cursor
MAX_UNDATED_HASHES = 12


def strip_html(value: str) -> str:
    """Feed HTML → plain text (the inbox renders text, never feed HTML)."""
    return " ".join(html.unescape(nh3.clean(value or "", tags=set())).split())


def entry_time(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None


def entry_id(entry: Any) -> str:
    raw = entry.get("id") or entry.get("link") or (entry.get("title", "") + entry.get("published", ""))
    return raw if len(raw) <= 200 else "sha1:" + hashlib.sha1(raw.encode()).hexdigest()  # noqa: S324 - an id, not security


def short_hash(value: str) -> str:
    return hashlib.sha1(value.encode()).hexdigest()[:8]  # noqa: S324 - dedupe key, not security


def remote_item(entry: Any, *, feed: Any, fetched_at: datetime) -> RemoteItem:
    title = strip_html(entry.get("title", ""))
    summary = strip_html(entry.get("summary", ""))
    text = f"{title}\n\n{summary}".strip() if summary and summary != title else title
    author_name = entry.get("author") or feed.get("title") or ""
    return RemoteItem(
        external_id=entry_id(entry),
        kind=ItemKind.MENTION,
        text=text[:MAX_TEXT_CHARS],
        created_at=entry_time(entry) or fetched_at,
        author=AccountRef(
            id=author_name or feed.get("link", ""),
            handle=author_name,
            name=author_name,
            url=feed.get("link", ""),
        ),
        url=entry.get("link", ""),
        language=(entry.get("language") or feed.get("language") or "")[:2],
        title=title,
    )


@dataclass
class FeedCursor:
    """Conditional-GET validators plus where we got to: the newest entry time seen, and short hashes
    of undated entries already seen. Serialised compactly to fit a 255-character cursor column."""

    etag: str = ""
    modified: str = ""
    latest: int = 0  # epoch seconds of the newest dated entry returned
    undated: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, text: str) -> FeedCursor:
        if not text:
            return cls()
        try:
            data = json.loads(text)
        except ValueError:
            return cls()
        return cls(data.get("e", ""), data.get("m", ""), int(data.get("t", 0)), list(data.get("u", [])))

    def dump(self) -> str:
        data: dict[str, Any] = {"t": self.latest, "u": self.undated[-MAX_UNDATED_HASHES:]}
        if self.modified:
            data["m"] = self.modified
        text = json.dumps({**data, "e": self.etag}, separators=(",", ":"))
        if len(text) > MAX_CURSOR_CHARS:  # a huge ETag: Last-Modified alone will have to do
            text = json.dumps(data, separators=(",", ":"))
        return text
