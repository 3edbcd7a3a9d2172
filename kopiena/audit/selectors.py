"""Reading and verifying the audit log."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet

from kopiena.audit.anchor import AnchorUnreadable, read_last_anchor
from kopiena.audit.chain import (
    GENESIS_HASH,
    LEGACY_KEY_ID,
    VerifyResult,
    audit_keys,
    chain_hash,
    keyed_hash,
)
from kopiena.audit.models import AuditEvent, PendingAuditEvent
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


def audit_verify(*, batch_size: int = 2000, anchor_path: Path | None = None) -> VerifyResult:
    """Walk the whole chain in id order; report the first row whose links, key or contents do not fit,
    and check the chain against the last anchor (``kopiena.audit.anchor``).

    Only reads: deferred events still waiting for ``audit_flush`` are counted (``pending``), not chained,
    so verifying never changes the evidence it checks."""
    keys = audit_keys()
    pending = PendingAuditEvent.objects.count()
    try:
        anchor = read_last_anchor(anchor_path or settings.AUDIT_ANCHOR_PATH)
    except AnchorUnreadable as exc:
        return VerifyResult(False, 0, None, str(exc), pending=pending)
    anchor_id = anchor.id if anchor else None
    prev_hash = GENESIS_HASH
    expected_id = 1
    checked = legacy = 0
    keyed_seen = False
    last_id = 0

    def refused(bad_id: int | None, reason: str) -> VerifyResult:
        return VerifyResult(False, checked, bad_id, reason, legacy, anchor_id, pending)

    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.id != expected_id:
                return refused(
                    event.id, f"row {expected_id} is missing before row {event.id} (deleted or renumbered)"
                )
            if event.prev_hash != prev_hash:
                return refused(event.id, "prev_hash does not match the previous row")
            payload = payload_for(event)
            if event.key_id == LEGACY_KEY_ID:
                if keyed_seen:
                    return refused(event.id, "an unkeyed row after keyed ones (rewritten without the key)")
                expected_hash = chain_hash(prev_hash, payload)
                legacy += 1
            else:
                key = keys.get(event.key_id)
                if key is None:
                    return refused(
                        event.id,
                        f"signed with audit key {event.key_id}, which is not in KOPIENA_AUDIT_KEYS "
                        "(a key was removed, or the row was forged)",
                    )
                keyed_seen = True
                expected_hash = keyed_hash(key, event.key_id, prev_hash, payload)
            if expected_hash != event.hash:
                return refused(event.id, "contents changed after it was written")
            if anchor is not None and event.id == anchor.id and event.hash != anchor.hash:
                return refused(
                    event.id, f"differs from the anchor written at {anchor.at} (the chain was rewritten)"
                )
            prev_hash = event.hash
            expected_id += 1
            checked += 1
            last_id = event.id
    if anchor is not None and checked < anchor.id:
        return refused(
            checked + 1,
            f"missing: the chain ends at #{checked}, but the anchor written at {anchor.at} recorded "
            f"#{anchor.id} (the newest events were deleted)",
        )
    return VerifyResult(True, checked, None, "", legacy, anchor_id, pending)
