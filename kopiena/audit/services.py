"""Writing to the audit log. Every service that changes tenant data calls ``audit_record``."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from kopiena.audit.chain import GENESIS_HASH, canonical_payload, chain_hash
from kopiena.audit.models import AuditEvent
from kopiena.core.clock import now

# Arbitrary constant for pg_advisory_xact_lock: serialises appends so the chain never forks.
_AUDIT_LOCK_KEY = 727_001


def _jsonable(value: Any) -> Any:
    return None if value is None else json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "username", None) or str(actor)


@transaction.atomic
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
) -> AuditEvent:
    """Append one event. ``actor`` is a user or None for the system (clock, worker, webhook)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])
    last = AuditEvent.objects.order_by("-id").values("id", "hash").first()
    event_id = (last["id"] + 1) if last else 1
    prev_hash = last["hash"] if last else GENESIS_HASH
    event = AuditEvent(
        id=event_id,
        workspace_id=getattr(workspace, "pk", workspace),
        actor_id=getattr(actor, "pk", None),
        actor_label=_actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_jsonable(before),
        after=_jsonable(after),
        created_at=now(),
        prev_hash=prev_hash,
    )
    event.hash = chain_hash(prev_hash, payload_for(event))
    event.save(force_insert=True)
    return event


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
