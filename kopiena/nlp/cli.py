"""``kopiena classify`` and ``kopiena nlp …`` (pure Python, no Django start-up).

``kopiena classify [--languages en,lv,ru] [--batch-size N]``
    JSONL ``{"id", "text"}`` on stdin → one JSONL line per input line, in order, on stdout:
    ``{"id", "language", "sentiment", "intents", "toxic", "spam", "acute", "acute_reasons", "scores"}``.
    A line that is not JSON, has no string ``text``, or whose text is longer than ``MAX_TEXT_CHARS``
    gives ``{"id": …, "error": "…"}`` for that line and the rest still flow. Input is read and answered
    in batches, so a large file streams through in constant memory. Blank lines are skipped.

``kopiena nlp train [--data ../shared/datasets] [--out kopiena/nlp/data] [--no-refit]``
    Retrain the shipped model (see ``train.py``); prints progress and writes model + dev scores.
``kopiena nlp evaluate [--data ../shared/datasets]``
    Score the shipped model through the classify pipeline on the dev splits (optimistic when the model
    was refitted on train + dev, which ``model.json`` meta says).
``kopiena nlp tone [--language xx] [--acute] TEXT``
    Print the tone guard's issues for a drafted reply as JSONL.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import IO

MAX_TEXT_CHARS = 100_000
DEFAULT_BATCH = 1024
DEFAULT_DATA = Path("../shared/datasets")


def _records(lines: Iterable[bytes]) -> Iterator[tuple[object, str | None, str | None]]:
    """(id, text, error) per non-blank input line."""
    for raw in lines:
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            yield None, None, "invalid JSON"
            continue
        if not isinstance(record, dict):
            yield None, None, "a line must be a JSON object"
            continue
        record_id = record.get("id")
        text = record.get("text")
        if not isinstance(text, str):
            yield record_id, None, "missing text"
        elif len(text) > MAX_TEXT_CHARS:
            yield record_id, None, f"text longer than {MAX_TEXT_CHARS} characters"
        else:
            yield record_id, text, None


def classify_stream(
    lines: Iterable[bytes], out: IO[str], *, languages: list[str] | None, batch_size: int
) -> int:
    from .classify import classify_batch

    pending: list[tuple[object, str | None, str | None]] = []

    def flush() -> None:
        texts = [text for _, text, error in pending if error is None]
        results = iter(classify_batch(texts, languages=languages))
        for record_id, _, error in pending:
            line = (
                {"id": record_id, "error": error} if error else {"id": record_id, **next(results).to_json()}
            )
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        out.flush()
        pending.clear()

    count = 0
    for item in _records(lines):
        pending.append(item)
        count += 1
        if len(pending) >= batch_size:
            flush()
    flush()
    return count


def classify_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="kopiena classify", description="Classify JSONL comments from stdin."
    )
    parser.add_argument("--languages", default="en,lv,ru", help="comma-separated ISO 639-1 codes")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
    args = parser.parse_args(argv)
    languages = [code.strip() for code in args.languages.split(",") if code.strip()]
    classify_stream(sys.stdin.buffer, sys.stdout, languages=languages, batch_size=max(1, args.batch_size))
    return 0


def nlp_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="kopiena nlp", description="Train and inspect the comment classifier."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    train_parser = commands.add_parser("train", help="train the shipped model from the labelled datasets")
    train_parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    train_parser.add_argument("--out", type=Path, default=None)
    train_parser.add_argument("--no-refit", action="store_true", help="keep the train-only model")
    evaluate_parser = commands.add_parser("evaluate", help="score the shipped model on the dev splits")
    evaluate_parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    tone_parser = commands.add_parser("tone", help="check a drafted reply's tone")
    tone_parser.add_argument("--language", default=None)
    tone_parser.add_argument("--acute", action="store_true")
    tone_parser.add_argument("text")
    args = parser.parse_args(argv)

    if args.command == "train":
        from .model import DATA_DIR
        from .train import train

        train(args.data, out_dir=args.out or DATA_DIR, refit=not args.no_refit)
    elif args.command == "evaluate":
        from .datasets import load_tasks
        from .model import get_model
        from .train import pipeline_scores

        model = get_model()
        print(
            json.dumps(
                {
                    "trained_on": model.meta.get("trained_on"),
                    "dev": pipeline_scores(model, load_tasks(args.data)),
                },
                indent=2,
            )
        )
    else:
        from .tone import check_tone

        for issue in check_tone(args.text, language=args.language, acute=args.acute):
            print(json.dumps(asdict(issue), ensure_ascii=False))
    return 0
