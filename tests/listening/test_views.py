"""The Listening page: empty state, queries with syntax errors shown at their position, try it, sources and
their health, charts and lists once mentions exist, spam review, answered elsewhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from kopiena.connectors.types import AccountRef, ItemKind, RemoteItem
from kopiena.core.clock import now
from kopiena.listening.models import ListeningQuery, ListeningSource, Mention, SpamReview
from kopiena.listening.services import query_create
from kopiena.listening.source_services import source_feed_create
from kopiena.listening.store import mentions_store
from kopiena.teams.models import Role

pytestmark = pytest.mark.django_db


def url(workspace, name="listening", **kwargs):
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


def test_empty_state(owner, workspace, login):
    page = login(owner).get(url(workspace))
    assert page.status_code == 200
    assert 'data-testid="mentions-empty"' in page.text and 'data-testid="queries-empty"' in page.text


def test_syntax_error_is_shown_with_its_position(owner, workspace, login):
    client = login(owner)
    page = client.post(
        url(workspace, "listening_query_create"), {"name": "Kafija", "expression": 'kafija "Rīgas'}
    )
    assert page.status_code == 422
    assert "character 8" in page.text
    assert not ListeningQuery.objects.exists()
    page = client.post(url(workspace, "listening_query_create"), {"name": "Kafija", "expression": "kafija OR kafejnīca",
                                                                  "languages": ["lv"]})  # fmt: skip
    assert page.status_code == 302
    assert ListeningQuery.objects.get().languages == ["lv"]


def _store(owner_access, texts):
    source = source_feed_create(access=owner_access, feed_url="https://news.example/feed.xml", name="Ziņas")
    items = [
        RemoteItem(
            external_id=f"e{n}", kind=ItemKind.MENTION, text=text, created_at=now() - timedelta(hours=n),
            author=AccountRef(id=f"a{n}", handle=f"autors{n}", name=f"Autors {n}", is_follower=True),
            url=f"https://news.example/{n}", title="",
        )
        for n, text in enumerate(texts)
    ]  # fmt: skip
    query = ListeningQuery.objects.get()
    mentions_store(source=source, items=items, queries=[query])
    return source


def test_page_with_mentions_has_charts_lists_and_try_it(owner, owner_access, workspace, login):
    query_create(access=owner_access, name="Kafija", expression="kafija")
    _store(owner_access, ["Laba kafija Rīgā", "Kafija bija auksta un slikta", "Nekas par tēmu"])
    client = login(owner)
    page = client.get(url(workspace))
    assert page.status_code == 200
    assert 'id="kp-listening-data"' in page.text and "data-kp-listening-volume" in page.text
    assert page.text.count('data-testid="mentions"') == 1 and "Laba kafija" in page.text
    assert 'data-testid="top-authors"' in page.text and "news.example" in page.text
    assert 'data-testid="source-health"' in page.text
    tried = client.post(url(workspace, "listening_try"), {"expression": "auksta"})
    assert "matched 1" in tried.text and "auksta" in tried.text
    tried = client.post(url(workspace, "listening_try"), {"expression": "(auksta"})
    assert 'data-testid="try-error"' in tried.text and "character 1" in tried.text
    filtered = client.get(url(workspace), {"sentiment": "positive", "query": ListeningQuery.objects.get().pk})
    assert filtered.status_code == 200


def test_keyset_pages(owner, owner_access, workspace, login):
    query_create(access=owner_access, name="Kafija", expression="kafija")
    _store(owner_access, [f"kafija {n}" for n in range(60)])
    client = login(owner)
    first = client.get(url(workspace))
    assert 'data-testid="next-page"' in first.text
    after = first.context["next_url"]
    second = client.get(url(workspace) + after)
    assert len(second.context["mentions"]) == 10
    assert not {m.pk for m in second.context["mentions"]} & {m.pk for m in first.context["mentions"]}


def test_feed_and_spam_review(owner, owner_access, workspace, login):
    client = login(owner)
    response = client.post(url(workspace, "listening_source_feed"), {"feed_url": "not a url"})
    assert response.status_code == 302 and not ListeningSource.objects.exists()
    client.post(url(workspace, "listening_source_feed"), {"feed_url": "https://news.example/rss"})
    assert ListeningSource.objects.get().feed_url == "https://news.example/rss"
    query_create(access=owner_access, name="Kafija", expression="kafija")
    source = ListeningSource.objects.get()
    mentions_store(source=source, queries=[ListeningQuery.objects.get()], items=[RemoteItem(
        external_id="s1", kind=ItemKind.MENTION, text="kafija", created_at=now(), author=AccountRef(id="x"),
    )])  # fmt: skip
    Mention.objects.update(spam=True, spam_review=SpamReview.PENDING)
    spam_page = client.get(url(workspace), {"view": "spam"})
    assert "kafija" in spam_page.text
    mention = Mention.objects.get()
    client.post(url(workspace, "listening_mention_spam", mention_id=mention.pk), {"spam": "0"})
    mention.refresh_from_db()
    assert mention.spam_review == SpamReview.RELEASED


def test_opml_import(owner, workspace, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    opml = (b'<?xml version="1.0"?><opml version="2.0"><body><outline text="News">'
            b'<outline text="A" type="rss" xmlUrl="https://a.example/feed"/>'
            b'<outline text="B" type="rss" xmlUrl="javascript:alert(1)"/></outline></body></opml>')  # fmt: skip
    client = login(owner)
    client.post(url(workspace, "listening_source_opml"), {"opml": SimpleUploadedFile("feeds.opml", opml)})
    assert list(ListeningSource.objects.values_list("feed_url", flat=True)) == ["https://a.example/feed"]


def test_contributor_cannot_manage(member, workspace, login):
    client = login(member(Role.CONTRIBUTOR))
    assert client.get(url(workspace)).status_code == 200
    response = client.post(url(workspace, "listening_query_create"), {"name": "x", "expression": "x"})
    assert response.status_code == 403


def test_the_page_speaks_latvian_and_russian(owner, workspace, login):
    from django.conf import settings

    client = login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "lv"
    assert "Pieminējumu vēl nav" in client.get(url(workspace)).text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(url(workspace)).text
    assert "Упоминаний пока нет" in page and "Сохранённые запросы" in page


def test_demo_listening_is_alive_and_its_feed_is_served_by_the_sandbox(settings):
    from kopiena.core import demo
    from kopiena.listening import runner
    from kopiena.listening.demo import DEMO_QUERIES
    from kopiena.sandbox import start_sandbox
    from kopiena.sandbox.forum import FEED_PATH

    ctx = demo.demo_load()
    demo.demo_load()  # idempotent
    workspace = ctx.workspace
    assert ListeningQuery.objects.filter(workspace=workspace).count() == len(DEMO_QUERIES)
    backfill = Mention.objects.filter(workspace=workspace).count()
    assert backfill > 100
    feed = ListeningSource.objects.get(workspace=workspace, kind="feed")
    with start_sandbox(0) as sandbox:  # the sandbox serves the forum feed the demo listens to
        ListeningSource.objects.filter(pk=feed.pk).update(feed_url=sandbox.base_url + FEED_PATH)
        settings.OUTBOUND_ALLOW_PRIVATE = True
        ListeningSource.objects.update(next_attempt_at=None)
        runner.sources_run()
    feed.refresh_from_db()
    assert feed.last_error == "" and feed.last_success_at is not None
    assert Mention.objects.filter(workspace=workspace).count() > backfill
