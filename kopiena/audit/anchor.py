"""The audit chain's anchor: its head (last id and hash) written outside the database.

A keyed chain stops anyone without the key from rewriting rows, but not from deleting the newest ones:
the rest still verifies. So the clock appends the head to a file (``settings.AUDIT_ANCHOR_PATH``, one JSON
line per change) and logs it, and ``kopiena audit verify`` checks that the chain still reaches the last
anchored id with the same hash there. Keep the file (or the log lines) where the database's users
cannot write; after restoring an older backup, move the file aside, or verify reports the missing events.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

_TAIL_BYTES = 4096


@dataclass(frozen=True)
class Anchor:
    id: int
    hash: str
    at: str  # when it was written (ISO 8601, UTC)

    def to_line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True) + "\n"


class AnchorUnreadable(Exception):
    """The anchor file exists but its last line is not an anchor (edited or damaged)."""


def read_last_anchor(path: Path) -> Anchor | None:
    """The newest anchor in ``path`` (reads only the file's tail), or None if there is no file yet."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - _TAIL_BYTES))
            tail = handle.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None
    lines = [line for line in tail.splitlines() if line.strip()]
    if not lines:
        return None
    try:
        data = json.loads(lines[-1])
        return Anchor(id=int(data["id"]), hash=str(data["hash"]), at=str(data.get("at", "")))
    except (ValueError, KeyError, TypeError) as exc:
        raise AnchorUnreadable(f"the last line of {path} is not an audit anchor") from exc
