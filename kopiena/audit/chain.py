"""The hash chain: canonical serialisation and verification, shared by the writer and the verifier.

Each event's ``hash`` is ``HMAC-SHA256(key, key_id + prev_hash + payload)`` with a key from
``settings.AUDIT_KEYS``, which lives outside the database: whoever edits a row cannot recompute the
hashes that follow it. ``key_id`` (a short fingerprint of the key, never the key) says which key signed
the row, so keys can be rotated: the newest signs, the older ones still verify. Rows written before the
chain was keyed have an empty ``key_id`` and the plain ``sha256(prev_hash + payload)``; they are
accepted only as the beginning of the chain ("legacy"), never after a keyed row.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

GENESIS_HASH = "0" * 64


def canonical_payload(
    *,
    event_id: int,
    workspace_id,
    actor_id,
    actor_label,
    action,
    object_type,
    object_id,
    before,
    after,
    created_at_iso: str,
) -> str:
    return json.dumps(
        {
            "id": event_id,
            "workspace": workspace_id,
            "actor": actor_id,
            "actor_label": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "before": before,
            "after": after,
            "created_at": created_at_iso,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )


LEGACY_KEY_ID = ""


def chain_hash(prev_hash: str, payload: str) -> str:
    """The unkeyed hash of the rows written before the chain was keyed (legacy rows)."""
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def key_id_of(key: str) -> str:
    """A public fingerprint of an audit key: which key signed a row, without revealing it."""
    return hashlib.sha256(("kopiena-audit-key:" + key).encode()).hexdigest()[:12]


def keyed_hash(key: str, key_id: str, prev_hash: str, payload: str) -> str:
    return hmac.new(key.encode(), (key_id + prev_hash + payload).encode(), hashlib.sha256).hexdigest()


def audit_keys() -> dict[str, str]:
    """``{key_id: key}`` of every configured key, newest first (read at call time, not import time)."""
    from django.conf import settings

    return {key_id_of(key): key for key in settings.AUDIT_KEYS}


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    bad_id: int | None = None
    reason: str = ""
    legacy: int = 0  # rows from before the chain was keyed (plain SHA-256), all at its start
    anchor_id: int | None = None  # the head the last anchor recorded (None: no anchor yet)
    pending: int = 0  # deferred events not chained yet (verify only reads; the clock chains them)
