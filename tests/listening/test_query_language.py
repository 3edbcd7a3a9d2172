"""The listening query language: grammar, matching (case/diacritics-insensitive), errors with positions."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopiena.listening.query_language import (
    MAX_DEPTH,
    Matcher,
    QuerySyntaxError,
    parse,
    search_terms,
)


def matches(query: str, text: str, author: str = "") -> bool:
    return Matcher(query).matches(text, author=author)


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("kafija", "Laba KAFIJA šodien", True),
        ("kafija", "kafijas automāts", False),  # whole words only
        ("kafij*", "kafijas automāts", True),
        ("kafija", "kafijā", True),  # diacritics-insensitive (lv)
        ("ёлка", "Новогодняя ЕЛКА", True),  # ё/е (ru)
        ("кофе", "Лучший Кофе в Риге", True),
        ('"Rīgas kafija"', "vislabākā rigas kafija!", True),
        ('"Rīgas kafija"', "kafija Rīgas", False),
        ("#kafija", "dzeru #Kafija", True),
        ("#kafija", "dzeru kafija", False),
        ("kafija", "dzeru #kafija", True),  # a word finds its hashtag too
        ("@kopiena", "paldies @Kopiena par atbildi", True),
        ("@kopiena", "paldies", False),
        ("@kopiena", "paldies @kopiena@mastodon.social", True),
        ("kafija tēja", "kafija un tēja", True),  # implicit AND
        ("kafija tēja", "tikai kafija", False),
        ("kafija AND tēja", "tēja, kafija", True),
        ("kafija OR tēja", "tikai tēja", True),
        ("kafija NOT tēja", "kafija un tēja", False),
        ("kafija -tēja", "kafija", True),
        ("kafija -tēja", "kafija tēja", False),
        ("(kafija OR tēja) AND Rīga", "tēja Liepājā", False),
        ("(kafija OR tēja) AND Rīga", "tēja Rīga", True),
        ("NOT (a OR b)", "c", True),
        ("and", "rock and roll", True),  # lower-case operators are words
        ("e-pasts", "sūtiet e-pastu vai e-pasts", True),
    ],
)
def test_matching(query, text, expected):
    assert matches(query, text) is expected


def test_handle_matches_author():
    assert matches("@anna", "hello", author="Anna")


@pytest.mark.parametrize(
    ("query", "code", "position"),
    [
        ("", "empty", 0),
        ("   ", "empty", 0),
        ('kafija "Rīgas', "unclosed_quote", 7),
        ("(kafija OR tēja", "unclosed_paren", 0),
        ("kafija)", "unexpected_paren", 6),
        ("kafija OR", "missing_operand", 7),
        ("AND kafija", "missing_operand", 0),
        ("kafija OR OR tēja", "missing_operand", 10),
        ("()", "missing_operand", 1),
        ("# kafija", "empty_tag", 0),
        ('""', "empty_phrase", 0),
        ("k*fija", "bad_wildcard", 0),
        ("x" * 2001, "too_long", 2000),
    ],
)
def test_errors_carry_code_and_position(query, code, position):
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    assert (caught.value.code, caught.value.position) == (code, position)


def test_nesting_is_bounded():
    with pytest.raises(QuerySyntaxError) as caught:
        parse("(" * (MAX_DEPTH + 5) + "a" + ")" * (MAX_DEPTH + 5))
    assert caught.value.code == "too_deep"
    parse("(" * 10 + "a" + ")" * 10)


def test_search_terms_skip_negations():
    assert search_terms(parse('("Rīgas kafija" OR #Kafija) -tēja')) == ['"rīgas kafija"', "#kafija"]
    assert search_terms(parse("NOT a")) == []


ALPHABET = st.sampled_from(
    [*list('abc āšё Ж()"“”„«»#@-*.,:!?\t\n'), "AND", "OR", "NOT", " AND ", " OR ", " NOT "]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join), st.text(max_size=80))
def test_any_input_gives_a_result_or_a_positioned_error(query, text):
    try:
        matcher = Matcher(query)
    except QuerySyntaxError as exc:
        assert 0 <= exc.position <= len(query)
        return
    assert matcher.matches(text) in (True, False)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode_never_crashes(query):
    try:
        parse(query)
    except QuerySyntaxError as exc:
        assert 0 <= exc.position <= max(len(query), 0)
