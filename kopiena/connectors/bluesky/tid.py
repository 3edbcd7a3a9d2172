"""Record keys: a TID (https://atproto.com/specs/tid) derived from our idempotency key, so a retry of
the same delivery writes the same record key and the PDS refuses a duplicate."""

from __future__ import annotations

import hashlib

_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable
# The timestamp part is taken from the hash, bounded to a window in the past (2023-01-01 plus about
# a year), because a deterministic key cannot carry the first attempt's clock. Feeds sort by
# createdAt/indexedAt, not by record key, so the odd-looking times are harmless.
_EPOCH_MICROS = 1_672_531_200_000_000
_WINDOW_MICROS = 1 << 45


def tid_for(idempotency_key: str) -> str:
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode("utf-8")).digest()[:8], "big")
    micros = _EPOCH_MICROS + (digest >> 10) % _WINDOW_MICROS
    value = (micros << 10) | (digest & 0x3FF)  # top bit stays 0
    chars = []
    for _ in range(13):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))
