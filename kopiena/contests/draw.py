"""The draw: a documented, deterministic function of a revealed seed and a frozen entry list.

PURE PYTHON (no Django): ``kopiena contest verify <export>`` and the public verification page both run it,
and anyone can re-implement it from docs/contests.md in a few lines.

The rule (format ``kopiena-contest-draw/1``):

1. The frozen list is every entry with its decision, each as ``{"id", "author", "decision"}`` (``id``: the
   platform's comment id prefixed by the platform, ``author``: a hash of the author's platform id, so the
   list stays verifiable after personal data is erased). Its hash is SHA-256 of the canonical JSON of the
   list sorted by ``id`` (``json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False)``).
2. The seed is 32 random bytes, written as 64 hex digits; SHA-256 of the hex text is published in the
   regulations when the contest is approved, and the seed itself is revealed at the draw.
3. Each eligible entry gets the score ``HMAC-SHA256(key=seed hex as UTF-8, message=id as UTF-8)`` in hex.
   Eligible entries are ordered by (score, id) — an equal score, practically impossible, falls back to the
   id. Walking that order and skipping an author already taken gives the order of winners: round 1 takes
   the first ``winners_count`` authors, each re-draw for unclaimed prizes takes the next ones in the same
   order, so a re-draw is as verifiable as the first draw.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FORMAT = "kopiena-contest-draw/1"
ELIGIBLE = "eligible"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def author_ref(platform: str, author_id: str) -> str:
    """The author as the frozen list names them: not the handle, a hash of the platform's id."""
    return sha256_hex(f"{platform}:{author_id}")[:32]


def canonical_list(entries: Iterable[dict]) -> str:
    rows = sorted(
        ({"id": str(e["id"]), "author": str(e["author"]), "decision": str(e["decision"])} for e in entries),
        key=lambda row: row["id"],
    )
    return json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def list_hash(entries: Iterable[dict]) -> str:
    return sha256_hex(canonical_list(entries))


def score(seed: str, entry_id: str) -> str:
    return hmac.new(seed.encode("utf-8"), str(entry_id).encode("utf-8"), hashlib.sha256).hexdigest()


def ranked(scored: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """(score, id, author) triples in draw order: by score, an equal score by id."""
    return sorted(scored, key=lambda row: (row[0], row[1]))


def winner_order(seed: str, entries: Iterable[dict]) -> list[str]:
    """Entry ids of every eligible entry's author in the order they win (one per author)."""
    triples = ranked(
        (score(seed, str(e["id"])), str(e["id"]), str(e["author"]))
        for e in entries
        if e["decision"] == ELIGIBLE
    )
    taken: set[str] = set()
    order = []
    for _score, entry_id, author in triples:
        if author in taken:
            continue
        taken.add(author)
        order.append(entry_id)
    return order


def rounds_of(seed: str, entries: Iterable[dict], sizes: Sequence[int]) -> list[list[str]]:
    """Winners of each round (first draw, then re-draws) of the given sizes; short when entries run out."""
    order = winner_order(seed, entries)
    rounds, start = [], 0
    for size in sizes:
        rounds.append(order[start : start + size])
        start += size
    return rounds


# What can be wrong with an export: a stable code (the web page translates it) and the CLI's words.
PROBLEMS = {
    "format": f"This is not a contest draw export (expected format {FORMAT}).",
    "malformed": "The export's entries or rounds are malformed.",
    "no_seed": "The seed has not been revealed yet (the draw has not happened).",
    "seed": "The seed does not match the SHA-256 published in the regulations.",
    "list": "The entry list does not match the hash recorded when it was frozen.",
    "twice": "The entry list names the same entry twice.",
    "winners": "The winners recomputed from the seed and the list differ from the published ones.",
}


@dataclass(frozen=True)
class Verification:
    ok: bool
    codes: list[str]
    winners: list[list[str]]

    @property
    def problems(self) -> list[str]:
        return [PROBLEMS[code] for code in self.codes]


def verify_export(data: dict) -> Verification:
    """Recompute an export's draw. ``codes`` names each thing that does not add up (``PROBLEMS``)."""
    problems: list[str] = []
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return Verification(False, ["format"], [])
    seed = str(data.get("seed") or "")
    entries = data.get("entries")
    rounds = data.get("rounds")
    if not isinstance(entries, list) or not isinstance(rounds, list):
        return Verification(False, ["malformed"], [])
    try:
        entries = [{"id": e["id"], "author": e["author"], "decision": e["decision"]} for e in entries]
        sizes = [int(r["size"]) for r in rounds]
        published = [[str(w) for w in r["winners"]] for r in rounds]
    except (KeyError, TypeError, ValueError):
        return Verification(False, ["malformed"], [])
    if not seed:
        problems.append("no_seed")
    elif sha256_hex(seed) != data.get("seed_sha256"):
        problems.append("seed")
    if list_hash(entries) != data.get("frozen_list_sha256"):
        problems.append("list")
    ids = [str(e["id"]) for e in entries]
    if len(ids) != len(set(ids)):
        problems.append("twice")
    winners = rounds_of(seed, entries, sizes) if seed else []
    if seed and winners != published:
        problems.append("winners")
    return Verification(not problems, problems, winners)
