"""Score the classify pipeline on a labelled brand-comment set (JSONL, one record a line).

Each record: ``{"id", "business", "text", "language", "sentiment", "intents", "toxic", "spam", "acute",
"acute_reasons"}`` — every field ``kopiena classify`` prints, labelled by hand. The test set
(``tests/nlp/data/brand_comments.jsonl``) is written by the team and is never used for training or for
tuning thresholds; ``tests/nlp/test_brand_comments.py`` prints the per-field, per-language figures
(``pytest -s``).
"""

from __future__ import annotations

import json
from pathlib import Path

from sklearn.metrics import f1_score

INTENTS = ("question", "request", "suggestion", "complaint", "praise")
LANGUAGES = ("lv", "ru", "en")


def load(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _fields(record) -> dict[str, str]:
    """The labelled fields of a record or a Classification, as strings for scoring."""
    get = record.get if isinstance(record, dict) else lambda name: getattr(record, name)
    fields = {
        "language": get("language"),
        "sentiment": get("sentiment"),
        "toxic": str(bool(get("toxic"))),
        "spam": str(bool(get("spam"))),
        "acute": str(bool(get("acute"))),
    }
    intents = set(get("intents"))
    for intent in INTENTS:
        fields[intent] = str(intent in intents)
    return fields


def score(records: list[dict], predictions) -> dict[str, dict[str, float]]:
    """Macro-F1 (×100, one decimal) per field, per language and over all records."""
    truth = [_fields(r) for r in records]
    predicted = [_fields(p) for p in predictions]
    report: dict[str, dict[str, float]] = {}
    groups = {lang: [i for i, r in enumerate(records) if r["language"] == lang] for lang in LANGUAGES}
    groups["all"] = list(range(len(records)))
    for group, rows in groups.items():
        report[group] = {"n": len(rows)}
        for name in truth[0]:
            y = [truth[i][name] for i in rows]
            p = [predicted[i][name] for i in rows]
            labels = sorted(set(y))
            report[group][name] = round(
                100 * f1_score(y, p, labels=labels, average="macro", zero_division=0), 1
            )
    return report


def evaluate(path: Path) -> dict[str, dict[str, float]]:
    from .classify import classify_batch

    records = load(path)
    predictions = classify_batch([r["text"] for r in records])
    return score(records, predictions)
