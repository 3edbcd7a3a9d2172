"""The period a page, export or API call reports on: ``days`` (7, 28, 90, 365) ending today, or explicit
``start``/``end`` ISO dates. Bad input never fails: an unknown ``days`` falls back to 28, swapped dates are
put in order, and a period longer than ten years is cut to its last ten years — ``Period.note`` says what
was changed so the page can show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from kopiena.analytics.selectors import MAX_PERIOD_DAYS

PERIODS = (7, 28, 90, 365)
DEFAULT_DAYS = 28


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    days: int | None  # the preset used, None for explicit dates
    note: str = ""

    @property
    def length(self) -> int:
        return (self.end - self.start).days + 1


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip()[:10])
    except ValueError:
        return None


def period_from(params, *, today: date) -> Period:
    """``params``: a mapping with optional ``days``, ``start``, ``end`` (e.g. ``request.GET``)."""
    start, end = _date(params.get("start")), _date(params.get("end"))
    if start or end:
        start, end = start or (end - timedelta(days=DEFAULT_DAYS - 1)), end or today
        note = ""
        if end < start:
            start, end = end, start
            note = _("The dates were swapped so that the period runs forward.")
        if (end - start).days + 1 > MAX_PERIOD_DAYS:
            start = end - timedelta(days=MAX_PERIOD_DAYS - 1)
            note = _("Periods longer than ten years are cut to the last ten years.")
        return Period(start, end, None, note)
    raw = str(params.get("days") or "")
    days = int(raw) if raw.isdigit() and int(raw) in PERIODS else DEFAULT_DAYS
    return Period(today - timedelta(days=days - 1), today, days)
