"""The pure pipeline steps and the store path's contracts (dedupe, cap, rollups, classification reuse)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kopiena.connectors.types import AccountRef, ItemKind, RemoteItem
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.inbox.models import Item
from kopiena.listening.models import AuthorStat, DomainStat, HourlyVolume, ListeningQuery, Mention
from kopiena.listening.pipeline import (
    CompiledQuery,
    InboxRule,
    canonical_url,
    goes_to_inbox,
    match_queries,
    normalise_item,
)
from kopiena.listening.services import query_create
from kopiena.listening.source_services import opml_feeds, source_feed_create
from kopiena.listening.store import mentions_store
from kopiena.nlp import classify_batch


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://WWW.News.example:443/a/?utm_source=x&id=3#top", "https://www.news.example/a?id=3"),
        ("http://news.example", "http://news.example/"),
        ("javascript:alert(1)", ""),
        ("https://[::1", ""),
        ("", ""),
    ],
)
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


def _item(n, text="kafija", *, url="", author="anna", follower=None, at=None):
    return RemoteItem(
        external_id=f"x{n}", kind=ItemKind.MENTION, text=text, created_at=at or now() - timedelta(minutes=n),
        author=AccountRef(id=author, handle=author, is_follower=follower, followers_count=120), url=url,
    )  # fmt: skip


def test_exclusions_and_language_filter():
    query = CompiledQuery.build(pk=1, expression="kafija", languages=["lv"], excluded_authors=["@Bots"],
                                excluded_domains=["spam.example"])  # fmt: skip
    moment = datetime.now(UTC)
    assert match_queries(normalise_item(_item(1), fetched_at=moment), [query]) == [1]
    assert match_queries(normalise_item(_item(1, author="bots"), fetched_at=moment), [query]) == []
    spam = normalise_item(_item(1, url="https://x.spam.example/a"), fetched_at=moment)
    assert match_queries(spam, [query]) == []
    assert match_queries(normalise_item(_item(1), fetched_at=moment), [query], language="ru") == []


def test_inbox_rule():
    rule = InboxRule(True, frozenset({"question"}), True, True, frozenset({"lv"}))
    kwargs = {"intents": ["question"], "acute": False, "spam": False, "language": "lv", "is_follower": None}
    assert goes_to_inbox(rule, **kwargs)
    assert not goes_to_inbox(rule, **{**kwargs, "is_follower": True})
    assert not goes_to_inbox(rule, **{**kwargs, "spam": True})
    assert not goes_to_inbox(rule, **{**kwargs, "language": "en"})
    assert goes_to_inbox(rule, **{**kwargs, "intents": [], "acute": True})


def test_opml_refuses_entities_and_non_opml():
    with pytest.raises(DomainError):
        opml_feeds(b'<!DOCTYPE x [<!ENTITY a "b">]><opml/>')
    with pytest.raises(DomainError):
        opml_feeds(b"<rss/>")
    assert opml_feeds(b'<opml><body><outline xmlUrl="https://a.example/f" title="A"/></body></opml>') == [
        ("https://a.example/f", "A")
    ]


@pytest.mark.django_db
def test_store_dedupes_caps_and_keeps_rollups(owner_access):
    query = query_create(access=owner_access, name="Kafija", expression="kafija")
    source = source_feed_create(access=owner_access, feed_url="https://news.example/feed")
    items = [_item(n, url=f"https://news.example/{n}", follower=True) for n in range(5)]
    first = mentions_store(source=source, items=items + items[:2], queries=[query], limit=3)
    assert (first.created, first.skipped) == (3, 2)
    again = mentions_store(source=source, items=items, queries=[query])
    assert (again.created, again.duplicates) == (2, 3)
    assert Mention.objects.count() == 5
    assert sum(HourlyVolume.objects.filter(query_key=0).values_list("mentions", flat=True)) == 5
    assert sum(HourlyVolume.objects.filter(query_key=query.pk).values_list("mentions", flat=True)) == 5
    assert AuthorStat.objects.get().mentions == 5 and AuthorStat.objects.get().followers == 120
    assert DomainStat.objects.get().mentions == 5
    # A second query matching a stored mention gains a match, not a second mention.
    other = query_create(access=owner_access, name="Visa kafija", expression="kafij*")
    mentions_store(source=source, items=items[:1], queries=[ListeningQuery.objects.get(pk=other.pk)])
    assert Mention.objects.count() == 5 and other.matches.count() == 1


@pytest.mark.django_db
def test_routed_mentions_are_classified_once(owner_access, monkeypatch):
    query = query_create(access=owner_access, name="Kafija", expression="kafija")
    source = source_feed_create(access=owner_access, feed_url="https://news.example/feed")
    calls = []

    def counting(texts, **kwargs):
        calls.append(len(texts))
        return classify_batch(texts, **kwargs)

    monkeypatch.setattr("kopiena.inbox.services.classify_batch", counting)
    result = mentions_store(
        source=source,
        queries=[query],
        items=[_item(1, "Vai jūsu kafija ir pieejama arī Liepājā?", url="https://f.example/1")],
    )
    assert result.to_inbox == 1 and Item.objects.count() == 1
    assert calls == []  # items_ingest reused the listening classification
