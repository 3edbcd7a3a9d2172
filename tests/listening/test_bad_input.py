"""Bad input: each gives the source a clear error, nothing crashes the run, nothing stored is lost, and the
other sources keep going."""

from __future__ import annotations

import pytest

from kopiena.connectors.testing import Response
from kopiena.integrations.services import account_connect_checked
from kopiena.listening import runner
from kopiena.listening.models import ListeningSource, Mention, SourceCursor
from kopiena.listening.services import query_create
from kopiena.listening.source_services import source_feed_create, source_search_create
from kopiena.sandbox import start_sandbox
from tests.listening.conftest import NOW, rss

pytestmark = pytest.mark.django_db

GOOD = rss([{"title": "Kafija Rīgā", "link": "https://news.example/good", "text": "Laba kafija"}])
LATER = rss([
    {"title": "Kafija Rīgā", "link": "https://news.example/good", "text": "Laba kafija"},
    {"title": "Vēl kafija", "link": "https://news.example/later", "text": "Vēl viena kafija", "at": NOW},
])  # fmt: skip
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    '<rss version="2.0"><channel><title>&lol3;</title><item><title>kafija &lol3;</title>'
    "<link>https://bomb.example/1</link></item></channel></rss>"
)


def run_all():
    ListeningSource.objects.update(next_attempt_at=None)
    return runner.sources_run()


@pytest.fixture
def setup(owner_access, feeds):
    """A working feed (already read once: one stored mention) next to the bad one the test adds."""
    query_create(access=owner_access, name="Kafija", expression="kafija")
    feeds.feeds["good.xml"] = GOOD
    source_feed_create(access=owner_access, feed_url=feeds.url("/good.xml"), name="good")
    assert run_all().errors == []
    assert Mention.objects.count() == 1
    feeds.feeds["good.xml"] = LATER  # the next run has something new for the working feed

    def add_bad(url: str) -> ListeningSource:
        return source_feed_create(access=owner_access, feed_url=url, name="bad")

    return add_bad


def assert_isolated(bad: ListeningSource, *words: str) -> None:
    report = run_all()  # never raises
    assert len(report.errors) == 1
    bad.refresh_from_db()
    assert bad.consecutive_failures == 1 and bad.next_attempt_at is not None
    for word in words:
        assert word.lower() in bad.last_error.lower(), bad.last_error
    good = ListeningSource.objects.get(name="good")
    assert good.consecutive_failures == 0 and good.last_error == ""
    assert Mention.objects.count() == 2  # the earlier mention is kept and the good feed carried on


def test_unreachable_feed(setup):
    assert_isolated(setup("http://127.0.0.1:1/feed.xml"), "could not connect")


def test_tls_error(setup, feeds):
    # https:// to a server that only speaks plain HTTP: the TLS handshake fails.
    assert_isolated(setup(feeds.url("/good.xml").replace("http://", "https://")), "could not connect")


def test_redirect_loop(setup, feeds):
    feeds.feeds["loop.xml"] = lambda request: Response(302, b"", {"Location": "/loop.xml"})
    assert_isolated(setup(feeds.url("/loop.xml")), "redirect")


def test_server_error(setup, feeds):
    feeds.feeds["broken.xml"] = lambda request: Response.text("oops", status=500)
    assert_isolated(setup(feeds.url("/broken.xml")), "500")


def test_garbage_xml(setup, feeds):
    feeds.feeds["garbage.xml"] = b"\x00\x01<<<this is not &&& xml at all"
    assert_isolated(setup(feeds.url("/garbage.xml")), "not a readable RSS/Atom feed")


def test_fifty_megabyte_feed_is_cut_off_while_streaming(setup, feeds):
    feeds.feeds["huge.xml"] = b"<rss><channel>" + b"<item><title>kafija</title></item>" * 1_600_000
    assert_isolated(setup(feeds.url("/huge.xml")), "larger than 5 MB")


def test_xml_entity_expansion(setup, feeds):
    feeds.feeds["bomb.xml"] = BOMB
    assert_isolated(setup(feeds.url("/bomb.xml")), "entities")


def test_feed_at_a_private_address_is_refused(owner_access, feeds, settings):
    query_create(access=owner_access, name="Kafija", expression="kafija")
    feeds.feeds["good.xml"] = GOOD
    bad = source_feed_create(access=owner_access, feed_url=feeds.url("/good.xml"))
    settings.OUTBOUND_ALLOW_PRIVATE = False  # production: the SSRF guard refuses 127.0.0.1
    report = run_all()
    assert len(report.errors) == 1
    bad.refresh_from_db()
    assert "privātu vai lokālu tīklu" in bad.last_error
    assert not feeds.requests  # the guard refused before connecting


def test_query_matching_everything_is_capped_per_run(owner_access, monkeypatch, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    monkeypatch.setattr(runner, "MAX_NEW_PER_RUN", 5)
    with start_sandbox(0) as sandbox:
        person = sandbox.add_person("anna", "Anna", "lv")
        for n in range(12):
            sandbox.state.post(person.id, f"kafija numur {n}")
        account = account_connect_checked(
            access=owner_access, platform="mastodon", name="Sandbox",
            values={"base_url": sandbox.base_url, "access_token": sandbox.access_token},
        )  # fmt: skip
        source = source_search_create(access=owner_access, account=account)
        query_create(access=owner_access, name="Viss", expression="kafija OR numur")
        assert run_all().errors == []
    assert Mention.objects.count() == 5
    source.refresh_from_db()
    assert source.consecutive_failures == 0
    assert "narrower" in SourceCursor.objects.get(source=source).last_error
