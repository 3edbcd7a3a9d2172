"""Reading and verifying the audit log."""

from __future__ import annotations

from django.db.models import QuerySet

from kopiena.audit.chain import GENESIS_HASH, VerifyResult, chain_hash
from kopiena.audit.models import AuditEvent
from kopiena.audit.services import payload_for


def audit_events_for_workspace(
    *, workspace, action: str = "", actor_id: int | None = None, object_type: str = ""
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(workspace=workspace).order_by("-id")
    if action:
        events = events.filter(action__startswith=action)
    if actor_id:
        events = events.filter(actor_id=actor_id)
    if object_type:
        events = events.filter(object_type=object_type)
    return events


def audit_verify(*, batch_size: int = 2000) -> VerifyResult:
    """Walk the whole chain in id order; report the first row whose links or contents do not fit."""
    prev_hash = GENESIS_HASH
    expected_id = 1
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return VerifyResult(ok=True, checked=checked)
        for event in batch:
            if event.id != expected_id:
                return VerifyResult(
                    False,
                    checked,
                    event.id,
                    f"row {expected_id} is missing before row {event.id} (deleted or renumbered)",
                )
            if event.prev_hash != prev_hash:
                return VerifyResult(False, checked, event.id, "prev_hash does not match the previous row")
            if chain_hash(prev_hash, payload_for(event)) != event.hash:
                return VerifyResult(False, checked, event.id, "contents changed after it was written")
            prev_hash = event.hash
            expected_id += 1
            checked += 1
            last_id = event.id
