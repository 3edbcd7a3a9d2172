"""Pure helpers of ``items_ingest``: which conversation an incoming item belongs to, how it is stored.

No ORM here, so the rules are easy to read and to test.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from kopiena.connectors.types import ItemKind as RemoteKind
from kopiena.connectors.types import RemoteItem
from kopiena.inbox.models import TEXT_MAX_CHARS, ItemKind

SUBJECT_MAX_CHARS = 120


def without_nul(item: RemoteItem) -> RemoteItem:
    """``item`` with NUL removed from its text fields: PostgreSQL refuses NUL, and one bad item must not
    fail the batch it came in (SQLite would keep it: both databases store the same this way)."""
    fields = {
        name: value.replace("\x00", "")
        for name, value in vars(item).items()
        if isinstance(value, str) and "\x00" in value
    }
    author = {
        name: value.replace("\x00", "")
        for name, value in vars(item.author).items()
        if isinstance(value, str) and "\x00" in value
    }
    if author:
        fields["author"] = replace(item.author, **author)
    return replace(item, **fields) if fields else item


def stored_text(text: str) -> tuple[str, bool]:
    """``text`` capped at TEXT_MAX_CHARS with a visible marker, and whether it was cut."""
    text = text or ""
    if len(text) <= TEXT_MAX_CHARS:
        return text, False
    marker = f"\n… [truncated: {len(text) - TEXT_MAX_CHARS} more characters]"
    return text[:TEXT_MAX_CHARS] + marker, True


def subject_of(text: str) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= SUBJECT_MAX_CHARS else line[: SUBJECT_MAX_CHARS - 1] + "…"


@dataclass(frozen=True)
class Placement:
    """Where an item goes: its kind in the inbox, the conversation root, our post it is under."""

    kind: ItemKind
    root: str
    post: str


def place(item: RemoteItem, known_roots: dict[str, str]) -> Placement:
    """Decide the conversation of ``item``.

    ``known_roots`` maps remote ids of items already stored (or earlier in the batch) to their thread
    root. An answer to a known item joins that item's thread as a REPLY; a message joins the
    conversation with its author; anything else starts a thread rooted at itself.
    """
    post = item.thread_id if item.thread_id and item.thread_id != item.external_id else ""
    if item.kind == RemoteKind.MESSAGE:
        return Placement(ItemKind.DM, f"dm:{item.author.id or item.author.handle}", "")
    if item.parent_id and item.parent_id in known_roots:
        return Placement(ItemKind.REPLY, known_roots[item.parent_id], post)
    kind = ItemKind.MENTION if item.kind == RemoteKind.MENTION else ItemKind.COMMENT
    return Placement(kind, item.external_id, post)


def clock_start(created_at: datetime, now: datetime) -> datetime:
    """The first-response clock runs from when the person wrote, never from the future (skewed clocks)."""
    return min(created_at, now)
