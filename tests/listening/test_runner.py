"""Acceptance: listening against local servers (a feed server and the Mastodon sandbox's search API)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kopiena.core.clock import now
from kopiena.inbox.models import Item, ReplyState, Thread
from kopiena.inbox.sending import reply_deliver
from kopiena.inbox.services import item_reply
from kopiena.integrations.services import account_connect_checked
from kopiena.listening import runner
from kopiena.listening.models import (
    HourlyVolume,
    ListeningSource,
    Mention,
    MentionMatch,
    SourceCursor,
    SpamReview,
)
from kopiena.listening.services import query_create
from kopiena.listening.source_services import source_feed_create, source_search_create
from kopiena.sandbox import start_sandbox
from tests.listening.conftest import rss

pytestmark = pytest.mark.django_db


def run_all():
    """Run every source now (ignoring the schedule), like five clock ticks far apart."""
    ListeningSource.objects.update(next_attempt_at=None)
    return runner.sources_run()


def test_feed_query_run_five_times_stores_each_mention_once(owner_access, feeds):
    feeds.feeds["news.xml"] = rss([
        {"title": "Jauna kafejnīca Rīgā", "link": "https://news.example/a?utm_source=x", "text": "Kafija un kūkas"},
        {"title": "Laikapstākļi", "link": "https://news.example/b", "text": "Lietus visu nedēļu"},
    ])  # fmt: skip
    feeds.feeds["mirror.xml"] = rss([  # the same article syndicated: one mention (canonical URL)
        {"title": "Jauna kafejnīca Rīgā", "link": "https://news.example/a#top", "text": "Kafija un kūkas"},
    ])  # fmt: skip
    query_create(access=owner_access, name="Kafija", expression="kafija OR kafejnīca")
    source_feed_create(access=owner_access, feed_url=feeds.url("/news.xml"))
    source_feed_create(access=owner_access, feed_url=feeds.url("/mirror.xml"))
    for _ in range(5):
        report = run_all()
        assert report.errors == []
    assert Mention.objects.count() == 1
    mention = Mention.objects.get()
    assert mention.canonical_url == "https://news.example/a"
    assert mention.domain == "news.example"
    assert MentionMatch.objects.filter(mention=mention).count() == 1
    assert HourlyVolume.objects.filter(query_key=0).get().mentions == 1
    cursor = SourceCursor.objects.filter(source__feed_url=feeds.url("/news.xml")).get()
    assert cursor.etag  # conditional GET: later runs were answered 304
    assert any(r.headers.get("if-none-match") == cursor.etag for r in feeds.requests)


@pytest.fixture
def sandbox():
    with start_sandbox(0) as server:
        yield server


@pytest.fixture
def searching(owner_access, sandbox, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    account = account_connect_checked(
        access=owner_access, platform="mastodon", name="Sandbox (Mastodon)",
        values={"base_url": sandbox.base_url, "access_token": sandbox.access_token},
    )  # fmt: skip
    return source_search_create(access=owner_access, account=account)


def _post(sandbox, username, text):
    person = sandbox.add_person(username, username.title(), "lv")
    return sandbox.state.post(person.id, text)


def test_search_run_five_times_stores_once_and_a_question_becomes_a_thread_with_sla(
    owner_access, sandbox, searching
):
    _post(sandbox, "anna", "Vai kafija.lv kafejnīca strādā svētdienās?")
    _post(sandbox, "juris", "Šodien lija lietus")
    query_create(access=owner_access, name="Kafejnīca", expression="kafejnīca")
    for _ in range(5):
        assert run_all().errors == []
    mention = Mention.objects.get()
    assert mention.platform == "mastodon" and mention.author_handle
    assert "question" in mention.intents
    assert mention.inbox_item is not None  # a non-follower's question: into the inbox
    thread = mention.inbox_item.thread
    assert thread.response_due_at is not None and thread.first_response_due_at is not None
    assert Thread.objects.count() == 1 and Item.objects.count() == 1

    # A reply from the inbox reaches the test platform.
    reply = item_reply(access=owner_access, item=mention.inbox_item, text="Jā, no 10 līdz 18. Gaidīsim!")
    if reply.state == ReplyState.QUEUED:
        reply_deliver(reply_id=reply.pk)
    reply.refresh_from_db()
    assert reply.state == ReplyState.SENT, reply.error
    answers = [s for s in sandbox.state.statuses.values() if s.in_reply_to_id == mention.external_id]
    assert len(answers) == 1 and "no 10 līdz 18" in answers[0].text


def test_rate_limited_platform_backs_off_and_feeds_continue(owner_access, sandbox, searching, feeds):
    feeds.feeds["f.xml"] = rss([{"title": "Kafija Rīgā", "link": "https://news.example/k", "text": "kafija"}])
    source_feed_create(access=owner_access, feed_url=feeds.url("/f.xml"))
    query_create(access=owner_access, name="Kafija", expression="kafija")
    sandbox.fail_next(status=429, headers={"Retry-After": "120"})
    report = run_all()
    assert len(report.errors) == 1
    searching.refresh_from_db()
    # Written in the workspace's first language (lv here), whatever language the worker last served.
    assert searching.consecutive_failures == 1 and "palēnināt" in searching.last_error
    assert searching.next_attempt_at >= now() + timedelta(seconds=100)
    assert Mention.objects.filter(source__kind="feed").count() == 1  # the feed carried on


def test_feed_mention_question_goes_to_inbox_and_is_answered_elsewhere(owner, owner_access, feeds, login):
    client = login(owner)
    feeds.feeds["forum.xml"] = rss([
        {"title": "Kur Rīgā nopirkt labu kafiju?", "link": "https://forum.example/t/1",
         "text": "Vai kāds zina, kur nopirkt kafiju?"},
    ])  # fmt: skip
    query_create(access=owner_access, name="Kafija", expression="kafij*")
    source_feed_create(access=owner_access, feed_url=feeds.url("/forum.xml"))
    assert run_all().errors == []
    mention = Mention.objects.get()
    assert mention.inbox_item is not None
    thread = mention.inbox_item.thread
    assert thread.account.platform == "rss" and thread.response_due_at is not None
    page = client.get(f"/w/{owner_access.workspace.slug}/inbox/{thread.pk}/")
    assert 'data-testid="answered-elsewhere"' in page.text  # a feed cannot be answered through Kopiena
    answered = client.post(
        f"/w/{owner_access.workspace.slug}/listening/mentions/{mention.pk}/answered/",
        {"url": "https://forum.example/t/1#post-2", "next": "thread"},
    )
    assert answered["Location"].endswith(f"/inbox/{thread.pk}/")
    thread.refresh_from_db()
    assert thread.first_responded_at is not None and thread.response_due_at is None
    mention.refresh_from_db()
    assert mention.answered_elsewhere_url == "https://forum.example/t/1#post-2"


def test_spam_waits_for_review(owner_access, feeds):
    feeds.feeds["spam.xml"] = rss([
        {"title": "kafija", "link": "https://spam.example/1",
         "text": "kafija!!! FREE MONEY click here http://bit.ly/xx win iphone now casino bonus crypto airdrop"},
    ])  # fmt: skip
    query_create(access=owner_access, name="Kafija", expression="kafija")
    source_feed_create(access=owner_access, feed_url=feeds.url("/spam.xml"))
    run_all()
    mention = Mention.objects.get()
    if mention.spam:  # the classifier decides; when it says spam, it is kept for review, never dropped
        assert mention.spam_review == SpamReview.PENDING and mention.inbox_item is None
