"""Writing to the audit log. Every service that changes tenant data calls ``audit_record``.

Appending to the chain takes one lock for the whole database (the chain must never fork), held until the
writer's transaction commits. Services that people trigger can afford that; the delivery engine, writing
one event per published post from many workers at once, cannot: it passes ``defer=True``, which inserts
the event into ``PendingAuditEvent`` in the same transaction, lock-free, and ``audit_flush`` appends the
pending events in batches under one lock acquisition.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model

from kopiena.audit.anchor import Anchor, read_last_anchor
from kopiena.audit.chain import GENESIS_HASH, audit_keys, canonical_payload, keyed_hash
from kopiena.audit.models import AuditEvent, PendingAuditEvent
from kopiena.core.clock import now

# Arbitrary constant for pg_advisory_xact_lock: serialises appends so the chain never forks.
_AUDIT_LOCK_KEY = 727_001

logger = logging.getLogger("kopiena.audit")


def _jsonable(value: Any) -> Any:
    return None if value is None else json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "username", None) or str(actor)


def audit_fields(
    *,
    actor,
    action: str,
    workspace=None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    before: dict | None = None,
    after: dict | None = None,
) -> dict:
    """The column values of one event, as ``audit_record`` stores them (for a hot path that inserts its
    ``PendingAuditEvent`` in the same statement as the change it describes)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    return {
        "workspace_id": getattr(workspace, "pk", workspace),
        "actor_id": getattr(actor, "pk", None),
        "actor_label": _actor_label(actor),
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "before": _jsonable(before),
        "after": _jsonable(after),
        "created_at": now(),
    }


def audit_record(
    *,
    actor,
    action: str,
    workspace=None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    before: dict | None = None,
    after: dict | None = None,
    defer: bool = False,
) -> AuditEvent | PendingAuditEvent:
    """Record one event. ``actor`` is a user or None for the system (clock, worker, webhook).

    ``defer=True`` queues it for the next ``audit_flush`` instead of appending it now (for hot paths)."""
    fields = audit_fields(
        actor=actor,
        action=action,
        workspace=workspace,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
    )
    if defer:
        return PendingAuditEvent.objects.create(**fields)
    with transaction.atomic(savepoint=False):
        _lock_chain()
        return _append([fields])[0]


def audit_flush(*, workspace=None, batch_size: int = 1000) -> int:
    """Append pending events to the chain, oldest first, a batch per transaction. Returns how many.

    ``workspace``: only that workspace's events (a person reading their log moves nobody else's rows).
    Safe to run from any number of processes at once: the chain lock serialises them, and each reads the
    pending rows only after taking it, so no event is appended twice."""
    pending_rows = PendingAuditEvent.objects.order_by("id")
    if workspace is not None:
        pending_rows = pending_rows.filter(workspace_id=getattr(workspace, "pk", workspace))
    moved = 0
    while True:
        with transaction.atomic(savepoint=False):
            if not pending_rows.exists():  # the usual answer: no lock taken
                return moved
            _lock_chain()
            pending = list(pending_rows[:batch_size])
            _append([_fields_of(event) for event in pending])
            PendingAuditEvent.objects.filter(id__in=[event.id for event in pending]).delete()
        moved += len(pending)


def _fields_of(pending: PendingAuditEvent) -> dict:
    return {
        field.attname: getattr(pending, field.attname)
        for field in pending._meta.concrete_fields
        if not field.primary_key
    }


def _lock_chain() -> None:
    """Taken inside the writer's transaction and held until it ends (SQLite's write lock does the same)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])


def _append(rows: list[dict]) -> list[AuditEvent]:
    """Chain ``rows`` after the last event; the caller holds the chain lock."""
    last = AuditEvent.objects.order_by("-id").values("id", "hash").first()
    event_id = last["id"] if last else 0
    prev_hash = last["hash"] if last else GENESIS_HASH
    key_id, key = next(iter(audit_keys().items()))  # the newest key signs
    events = []
    for fields in rows:
        event_id += 1
        event = AuditEvent(id=event_id, prev_hash=prev_hash, key_id=key_id, **fields)
        event.hash = prev_hash = keyed_hash(key, key_id, prev_hash, payload_for(event))
        events.append(event)
    return AuditEvent.objects.bulk_create(events)


def audit_anchor_write() -> Anchor | None:
    """Write the chain's head (last id and hash) to ``settings.AUDIT_ANCHOR_PATH`` and to the log.

    The clock calls this every minute. The anchor lives outside the database, so deleting the newest
    events (or rewriting the chain and recomputing every hash) is caught by ``kopiena audit verify``:
    fewer events than anchored, or another hash at the anchored id. One JSON line per change of head;
    nothing is written while the head stays the same. Returns the anchor written, or None.
    """
    head = AuditEvent.objects.order_by("-id").values("id", "hash").first()
    if head is None:
        return None
    path = settings.AUDIT_ANCHOR_PATH
    last = read_last_anchor(path)
    if last is not None and (last.id, last.hash) == (head["id"], head["hash"]):
        return None
    anchor = Anchor(id=head["id"], hash=head["hash"], at=now().isoformat())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(anchor.to_line())
    logger.info("audit anchor: head #%s %s", anchor.id, anchor.hash)
    return anchor


def payload_for(event: AuditEvent) -> str:
    return canonical_payload(
        event_id=event.id,
        workspace_id=event.workspace_id,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        before=event.before,
        after=event.after,
        created_at_iso=event.created_at.isoformat(),
    )
