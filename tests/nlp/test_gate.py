"""The lexicons' literal pre-check (nlp/gate.py) never changes an answer, only skips searches."""

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopiena.nlp import lexicon
from kopiena.nlp.gate import GatedPattern, required_literals

DATA = Path(__file__).parent / "data"
PATTERNS = {name: value for name, value in vars(lexicon).items() if isinstance(value, re.Pattern)}


def _texts() -> list[str]:
    texts = []
    for name in ("brand_comments.jsonl", "brand_tuning.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                text = json.loads(line)["text"].lower()
                texts += [text, lexicon.fold(text)]
    return texts


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"\bnopelni\w*", {"nopelni"}),
        (r"(?:earn|make).{0,60}\d+\s?€", {"earn", "make"}),
        (r"[€$]\s?\d.{0,60}(?:earn|income)", {"earn", "income"}),
        (r"\b(?:scam\w*|fraud)\b", {"scam", "fraud"}),
        (r"(?:a|b)?c+", {"c"}),
        (r"[€$]\s?\d", None),  # nothing literal to require
        (r"(?:scam|\d+)", None),  # one alternative has no literal
        (r"(?i:scam)", None),  # a case-insensitive group is not a literal
    ],
)
def test_required_literals(source, expected):
    found = required_literals(source)
    assert (set(found) if found is not None else None) == expected


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_every_lexicon_pattern_answers_as_before(name):
    pattern = PATTERNS[name]
    gated = lexicon.gated(pattern)
    for text in _texts():
        assert gated.search(text) == (pattern.search(text) is not None), text


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "krāpnieki",
                "мошенники",
                "scam",
                "link in bio",
                "€",
                "5000",
                " ",
                "nopelni",
                "btc",
                "?",
                "a",
                "ё",
                "😡",
                "raksti man",
                "в личку",
                "zarabotok",
            ]
        ),
        max_size=12,
    )
)
def test_gated_families_answer_as_the_plain_pattern(words):
    text = " ".join(words)
    for pattern in (lexicon.SPAM, lexicon.INSULT, lexicon.SWEAR, lexicon.COMPLAINT_CUE, lexicon.QUESTION):
        assert lexicon.gated(pattern).search(text) == (pattern.search(text) is not None)


def test_a_part_without_literals_is_always_searched():
    gated = GatedPattern([r"[€$]\s?\d{3,}", r"\bscam\w*"])
    assert gated.search("pay $ 500 now") and gated.search("a scammer") and not gated.search("fine coffee")


def test_an_inline_case_insensitive_pattern_is_never_gated():
    assert required_literals("(?i)scam") is None
    assert required_literals("(?x) s c a m") is None
