"""Listening fixtures: a local feed server (RSS built per test) and the Mastodon sandbox for search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from kopiena.connectors.http import RATE_LIMITER
from kopiena.connectors.testing import LocalServer, Response

NOW = datetime.now(UTC).replace(microsecond=0)


def rss(entries: list[dict], title: str = "Rīgas ziņas") -> str:
    items = "".join(
        f"<item><title>{e['title']}</title><link>{e['link']}</link><guid>{e.get('guid', e['link'])}</guid>"
        f"<description>{e.get('text', '')}</description>"
        f"<pubDate>{format_datetime(e.get('at', NOW - timedelta(minutes=5)))}</pubDate></item>"
        for e in entries
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://news.example/</link><description>x</description>{items}</channel></rss>"
    )


class FeedServer(LocalServer):
    """Serves ``self.feeds[path]`` with an ETag; answers 304 when the client already has it."""

    def __init__(self):
        super().__init__()
        self.feeds: dict[str, object] = {}  # name → RSS text, bytes, or a handler(request) → Response
        self.route("GET", r"/(?P<name>[\w.\-]+)")(self._feed)

    def _feed(self, request, match):
        body = self.feeds.get(match["name"])
        if body is None:
            return Response.text("not found", status=404)
        if callable(body):  # a handler for odd answers (redirect loops, errors)
            return body(request)
        data = body.encode() if isinstance(body, str) else body
        etag = f'"{hash(data) & 0xFFFFFFFF:x}"'
        if request.headers.get("if-none-match") == etag:
            return Response(304, b"", {"ETag": etag})
        return Response(200, data, {"Content-Type": "application/rss+xml", "ETag": etag})


@pytest.fixture(autouse=True)
def fresh_limits():
    """Rate-limiter keys include primary keys that test databases reuse: no budget leaks between tests."""
    RATE_LIMITER.reset()
    yield
    RATE_LIMITER.reset()


@pytest.fixture
def feeds(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # test servers listen on 127.0.0.1
    with FeedServer() as server:
        yield server
