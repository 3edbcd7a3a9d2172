"""The brand-comment test set (issue 17): comments our team wrote, never used for training or tuning.

Prints macro-F1 per field and language (``pytest -s`` shows it) and asserts the floors reached; the
issue's acceptance floor is 80 for sentiment, spam and toxic in each of lv, ru and en.
"""

import json
from pathlib import Path

import pytest

from kopiena.nlp import brandset, classify_batch

DATA = Path(__file__).parent / "data"
TEST_SET = DATA / "brand_comments.jsonl"
TUNING_SET = DATA / "brand_tuning.jsonl"

# The acceptance floor of issue 17 (figures at commit time: docs/model-card.md).
FLOORS = {
    ("lv", "sentiment"): 80,
    ("ru", "sentiment"): 80,
    ("en", "sentiment"): 80,
    ("lv", "spam"): 80,
    ("ru", "spam"): 80,
    ("en", "spam"): 80,
    ("lv", "toxic"): 80,
    ("ru", "toxic"): 80,
    ("en", "toxic"): 80,
}


@pytest.fixture(scope="module")
def report():
    result = brandset.evaluate(TEST_SET)
    print(json.dumps(result, indent=1))
    return result


def test_the_set_is_large_balanced_and_fully_labelled():
    records = brandset.load(TEST_SET)
    assert len(records) >= 600
    counts = {lang: sum(r["language"] == lang for r in records) for lang in brandset.LANGUAGES}
    assert all(count >= 190 for count in counts.values()), counts
    fields = {"id", "text", "language", "sentiment", "intents", "toxic", "spam", "acute", "acute_reasons"}
    for record in records:
        assert fields <= set(record), record["id"]
        assert record["acute"] == bool(record["acute_reasons"]), record["id"]
        assert set(record["intents"]) <= set(brandset.INTENTS), record["id"]
    assert len({r["text"] for r in records}) == len(records)
    # The tuning set is separate: no comment is in both.
    tuning = {r["text"] for r in brandset.load(TUNING_SET)}
    assert not tuning & {r["text"] for r in records}


@pytest.mark.parametrize(("language", "field"), sorted(FLOORS))
def test_macro_f1_floor(report, language, field):
    assert report[language][field] >= FLOORS[(language, field)], report[language]


def test_the_examples_quoted_in_issue_17():
    fraud, earn, crypto, torn = classify_batch(
        [
            "Jūsu kafija ir pilnīgs mēsls, jūs esat krāpnieki!",
            "Nopelni 5000 EUR nedēļā no mājām! Raksti man privāti",
            "Crypto giveaway!!! Send 1 BTC get 2 back, link in bio",
            "Iepakojums atnāca saplēsts, ko tagad darīt?",
        ]
    )
    assert fraud.acute and "fraud" in fraud.acute_reasons
    assert fraud.sentiment == "negative" and "praise" not in fraud.intents
    assert earn.spam and crypto.spam
    assert torn.sentiment == "negative"
    assert "question" in torn.intents and "complaint" in torn.intents


def test_a_complaint_with_praise_stays_positive_and_sarcasm_does_not():
    mixed, sarcasm = classify_batch(
        [
            "The pastries are wonderful, but there are never enough seats.",
            "Thanks for the cold soup again, lovely.",
        ]
    )
    assert mixed.sentiment == "positive" and {"praise", "complaint"} <= set(mixed.intents)
    assert sarcasm.sentiment == "negative" and "praise" not in sarcasm.intents
