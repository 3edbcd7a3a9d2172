"""A literal pre-check in front of the lexicons' regular expressions.

The lexicon patterns are long alternations (scam phrases, insults, complaint cues in three languages) and
most comments match none of them, yet Python's regex engine tries every alternative at every position of
the text: they were half of the classifier's time. Almost every alternative needs some literal text to
match (``nopelni\\w*`` needs "nopelni"; ``(?:earn|make).{0,60}\\d+\\s?€`` needs "earn" or "make"), so
``GatedPattern`` first asks whether any of those strings occurs in the text — one pass of an Aho-Corasick
automaton (pyahocorasick), under a microsecond for a comment — and runs the full pattern only then. The
answer is always the pattern's own: the gate only skips searches that cannot match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from re import _constants as sre
from re import _parser as sre_parse

import ahocorasick

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def required_literals(source: str) -> frozenset[str] | None:
    """Strings at least one of which occurs in any text that ``source`` matches (no flags), or None where
    no such set can be named (an alternative that is all character classes, like ``[€$]\\s?\\d``)."""
    parsed = sre_parse.parse(source)
    if parsed.state.flags & (sre.SRE_FLAG_IGNORECASE | sre.SRE_FLAG_VERBOSE):
        return None  # inline (?i) or (?x): the literals as parsed are not the text's
    return _of_sequence(parsed)


def _of_sequence(items) -> frozenset[str] | None:
    # Everything in a sequence must match, so any one element's strings are required: keep the most
    # selective (longest shortest string, then fewest strings).
    candidates: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            candidates.append(frozenset({"".join(run)}))
            run = []
        found = _of_item(op, av)
        if found:
            candidates.append(found)
    if run:
        candidates.append(frozenset({"".join(run)}))
    if not candidates:
        return None
    return max(candidates, key=lambda strings: (min(map(len, strings)), -len(strings)))


def _of_item(op, av) -> frozenset[str] | None:
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, pattern = av
        return None if add_flags & sre.SRE_FLAG_IGNORECASE else _of_sequence(pattern)
    if op is sre.ATOMIC_GROUP:
        return _of_sequence(av)
    if op is sre.BRANCH:
        union: set[str] = set()
        for alternative in av[1]:
            strings = _of_sequence(alternative)
            if strings is None:
                return None
            union |= strings
        return frozenset(union)
    if op in _REPEATS:
        minimum, _maximum, item = av
        return _of_sequence(item) if minimum >= 1 else None
    return None  # character classes, any character, assertions, back-references: nothing literal to require


def _automaton(strings: Iterable[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for string in strings:
        automaton.add_word(string, None)
    automaton.make_automaton()
    return automaton


class GatedPattern:
    """Whether ``re.compile("|".join(parts))`` matches a text, without searching the parts whose required
    strings are all absent from it."""

    __slots__ = ("_gate", "_gated", "_open", "pattern")

    def __init__(self, parts: Iterable[str]) -> None:
        parts = list(parts)
        self.pattern = re.compile("|".join(f"(?:{part})" for part in parts))
        gated, open_, required = [], [], set()
        for part in parts:
            strings = required_literals(part)
            if strings is None:
                open_.append(part)
            else:
                gated.append(part)
                required |= strings
        # Parts without a literal to require are searched always; the others only behind the gate.
        self._open = re.compile("|".join(f"(?:{part})" for part in open_)) if open_ else None
        self._gated = re.compile("|".join(f"(?:{part})" for part in gated)) if gated else None
        self._gate = _automaton(required) if gated else None

    def search(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text``."""
        if self._open is not None and self._open.search(text) is not None:
            return True
        if self._gate is None or next(self._gate.iter(text), None) is None:
            return False
        return self._gated.search(text) is not None
