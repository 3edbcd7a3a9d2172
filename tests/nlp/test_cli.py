import io
import json
import subprocess
import sys

from kopiena.nlp.cli import MAX_TEXT_CHARS, classify_stream

FIELDS = {"id", "language", "sentiment", "intents", "toxic", "spam", "acute", "acute_reasons", "scores"}


def run_classify(stdin: bytes, *args: str) -> list[dict]:
    completed = subprocess.run(
        [sys.executable, "-m", "kopiena", "classify", *args],
        input=stdin,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return [json.loads(line) for line in completed.stdout.decode("utf-8").splitlines()]


def test_contract_in_order_with_bad_lines_answered_in_place():
    huge = json.dumps({"id": "huge", "text": "a" * 1_000_000})
    lines = [
        json.dumps({"id": 1, "text": "I love it, thank you!"}),
        "this is not json",
        json.dumps({"id": "no-text"}),
        huge,
        json.dumps({"id": "n", "text": 42}),
        json.dumps(["not", "an", "object"]),
        "",
        json.dumps({"id": "lv", "text": "Kāpēc mans pasūtījums kavējas?"}, ensure_ascii=False),
        json.dumps({"id": "ru", "text": "Верните деньги, мошенники!"}, ensure_ascii=False),
    ]
    records = run_classify(("\n".join(lines) + "\n").encode("utf-8"), "--batch-size", "2")
    assert [r["id"] for r in records] == [1, None, "no-text", "huge", "n", None, "lv", "ru"]
    assert records[1]["error"] == "invalid JSON"
    assert records[2]["error"] == "missing text"
    assert "longer than" in records[3]["error"]
    assert records[4]["error"] == "missing text"
    assert "error" in records[5]
    for record in (records[0], records[6], records[7]):
        assert set(record) == FIELDS
        assert record["sentiment"] in {"negative", "neutral", "positive"}
        assert set(record["intents"]) <= {"question", "request", "suggestion", "complaint", "praise"}
        assert isinstance(record["toxic"], bool) and isinstance(record["spam"], bool)
        assert all(0.0 <= v <= 1.0 for v in record["scores"].values())
    assert records[6]["language"] == "lv" and "question" in records[6]["intents"]
    assert records[7]["language"] == "ru" and records[7]["acute"]
    assert {"refund", "fraud"} <= set(records[7]["acute_reasons"])


def test_workspace_languages_and_invalid_utf8_in_stream():
    out = io.StringIO()
    lines = ['{"id": 1, "text": "Спасибо за помощь"}'.encode(), b"\xff\xfe\n"]
    classify_stream(lines, out, languages=["en", "lv"], batch_size=10)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records[0]["language"] == "unknown"
    assert records[1] == {"id": None, "error": "invalid JSON"}


def test_stream_answers_each_batch_before_reading_the_rest():
    written = io.StringIO()
    seen = []

    def lines():
        for i in range(5):
            # By the time line 4 is requested, the first full batch (lines 0-1, 2-3) must be out.
            seen.append(written.getvalue().count("\n"))
            yield json.dumps({"id": i, "text": "hello there friend"}).encode()

    classify_stream(lines(), written, languages=None, batch_size=2)
    assert seen == [0, 0, 2, 2, 4]
    assert written.getvalue().count("\n") == 5


def test_limit_is_generous_for_real_comments():
    assert MAX_TEXT_CHARS >= 50_000
