"""Deferred audit events: queued lock-free in the writer's transaction, chained in batches by audit_flush."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.urls import reverse

from kopiena.audit.models import AuditEvent, PendingAuditEvent
from kopiena.audit.selectors import audit_verify
from kopiena.audit.services import audit_flush, audit_record
from kopiena.audit.tasks import audit_flush_pending
from kopiena.core.clock import now


def _engine_events():
    return AuditEvent.objects.filter(action="engine.event")


def _deferred(workspace, n: int, **extra):
    return audit_record(
        actor=None,
        workspace=workspace,
        action="engine.event",
        object_id=n,
        after={"n": n},
        defer=True,
        **extra,
    )


def test_a_deferred_event_waits_and_then_joins_the_chain_as_it_was(workspace, owner):
    pending = _deferred(workspace, 1, before={"state": "publishing", "ā": "ж"})
    assert isinstance(pending, PendingAuditEvent)
    assert not _engine_events().exists()

    assert audit_flush() == 1
    event = _engine_events().get()
    assert (event.action, event.object_id, event.actor_label) == ("engine.event", "1", "system")
    assert event.before == {"state": "publishing", "ā": "ж"} and event.after == {"n": 1}
    assert event.created_at == pending.created_at  # when it happened, not when it was chained
    assert not PendingAuditEvent.objects.exists()
    assert audit_flush() == 0
    assert audit_verify().ok


def test_deferred_events_chain_after_direct_ones_in_queue_order(workspace, owner):
    audit_record(actor=owner, workspace=workspace, action="person.first")
    _deferred(workspace, 1)
    audit_record(actor=owner, workspace=workspace, action="person.second")
    _deferred(workspace, 2)
    _deferred(workspace, 3)

    assert audit_flush(batch_size=2) == 3  # two batches, each under one lock
    ours = AuditEvent.objects.exclude(action__startswith="workspace.").exclude(action__startswith="member")
    actions = list(ours.order_by("id").values_list("action", "object_id"))
    assert actions == [
        ("person.first", ""),
        ("person.second", ""),
        ("engine.event", "1"),
        ("engine.event", "2"),
        ("engine.event", "3"),
    ]
    assert audit_verify().ok and audit_verify().checked == AuditEvent.objects.count()


def test_a_rolled_back_change_leaves_no_deferred_event(workspace):
    with pytest.raises(RuntimeError), transaction.atomic():
        _deferred(workspace, 1)
        raise RuntimeError("the change failed")
    assert audit_flush() == 0 and not _engine_events().exists()


def test_verify_only_reads_and_the_task_and_command_flush(workspace, capsys):
    _deferred(workspace, 1)
    call_command("audit", "verify")  # issue 9.4: verifying never writes; it reports what is queued
    assert "1 queued events not chained yet" in capsys.readouterr().out
    assert _engine_events().count() == 0 and PendingAuditEvent.objects.count() == 1
    _deferred(workspace, 2)
    assert audit_flush_pending.call() == 2
    _deferred(workspace, 3)
    call_command("audit", "flush")
    assert _engine_events().count() == 3 and not PendingAuditEvent.objects.exists()


def test_the_audit_page_shows_what_the_engine_queued_a_moment_ago(owner, workspace, other_workspace, login):
    _deferred(workspace, 7)
    theirs = _deferred(other_workspace, 8)
    text = login(owner).get(reverse("audit_log", kwargs={"ws": workspace.slug})).text
    assert "engine.event" in text
    # Reading one workspace's log moves only its own events; the other's wait for the clock.
    assert list(PendingAuditEvent.objects.values_list("pk", flat=True)) == [theirs.pk]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent flushers need row-level locking")
def test_concurrent_flushers_append_each_event_once(workspace):
    for n in range(300):
        _deferred(workspace, n)
    start = threading.Barrier(3)
    moved: list[int] = []

    def flusher():
        start.wait()
        try:
            moved.append(audit_flush(batch_size=40))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=flusher) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(moved) == 300
    assert sorted(int(i) for i in _engine_events().values_list("object_id", flat=True)) == list(range(300))
    assert audit_verify().ok


def test_events_keep_their_own_time_even_when_chained_late(workspace):
    early = _deferred(workspace, 1)
    PendingAuditEvent.objects.filter(pk=early.pk).update(created_at=now() - timedelta(minutes=5))
    audit_flush()
    assert _engine_events().get().created_at < now() - timedelta(minutes=4)
    assert audit_verify().ok
