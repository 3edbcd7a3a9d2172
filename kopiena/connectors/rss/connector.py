"""RSS and Atom feeds (parsed by feedparser, fetched by our guarded client) as listening mentions.

Conditional GET (``If-None-Match``/``If-Modified-Since``) keeps polling cheap; the SSRF guard
applies to the feed URL and every redirect; a feed that cannot be parsed is reported with a clear
message (PermanentError), never a crash.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import feedparser

from kopiena.connectors.base import ConnectKind, Connector
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.errors import PermanentError
from kopiena.connectors.rss.mappers import FeedCursor, entry_id, entry_time, remote_item, short_hash
from kopiena.connectors.types import AccountInfo, Page

MAX_FEED_BYTES = 5 * 1024 * 1024
ACCEPT = "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.7, */*;q=0.1"


class RssConnector(Connector):
    key = "rss"
    name = "RSS / Atom"
    docs_url = (
        "https://www.rfc-editor.org/rfc/rfc4287"  # Atom; RSS 2.0: https://www.rssboard.org/rss-specification
    )
    connect = ConnectKind.URL
    credential_fields = ("username", "password")  # optional HTTP Basic auth for private feeds
    capabilities = frozenset({Capability.READ_MENTIONS, Capability.FEEDS})
    follow_redirects = True
    requests_per_second = 0.5
    burst = 5

    def _headers(self, cursor: FeedCursor | None = None) -> dict[str, str]:
        headers = {"Accept": ACCEPT}
        username, password = self.credentials.secret("username"), self.credentials.secret("password")
        if username or password:
            token = base64.b64encode(f"{username}:{password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        if cursor is not None:
            if cursor.etag:
                headers["If-None-Match"] = cursor.etag
            if cursor.modified:
                headers["If-Modified-Since"] = cursor.modified
        return headers

    def _parse(self, response) -> feedparser.FeedParserDict:
        if len(response.content) > MAX_FEED_BYTES:
            raise PermanentError(f"The feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB.")
        if b"<!ENTITY" in response.content[:65536].upper():
            # Feeds have no use for entity declarations; they are how "billion laughs" expansion bombs and
            # external-entity reads work, so such a document is refused before any XML parser sees it.
            raise PermanentError(f"{response.url} declares XML entities; Kopiena does not read such feeds.")
        parsed = feedparser.parse(
            response.content,
            response_headers={
                "content-location": str(response.url),
                "content-type": response.headers.get("content-type", "application/xml"),
            },
        )
        looks_like_feed = parsed.get("version") or parsed.entries or parsed.feed.get("title")
        if not looks_like_feed:
            reason = parsed.get("bozo_exception") or "no RSS or Atom content found"
            raise PermanentError(f"{response.url} is not a readable RSS/Atom feed: {reason}")
        return parsed

    def verify(self) -> AccountInfo:
        response = self.http.get(self.base_url, headers=self._headers(), max_bytes=MAX_FEED_BYTES)
        feed = self._parse(response).feed
        title = feed.get("title") or str(response.url)
        return AccountInfo(external_id=str(response.url), handle=title, name=title, url=feed.get("link", ""))

    def fetch_mentions(self, *, cursor: str = "") -> Page:
        """New entries since ``cursor``, oldest first. Entries are new when dated after the newest
        one seen (or, undated, not seen before)."""
        state = FeedCursor.load(cursor)
        response = self.http.get(
            self.base_url, headers=self._headers(state), ok_statuses=(304,), max_bytes=MAX_FEED_BYTES
        )
        if response.status_code == 304:
            return Page(cursor=cursor)
        parsed = self._parse(response)
        fetched_at = datetime.now(UTC)
        fresh, undated = [], []
        for entry in parsed.entries:
            moment = entry_time(entry)
            if moment is not None:
                if int(moment.timestamp()) > state.latest:
                    fresh.append(entry)
                continue
            seen_key = short_hash(entry_id(entry))
            if seen_key not in state.undated:
                fresh.append(entry)
                undated.append(seen_key)
        items = sorted(
            (remote_item(e, feed=parsed.feed, fetched_at=fetched_at) for e in fresh),
            key=lambda i: i.created_at,
        )
        dated = [int(t.timestamp()) for e in parsed.entries if (t := entry_time(e))]
        next_state = FeedCursor(
            etag=response.headers.get("etag", ""),
            modified=response.headers.get("last-modified", ""),
            latest=max([state.latest, *dated]),
            undated=state.undated + undated,
        )
        return Page(items=tuple(items), cursor=next_state.dump())
