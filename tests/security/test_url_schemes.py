"""Issue 9 item 6: addresses from platforms (item and author URLs, an RSS entry's link, a published post's
URL) become links only when they are http(s): normalised at ingest, and checked again where rendered."""

from __future__ import annotations

import dataclasses

import pytest
from django.template import Context, Template

from kopiena.connectors.rss.mappers import remote_item
from kopiena.connectors.types import AccountRef
from kopiena.core.clock import now
from kopiena.core.weblinks import safe_web_url
from kopiena.inbox.models import Item, Thread
from kopiena.inbox.services import items_ingest
from tests.api.conftest import api_client  # noqa: F401 - the shared fixture
from tests.inbox.conftest import account, remote  # noqa: F401

pytestmark = pytest.mark.django_db

EVIL = [
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    " \tjavascript:alert(1)",
    "java\nscript:alert(1)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "javascript&#58;alert(1)",
    "javascript&colon;alert(1)",
    "&#106;avascript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "VbScRiPt:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    "/relative/path",
    "http:javascript:alert(1)",
    "https://[bad",
]
GOOD = ["https://social.example/@a1/1", "http://blog.example.lv/raksts?id=1&x=2", "HTTPS://Example.org/"]


@pytest.mark.parametrize("value", EVIL)
def test_only_web_addresses_pass(value):
    assert safe_web_url(value) == ""


@pytest.mark.parametrize("value", GOOD)
def test_web_addresses_are_kept(value):
    assert safe_web_url(value) == value


def _evil_remote(n: int, url: str):
    item = remote(f"e{n}", "Sveiki")
    return dataclasses.replace(
        item, url=url, author=AccountRef(id="x", handle="@x", name="X", url=url, is_follower=False)
    )


def test_ingest_drops_non_web_addresses(account):  # noqa: F811
    items_ingest(account=account, remote_items=[_evil_remote(n, url) for n, url in enumerate(EVIL)])
    stored = list(Item.objects.values_list("url", "author_url"))
    assert len(stored) == len(EVIL)
    assert all(url == "" and author == "" for url, author in stored), stored


def test_an_rss_entry_link_is_dropped_at_ingest(account):  # noqa: F811
    entry = {"id": "tag:1", "title": "Kafija", "link": "javascript:alert(1)"}
    feed = {"title": "Blogs", "link": "vbscript:msgbox(1)"}
    items_ingest(account=account, remote_items=[remote_item(entry, feed=feed, fetched_at=now())])
    item = Item.objects.get()
    assert item.url == "" and item.author_url == ""


@pytest.mark.parametrize("value", EVIL)
def test_the_template_filter(value):
    rendered = Template('{% load weblinks %}<a href="{{ url|web_url }}">').render(Context({"url": value}))
    assert rendered == '<a href="">'


def test_rows_stored_before_the_check_render_without_the_link(login, owner, workspace, account):  # noqa: F811
    items_ingest(account=account, remote_items=[remote("c1", "Sveiki")])
    Item.objects.update(url="javascript:alert(1)", author_url="JaVaScRiPt:alert(2)")
    thread = Thread.objects.get()
    page = login(owner).get(f"/w/{workspace.slug}/inbox/{thread.pk}/").content.decode()
    assert "alert(1)" not in page and "alert(2)" not in page
    assert "Person a1" in page  # the author is still shown, as text


def test_the_api_gives_no_non_web_address(api_client, owner, workspace, account):  # noqa: F811
    items_ingest(account=account, remote_items=[remote("c1", "Sveiki")])
    Item.objects.update(url="javascript:alert(1)")
    items = api_client(owner, workspace).get("/inbox/items").json()
    assert [i["url"] for i in items] == [""]
