"""Mastodon JSON entities → our dataclasses (https://docs.joinmastodon.org/entities/)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from kopiena.connectors.types import AccountInfo, AccountRef, ItemKind, Metrics, PublishResult, RemoteItem


class _TextExtractor(HTMLParser):
    """Status HTML → plain text: paragraphs and <br> become newlines, invisible spans vanish."""

    def __init__(self, *, keep_invisible: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._keep_invisible = keep_invisible

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "span" and not self._keep_invisible and ("invisible" in classes or self._hidden):
            self._hidden += 1
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def html_to_text(content: str, *, keep_invisible: bool = False) -> str:
    """Plain text of status HTML. Mastodon shortens shown links with invisible spans; pass
    ``keep_invisible=True`` to get the full URLs back (needed to compare with what we sent)."""
    if "<" not in content:
        return html.unescape(content)
    parser = _TextExtractor(keep_invisible=keep_invisible)
    parser.feed(content)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()


def parse_datetime(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def account_info(data: dict[str, Any]) -> AccountInfo:
    return AccountInfo(
        external_id=str(data["id"]),
        handle=data.get("acct") or data.get("username", ""),
        name=data.get("display_name") or data.get("username", ""),
        url=data.get("url") or "",
        avatar_url=data.get("avatar") or "",
        followers_count=data.get("followers_count"),
    )


def account_ref(data: dict[str, Any], *, is_follower: bool | None = None) -> AccountRef:
    return AccountRef(
        id=str(data["id"]),
        handle=data.get("acct") or data.get("username", ""),
        name=data.get("display_name") or data.get("username", ""),
        url=data.get("url") or "",
        is_follower=is_follower,
        followers_count=data.get("followers_count"),
    )


def publish_result(status: dict[str, Any]) -> PublishResult:
    return PublishResult(
        remote_id=str(status["id"]),
        url=status.get("url") or status.get("uri") or "",
        published_at=parse_datetime(status.get("created_at")),
    )


def status_text(status: dict[str, Any]) -> str:
    text = html_to_text(status.get("content") or "")
    warning = status.get("spoiler_text") or ""
    return f"[{warning}] {text}" if warning else text


def remote_item(
    status: dict[str, Any], *, kind: ItemKind, thread_id: str = "", is_follower: bool | None = None
) -> RemoteItem:
    return RemoteItem(
        external_id=str(status["id"]),
        kind=kind,
        text=status_text(status),
        created_at=parse_datetime(status.get("created_at")),
        author=account_ref(status["account"], is_follower=is_follower),
        url=status.get("url") or status.get("uri") or "",
        parent_id=str(status.get("in_reply_to_id") or ""),
        thread_id=thread_id,
        language=status.get("language") or "",
        edited_at=parse_datetime(status["edited_at"]) if status.get("edited_at") else None,
    )


def metrics(status: dict[str, Any], *, collected_at: datetime) -> Metrics:
    return Metrics(
        remote_id=str(status["id"]),
        collected_at=collected_at,
        likes=status.get("favourites_count"),
        reposts=status.get("reblogs_count"),
        replies=status.get("replies_count"),
        quotes=status.get("quotes_count"),
    )


def id_key(remote_id: str) -> tuple[int, str]:
    """Order Mastodon ids: numeric snowflakes compare as numbers, anything else by length then text."""
    return (len(remote_id), remote_id)
