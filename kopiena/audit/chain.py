"""The hash chain: canonical serialisation and verification, shared by the writer and the verifier."""

from __future__ import annotations

import hashlib
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


def chain_hash(prev_hash: str, payload: str) -> str:
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    bad_id: int | None = None
    reason: str = ""
