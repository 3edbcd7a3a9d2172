"""The Latvian and Russian catalogues are complete (no empty or fuzzy entry) and the committed .mo matches."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "kopiena"
# The project catalogue and the apps' own ones (inbox, integrations, …): every one must be complete.
CATALOGUES = [PACKAGE / "locale", *sorted(PACKAGE.glob("*/locale"))]
CASES = [(c, lang) for c in CATALOGUES for lang in ("lv", "ru")]
CASE_IDS = [f"{c.parent.name}-{lang}" for c, lang in CASES]


def _parse_po(path: Path) -> list[dict]:
    """Minimal .po reader: entries with msgctxt, msgid, msgid_plural, msgstr / msgstr[n], flags."""
    entries: list[dict] = []
    entry: dict = {"flags": set()}
    key = None

    def flush():
        nonlocal entry
        if "msgid" in entry:
            entries.append(entry)
        entry = {"flags": set()}

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            key = None
        elif line.startswith("#,"):
            if "msgid" in entry:
                flush()
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            if key == "msgid" and "msgid" in entry:
                flush()
            entry[key] = ast.literal_eval(value)
    flush()
    return entries


@pytest.mark.parametrize(("catalogue", "language"), CASES, ids=CASE_IDS)
def test_catalogue_is_complete(catalogue, language):
    entries = [e for e in _parse_po(catalogue / language / "LC_MESSAGES" / "django.po") if e["msgid"]]
    assert len(entries) > 30  # a truncated catalogue fails; the smallest app (home) has ~40 entries
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    empty = [
        e["msgid"]
        for e in entries
        if not all(v for k, v in e.items() if k.startswith("msgstr"))
        or not any(k.startswith("msgstr") for k in e)
    ]
    assert fuzzy == []
    assert empty == []


@pytest.mark.parametrize(("catalogue", "language"), CASES, ids=CASE_IDS)
def test_compiled_catalogue_matches_the_po_file(catalogue, language):
    directory = catalogue / language / "LC_MESSAGES"
    with (directory / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in _parse_po(directory / "django.po"):
        if not entry["msgid"] or "msgid_plural" in entry:
            continue
        msgid = entry["msgid"] if "msgctxt" not in entry else f"{entry['msgctxt']}\x04{entry['msgid']}"
        assert compiled._catalog.get(msgid) == entry["msgstr"], f"{entry['msgid']!r}: run msgfmt again"
