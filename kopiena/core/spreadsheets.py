"""Spreadsheet cells that cannot run as formulas (CSV/formula injection, OWASP "CSV Injection").

A CSV or XLSX cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets (``=HYPERLINK(…)``, ``=cmd|…``). Post texts, themes and
comments come from users and platforms, so every export cell goes through ``cell_safe``, which puts an
apostrophe in front: spreadsheets show the text as typed and hide the apostrophe. ``cell_unescape`` takes
it off again on import, so an export still imports back unchanged.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value: object) -> str:
    """``value`` as text that no spreadsheet evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def cell_unescape(value: str) -> str:
    """Undo ``cell_safe`` (only where it added the apostrophe)."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS) else value


def row_safe(row: dict[str, object]) -> dict[str, str]:
    return {key: cell_safe(value) for key, value in row.items()}
