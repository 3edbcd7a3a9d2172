"""Issue 9 item 4: the audit chain cannot be rewritten unnoticed — keyed (HMAC, key outside the database,
rotation), anchored (head written out of the database), TRUNCATE refused on PostgreSQL, and verifying
only reads."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from kopiena.audit import triggers
from kopiena.audit.chain import GENESIS_HASH, chain_hash, key_id_of, keyed_hash
from kopiena.audit.models import AuditEvent, PendingAuditEvent
from kopiena.audit.selectors import audit_verify
from kopiena.audit.services import audit_anchor_write, audit_record, payload_for
from kopiena.audit.tasks import audit_anchor


@pytest.fixture
def events(workspace, owner):
    for n in range(5):
        audit_record(actor=owner, workspace=workspace, action="test.event", object_id=n, after={"n": n})
    return list(AuditEvent.objects.order_by("id"))


def _raw(sql: str, params=()):
    """What an attacker with database rights does: lift the triggers, change history, put them back."""
    triggers.uninstall(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    triggers.install(connection)


def _rehash_from(first_id: int, hasher):
    """Recompute every hash from ``first_id`` on, as someone without the key would have to."""
    prev = AuditEvent.objects.get(id=first_id - 1).hash if first_id > 1 else GENESIS_HASH
    for event in AuditEvent.objects.filter(id__gte=first_id).order_by("id"):
        key_id, new_hash = hasher(prev, event)
        _raw(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s, key_id = %s WHERE id = %s",
            [prev, new_hash, key_id, event.id],
        )
        prev = new_hash


def test_events_are_keyed_with_the_newest_key(events, settings):
    newest = settings.AUDIT_KEYS[0]
    assert {e.key_id for e in events} == {key_id_of(newest)}
    assert newest not in json.dumps([e.key_id for e in events])
    assert audit_verify().ok


def test_deleting_the_newest_rows_is_caught_by_the_anchor(events, settings, caplog):
    with caplog.at_level(logging.INFO, logger="kopiena.audit"):
        assert audit_anchor.call() == events[-1].id
    assert f"head #{events[-1].id}" in caplog.text  # the anchor goes to the log too
    line = json.loads(settings.AUDIT_ANCHOR_PATH.read_text().splitlines()[-1])
    assert (line["id"], line["hash"]) == (events[-1].id, events[-1].hash)
    assert oct(settings.AUDIT_ANCHOR_PATH.stat().st_mode & 0o777) == "0o600"

    _raw("DELETE FROM audit_auditevent WHERE id >= %s", [events[3].id])
    assert audit_verify(anchor_path=settings.AUDIT_ANCHOR_PATH.with_name("none")).ok  # what it was before
    result = audit_verify()
    assert not result.ok and "the newest events were deleted" in result.reason
    assert result.bad_id == events[3].id
    with pytest.raises(CommandError, match=f"event #{events[3].id}: missing"):
        call_command("audit", "verify")


def test_anchor_is_written_only_when_the_head_moves(events, settings, workspace):
    assert audit_anchor_write() is not None
    assert audit_anchor_write() is None
    audit_record(actor=None, workspace=workspace, action="test.more")
    assert audit_anchor_write().id == events[-1].id + 1
    assert len(settings.AUDIT_ANCHOR_PATH.read_text().splitlines()) == 2


def test_editing_a_row_and_recomputing_the_following_hashes_without_the_key_fails(events):
    victim = events[1].id
    _raw("UPDATE audit_auditevent SET action = 'tampered' WHERE id = %s", [victim])

    # Same key id, a guessed key: the first rewritten row no longer fits.
    _rehash_from(victim, lambda prev, e: (e.key_id, keyed_hash("guess", e.key_id, prev, payload_for(e))))
    result = audit_verify()
    assert not result.ok and result.bad_id == victim and "contents changed" in result.reason

    # Passed off as rows from before keying (plain SHA-256): not allowed after a keyed row.
    _rehash_from(victim, lambda prev, e: ("", chain_hash(prev, payload_for(e))))
    result = audit_verify()
    assert not result.ok and result.bad_id == victim and "unkeyed row after keyed" in result.reason


def test_rewriting_the_whole_chain_as_unkeyed_is_caught_by_the_anchor(events):
    audit_anchor_write()
    _raw("UPDATE audit_auditevent SET action = 'tampered' WHERE id = %s", [events[2].id])
    _rehash_from(1, lambda prev, e: ("", chain_hash(prev, payload_for(e))))
    result = audit_verify()
    assert not result.ok and result.bad_id == events[-1].id
    assert "differs from the anchor" in result.reason


def test_rotation_old_keys_still_verify_removed_ones_are_named(events, settings, workspace):
    old = settings.AUDIT_KEYS[0]
    settings.AUDIT_KEYS = ["a-new-audit-key-" + "n" * 40, old]
    audit_record(actor=None, workspace=workspace, action="test.after_rotation")
    newest = AuditEvent.objects.order_by("-id").first()
    assert newest.key_id == key_id_of(settings.AUDIT_KEYS[0]) != events[0].key_id
    assert audit_verify().ok
    settings.AUDIT_KEYS = settings.AUDIT_KEYS[:1]
    result = audit_verify()
    assert not result.ok and result.bad_id == events[0].id and "not in KOPIENA_AUDIT_KEYS" in result.reason


def test_rows_from_before_keying_verify_as_the_start_of_the_chain(workspace, events):
    # What the migration leaves: rows with key_id "" and plain SHA-256, then keyed rows after them.
    _rehash_from(1, lambda prev, e: ("", chain_hash(prev, payload_for(e))))
    audit_record(actor=None, workspace=workspace, action="test.keyed")
    result = audit_verify()
    assert result.ok and result.legacy == len(events) and result.checked == len(events) + 1


@pytest.mark.django_db(transaction=True)
def test_truncate_is_refused_on_postgresql(workspace, owner):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE is refused by the trigger)")
    audit_record(actor=owner, workspace=workspace, action="test.event")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 2  # workspace.create and this one


def test_verify_performs_no_writes(events, workspace, settings):
    audit_anchor_write()
    audit_record(actor=None, workspace=workspace, action="engine.event", defer=True)
    anchor_before = settings.AUDIT_ANCHOR_PATH.read_text()
    with CaptureQueriesContext(connection) as queries:
        result = audit_verify()
        call_command("audit", "verify")
    assert result.ok and result.pending == 1
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE", "TRUNCATE"}
    ]
    assert writes == []
    assert PendingAuditEvent.objects.count() == 1
    assert AuditEvent.objects.count() == len(events)
    assert settings.AUDIT_ANCHOR_PATH.read_text() == anchor_before
