"""Faster arrival (issue 12 item 10): Mastodon's user stream (Server-Sent Events) from the local sandbox
into the inbox through the REAL connector; polling takes over when the stream dies; an item arriving by
stream, poll and webhook is stored once."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from django.core.cache import cache

from kopiena.connectors.errors import TransientError
from kopiena.connectors.http import RATE_LIMITER
from kopiena.connectors.types import WebhookEvent
from kopiena.core.clock import now
from kopiena.inbox import polling, streaming
from kopiena.inbox.models import Item, ItemEvent
from kopiena.inbox.selectors import arrival_delay
from kopiena.inbox.services import items_ingest_webhook
from kopiena.integrations.connecting import connector_for
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.services import account_connect_checked
from kopiena.sandbox import start_sandbox

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits():
    RATE_LIMITER.reset()
    cache.clear()
    yield
    RATE_LIMITER.reset()


@pytest.fixture
def sandbox():
    with start_sandbox(0) as server:
        server.stream_heartbeat_seconds = 0.05
        yield server


@pytest.fixture
def account(owner_access, sandbox, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    return account_connect_checked(
        access=owner_access,
        platform="mastodon",
        values={"base_url": sandbox.base_url, "access_token": sandbox.access_token},
        name="Sandbox (Mastodon)",
    )


def _when_streaming(sandbox, action) -> threading.Thread:
    """Run ``action`` in a thread as soon as the sandbox has a stream open (the test's main thread holds
    the stream, so the ingest runs inside the test's database transaction)."""

    def run():
        deadline = time.monotonic() + 10
        while sandbox.streams_open < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_mention_arrives_through_the_stream(account, sandbox):
    stop = threading.Event()
    posted = []
    helper = _when_streaming(sandbox, lambda: posted.append(sandbox.mention("Vai jums ir auzu piens?")))
    outcome = streaming.stream_account(account.pk, stop=stop, on_event=stop.set)
    helper.join(5)
    assert outcome == "stopped"
    item = Item.objects.get(account=account, external_id=posted[0].id)
    assert item.received_at is not None and item.thread.response_due_at is not None
    assert sandbox.count("GET", r"/api/v1/notifications") == 0  # not polled: pushed
    # the stream ended with the loop, and its live mark with it: polling is back at its normal pace
    assert not polling.stream_is_live(account)


def test_edits_and_deletions_arrive_through_the_stream(account, sandbox):
    mention = sandbox.mention("Kafija bija auksta")
    polling.account_poll(account)
    stop = threading.Event()
    seen = []

    def changes():
        sandbox.edit(mention.id, f"@{sandbox.handle} Kafija bija auksta, bet laipni atvainojās")
        sandbox.remove(mention.id)

    def on_event():
        seen.append(1)
        if len(seen) == 2:
            stop.set()

    helper = _when_streaming(sandbox, changes)
    streaming.stream_account(account.pk, stop=stop, on_event=on_event)
    helper.join(5)
    item = Item.objects.get(external_id=mention.id)
    assert "atvainojās" in item.edited_text and "auksta" in item.text
    assert item.deleted_at is not None
    assert list(ItemEvent.objects.filter(item=item).values_list("kind", flat=True)) == ["edited", "deleted"]


def test_polling_takes_over_when_the_stream_dies(account, sandbox):
    sandbox.refuse_streams()  # the streaming server is down: every connection answers 503
    waits: list[float] = []
    stop = threading.Event()

    def sleep(seconds: float) -> bool:
        waits.append(seconds)
        if len(waits) == 4:
            stop.set()
        return stop.is_set()

    polling.stream_mark_live(account.pk, seconds=60)  # it was live before it died
    assert streaming.stream_account(account.pk, stop=stop, sleep=sleep) == "stopped"
    assert waits == [1.0, 2.0, 4.0, 8.0]  # reconnects with a doubling pause
    assert not polling.stream_is_live(account)

    # A live stream stretches the poll interval; a dead one does not.
    ConnectedAccount.objects.filter(pk=account.pk).update(last_synced_at=now() - timedelta(seconds=200))
    assert account.pk in [a.pk for a in polling.accounts_due()]
    polling.stream_mark_live(account.pk, seconds=60)
    assert account.pk not in [a.pk for a in polling.accounts_due()]
    polling.stream_mark_down(account.pk)

    mention = sandbox.mention("Vai strādājat svētdienās?")  # written while the stream is down
    assert polling.account_poll(account) == 1
    assert Item.objects.filter(external_id=mention.id).exists()


def test_a_revoked_token_ends_the_stream_and_asks_for_a_reconnect(account, sandbox):
    sandbox.state.tokens.clear()
    outcome = streaming.stream_account(account.pk, stop=threading.Event(), sleep=lambda s: True)
    account.refresh_from_db()
    assert outcome == "reconnect_needed"
    assert account.status != "active"


def test_no_duplicates_across_stream_poll_and_webhook(account, sandbox):
    stop = threading.Event()
    posted = []
    helper = _when_streaming(sandbox, lambda: posted.append(sandbox.mention("Cik ilgi derīgs kupons?")))
    streaming.stream_account(account.pk, stop=stop, on_event=stop.set)
    helper.join(5)
    assert polling.account_poll(account) == 0  # the poll reads the same mention: already there
    with connector_for(account) as connector:
        same = connector.fetch_mentions().items
    items_ingest_webhook(account=account, events=[WebhookEvent("hook-1", "mention", items=same)])
    assert Item.objects.filter(account=account, external_id=posted[0].id).count() == 1
    assert Item.objects.filter(account=account).count() == 1


def test_arrival_delay_figure(account, sandbox, owner_access):
    sandbox.mention("Labrīt!")
    polling.account_poll(account)
    figure = arrival_delay(access=owner_access)
    assert figure["items"] == 1
    assert 0 <= figure["p50_seconds"] <= figure["p95_seconds"] < 60


def test_the_supervisor_starts_one_stream_per_account_and_claims_it(account):
    started: list[int] = []
    gate = threading.Event()

    def runner(account_id: int, *, stop, on_connect) -> str:
        started.append(account_id)
        gate.wait(5)
        return "stopped"

    stop = threading.Event()
    supervisor = streaming.StreamSupervisor(stop_event=stop, runner=runner)
    other = streaming.StreamSupervisor(stop_event=stop, runner=runner)
    try:
        assert supervisor.rescan() == [account.pk]
        assert supervisor.rescan() == []  # already running
        assert other.rescan() == []  # another worker holds it
    finally:
        gate.set()
        stop.set()
        for thread in supervisor.threads.values():
            thread.join(5)
    assert started == [account.pk]


def test_a_stopping_worker_wakes_a_blocked_stream_at_once(account, sandbox):
    sandbox.stream_heartbeat_seconds = 30  # no heartbeat would wake the reader during this test
    ended = []
    with connector_for(account) as connector:

        def read():
            try:
                for _event in connector.stream_mentions(stop=lambda: False):
                    pass
            except Exception as exc:
                ended.append(type(exc).__name__)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        deadline = time.monotonic() + 10
        while sandbox.streams_open < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        connector.http.abort_streams()
        reader.join(5)
    assert ended == ["TransientError"]
    assert time.monotonic() - started < 5


def test_a_stream_opening_after_the_abort_ends_at_once(account, sandbox):
    # The worker may stop while a stream's request is on its way: the reader must not then wait for a heartbeat.
    sandbox.stream_heartbeat_seconds = 30
    with connector_for(account) as connector:
        connector.http.abort_streams()
        started = time.monotonic()
        with pytest.raises(TransientError, match="stopping"):
            next(iter(connector.stream_mentions(stop=lambda: False)))
    assert time.monotonic() - started < 5


def test_edits_of_statuses_not_addressed_to_us_are_ignored(account, sandbox):
    stranger = sandbox.add_person("cits", "Cits", "lv")
    unrelated = sandbox.state.post(stranger.id, "Par laikapstākļiem")
    stop = threading.Event()

    def edit_then_mention():
        with sandbox.state.lock:  # the home timeline also pushes edits of statuses we merely follow
            status = sandbox.state.statuses[unrelated.id]
            sandbox.state._push(
                sandbox.account.id, "status.update", json.dumps(sandbox.state.status_json(status))
            )
        sandbox.mention("Sveiki!")

    helper = _when_streaming(sandbox, edit_then_mention)
    streaming.stream_account(account.pk, stop=stop, on_event=stop.set)
    helper.join(5)
    assert not Item.objects.filter(external_id=unrelated.id).exists()
    assert Item.objects.filter(account=account).count() == 1
