"""``kopiena contest verify <export.json>``: recompute a contest's draw from its public export.

Pure Python (no Django, no database): anyone with the export file can run it. Exit status 0 when the
seed matches its published hash, the entry list matches its frozen hash and the recomputed winners are
the published ones; 1 otherwise, with each problem in plain words; 2 for a file that cannot be read."""

from __future__ import annotations

import argparse
import json
import sys

from kopiena.contests.draw import verify_export


def contest_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kopiena contest", description="Contest tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    verify = sub.add_parser("verify", help="Recompute the winners from a draw export and compare.")
    verify.add_argument(
        "export", help="The draw export (JSON) downloaded from the contest's verification page"
    )
    args = parser.parse_args(argv)
    try:
        with open(args.export, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        print(f"Cannot read {args.export}: {exc}", file=sys.stderr)
        return 2
    result = verify_export(data)
    for number, winners in enumerate(result.winners, start=1):
        print(f"Round {number}: {', '.join(winners) or '(nobody)'}")
    if result.ok:
        print(f"VERIFIED: {len(data['entries'])} entries, seed and list match, winners recomputed.")
        return 0
    for problem in result.problems:
        print(f"FAILED: {problem}")
    return 1
