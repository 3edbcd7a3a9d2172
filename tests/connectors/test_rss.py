"""RSS/Atom connector against a local feed server."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

import pytest

from kopiena.connectors.errors import AddressNotAllowed, PermanentError
from kopiena.connectors.rss import RssConnector
from kopiena.connectors.testing import LocalServer, Response
from kopiena.connectors.types import AccountCredentials, ItemKind
from tests.connectors.contract import ConnectorContract, ContractHarness, make_test_http

PASSWORD = "feed-pass-7Yq2"
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


class FeedServer:
    """Serves /feed.xml (RSS 2.0) and /atom.xml with ETag/Last-Modified and 304s."""

    def __init__(self, server: LocalServer):
        self.server = server
        self.entries: list[dict] = []
        server.add("GET", r"/feed.xml", self.rss)
        server.add("GET", r"/atom.xml", self.atom)

    def add(self, title: str, summary: str = "", *, dated: bool = True) -> None:
        n = len(self.entries) + 1
        when = START + timedelta(hours=n) if dated else None
        self.entries.append(
            {"id": f"https://news.example.lv/raksts/{n}", "title": title, "summary": summary, "when": when}
        )

    def _conditional(self, request, body: str, content_type: str) -> Response:
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'
        dated = [e["when"] for e in self.entries if e["when"]]
        modified = format_datetime(max(dated) if dated else START, usegmt=True)
        if request.headers.get("if-none-match") == etag:
            return Response(304, b"", {"ETag": etag, "Last-Modified": modified})
        return Response(
            200, body.encode(), {"Content-Type": content_type, "ETag": etag, "Last-Modified": modified}
        )

    def rss(self, request, match) -> Response:
        items = "".join(
            f"<item><guid>{e['id']}</guid><title>{escape(e['title'])}</title><link>{e['id']}</link>"
            f"<description>{escape(e['summary'])}</description>"
            + (f"<pubDate>{format_datetime(e['when'], usegmt=True)}</pubDate>" if e["when"] else "")
            + "<author>redakcija@news.example.lv (Redakcija)</author></item>"
            for e in reversed(self.entries)
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Rīgas Ziņas</title>'
            f"<link>https://news.example.lv/</link><language>lv</language>{items}</channel></rss>"
        )
        return self._conditional(request, body, "application/rss+xml; charset=utf-8")

    def atom(self, request, match) -> Response:
        entries = "".join(
            f'<entry><id>{e["id"]}</id><title>{escape(e["title"])}</title><link href="{e["id"]}"/>'
            f'<updated>{e["when"].isoformat()}</updated><summary type="html">{escape(e["summary"])}</summary>'
            "<author><name>Anna</name></author></entry>"
            for e in self.entries
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Kafijas blogs</title><id>urn:x</id><updated>{START.isoformat()}</updated>{entries}</feed>"
        )
        return self._conditional(request, body, "application/atom+xml")


class RssHarness(ContractHarness):
    feed: FeedServer = None
    undecodable_read_error = PermanentError  # "… is not a readable RSS/Atom feed", said at once

    @property
    def primary_route(self):
        return ("GET", r"/feed.xml")

    def add_mention(self, text: str) -> None:
        self.feed.add(text, "<p>Par <b>kafiju</b> Rīgā</p>")


@pytest.fixture
def server():
    with LocalServer() as server:
        yield server


@pytest.fixture
def feed(server):
    return FeedServer(server)


def rss_for(server, path="/feed.xml", secrets=None) -> RssConnector:
    credentials = AccountCredentials(secrets or {}, base_url=server.url(path))
    return RssConnector(credentials, http=make_test_http(server, credentials, base_url=server.url(path)))


class TestRssContract(ConnectorContract):
    @pytest.fixture
    def harness(self, server, feed):
        harness = RssHarness(
            connector=rss_for(server, secrets={"username": "kopiena", "password": PASSWORD}),
            server=server,
            secrets=[PASSWORD],
        )
        harness.feed = feed
        return harness


def test_items_are_mentions_with_text_not_html(server, feed):
    feed.add("Jauna kafejnīca Vecrīgā", "<p>Atvērta <script>alert(1)</script><b>šodien</b> &amp; rīt</p>")
    item = rss_for(server).fetch_mentions().items[0]
    assert item.kind == ItemKind.MENTION and item.title == "Jauna kafejnīca Vecrīgā"
    assert item.text == "Jauna kafejnīca Vecrīgā\n\nAtvērta šodien & rīt"
    assert item.url == "https://news.example.lv/raksts/1" and item.created_at == START + timedelta(hours=1)
    assert item.language == "lv" and "Redakcija" in item.author.name


def test_conditional_get_uses_etag_and_304(server, feed):
    feed.add("Viens")
    rss = rss_for(server)
    first = rss.fetch_mentions()
    again = rss.fetch_mentions(cursor=first.cursor)
    assert again.items == () and again.cursor == first.cursor
    last = server.requests_to("GET", r"/feed.xml")[-1]
    assert last.headers["if-none-match"].startswith('"') and "if-modified-since" in last.headers
    assert len(first.cursor) <= 255


def test_atom_feed(server, feed):
    feed.add("Pirmais", "<i>ievads</i>")
    feed.add("Otrais")
    page = rss_for(server, "/atom.xml").fetch_mentions()
    assert [i.title for i in page.items] == ["Pirmais", "Otrais"]
    assert page.items[0].author.name == "Anna"


def test_undated_entries_are_seen_once(server, feed):
    feed.add("Bez datuma", dated=False)
    rss = rss_for(server)
    first = rss.fetch_mentions()
    assert [i.title for i in first.items] == ["Bez datuma"]
    feed.add("Ar datumu")
    assert [i.title for i in rss.fetch_mentions(cursor=first.cursor).items] == ["Ar datumu"]


@pytest.mark.parametrize(
    "body",
    [b"<html><body>Not a feed</body></html>", b"", b"\x00\x01\x02 garbage", b'{"json": true}'],
)
def test_malformed_feed_is_a_clear_error(server, body):
    server.add("GET", r"/bad.xml", lambda r, m: Response(200, body, {"Content-Type": "text/html"}))
    with pytest.raises(PermanentError, match="not a readable RSS/Atom feed"):
        rss_for(server, "/bad.xml").fetch_mentions()


def test_broken_xml_that_still_has_entries_is_read(server):
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>Ok</title><guid>1</guid></item><item><title>Cut'
    server.add("GET", r"/cut.xml", lambda r, m: Response(200, body, {"Content-Type": "application/rss+xml"}))
    assert "Ok" in [i.title for i in rss_for(server, "/cut.xml").fetch_mentions().items]


def test_private_feed_addresses_are_refused():
    for url in (
        "http://127.0.0.1:9/feed",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:10.0.0.1]/x",
    ):
        with pytest.raises(AddressNotAllowed):
            RssConnector(AccountCredentials(base_url=url)).fetch_mentions()
