"""Business-hours arithmetic: ALL SLA and "within working hours" math goes through here. Pure Python.

A ``BusinessCalendar`` is a timezone, weekly opening windows (several per weekday; a window whose end is
not after its start runs past midnight into the next day; ``24:00`` as an end means midnight, so
``00:00–24:00`` is the whole day), the
public holidays of a country (the ``holidays`` package), custom closed dates and custom open dates with
their own windows.

Rules, in order, for the windows that START on a local date:
1. a custom open date uses its own windows (even on a holiday or a closed date);
2. a custom closed date or a public holiday has none;
3. otherwise the weekday's windows.
A window belongs to the date it starts on: Friday 22:00–02:00 still runs until 02:00 on a Saturday
holiday.

Durations are real elapsed seconds, so a window on a DST-change night is an hour shorter or longer on the
wall clock than on paper. A wall-clock time that does not exist (spring forward) or happens twice (fall
back) is resolved the way ``zoneinfo`` does with ``fold=0``.

Every function takes and returns aware datetimes (results in UTC); naive ones are refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

Window = tuple[time, time]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# A calendar with no open time for this long is treated as always closed (and refused by the search).
SEARCH_HORIZON_DAYS = 3 * 366


class NeverOpen(ValueError):
    """The calendar has no open time within SEARCH_HORIZON_DAYS of the instant asked about."""


@dataclass(frozen=True)
class BusinessCalendar:
    """Immutable and hashable, so per-day results are cached across calls (the SLA report is hot)."""

    timezone: str
    weekly: tuple[tuple[Window, ...], ...] = field(default_factory=lambda: ((),) * 7)  # Monday first
    country: str | None = None
    subdivision: str | None = None
    closed_dates: frozenset[date] = frozenset()
    open_dates: tuple[tuple[date, tuple[Window, ...]], ...] = ()

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # fail fast on an unknown zone
        if len(self.weekly) != 7:
            raise ValueError("weekly needs exactly 7 entries, Monday first")

    @classmethod
    def build(
        cls,
        *,
        timezone: str,
        weekly: Mapping[str, Iterable[tuple[str, str]]],
        country: str | None = None,
        subdivision: str | None = None,
        closed_dates: Iterable[date | str] = (),
        open_dates: Mapping[date | str, Iterable[tuple[str, str]]] | None = None,
    ) -> BusinessCalendar:
        """From plain data: ``weekly={"mon": [("09:00", "18:00")], "saturday": [("10:00", "14:00")]}``
        (short or full English weekday names, as the policy document writes them)."""
        by_day: dict[str, list] = {}
        for name, windows in weekly.items():
            day = name.lower()[:3]
            if day not in WEEKDAYS or name.lower() not in (day, FULL_WEEKDAYS[WEEKDAYS.index(day)]):
                raise ValueError(f"unknown weekday {name!r}; use {', '.join(WEEKDAYS)} or full names")
            by_day.setdefault(day, []).extend(windows)
        return cls(
            timezone=timezone,
            weekly=tuple(_windows(by_day.get(day, ())) for day in WEEKDAYS),
            country=country or None,
            subdivision=subdivision or None,
            closed_dates=frozenset(_as_date(d) for d in closed_dates),
            open_dates=tuple(
                sorted((_as_date(d), _windows(windows)) for d, windows in (open_dates or {}).items())
            ),
        )

    def as_data(self) -> dict:
        """The inverse of ``build`` (JSON/YAML friendly)."""
        return {
            "timezone": self.timezone,
            "weekly": {
                day: [_window_text(w) for w in self.weekly[i]]
                for i, day in enumerate(WEEKDAYS)
                if self.weekly[i]
            },
            "country": self.country,
            "subdivision": self.subdivision,
            "closed_dates": sorted(d.isoformat() for d in self.closed_dates),
            "open_dates": {d.isoformat(): [_window_text(w) for w in ws] for d, ws in self.open_dates},
        }


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _as_time(value: time | str) -> time:
    if isinstance(value, time):
        return value
    return time(0) if value == "24:00" else time.fromisoformat(value)  # 24:00 = midnight at the end


def _windows(raw: Iterable[tuple[time | str, time | str]]) -> tuple[Window, ...]:
    windows = tuple(sorted((_as_time(start), _as_time(end)) for start, end in raw))
    for start, end in windows:
        if start.tzinfo or end.tzinfo:
            raise ValueError("window times are wall-clock times in the calendar's timezone; no tzinfo")
    return windows


def _window_text(window: Window) -> list[str]:
    start, end = window
    return [start.strftime("%H:%M"), "24:00" if end == time(0) else end.strftime("%H:%M")]


@lru_cache(maxsize=256)
def _holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays_lib.country_holidays(country, subdiv=subdivision, years=year).keys())


def is_holiday(cal: BusinessCalendar, day: date) -> bool:
    return bool(cal.country) and day in _holiday_dates(cal.country, cal.subdivision, day.year)


def windows_on(cal: BusinessCalendar, day: date) -> tuple[Window, ...]:
    """The windows that start on local date ``day`` after open dates, closed dates and holidays."""
    for open_day, windows in cal.open_dates:
        if open_day == day:
            return windows
    if day in cal.closed_dates or is_holiday(cal, day):
        return ()
    return cal.weekly[day.weekday()]


def _to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


@lru_cache(maxsize=8192)
def _day_intervals(cal: BusinessCalendar, day: date) -> tuple[tuple[datetime, datetime], ...]:
    """Open intervals (UTC, half-open) of the windows starting on ``day``, sorted and merged."""
    zone = ZoneInfo(cal.timezone)
    intervals = []
    for start, end in windows_on(cal, day):
        end_day = day if end > start else day + timedelta(days=1)
        start_utc, end_utc = _to_utc(day, start, zone), _to_utc(end_day, end, zone)
        if end_utc > start_utc:  # a window inside a skipped DST hour has no real length
            intervals.append((start_utc, end_utc))
    return tuple(_merge(sorted(intervals)))


def _merge(intervals: Iterable[tuple[datetime, datetime]]) -> Iterator[tuple[datetime, datetime]]:
    pending = None
    for start, end in intervals:
        if pending is None:
            pending = (start, end)
        elif start <= pending[1]:
            pending = (pending[0], max(pending[1], end))
        else:
            yield pending
            pending = (start, end)
    if pending is not None:
        yield pending


def _check_aware(*values: datetime) -> None:
    for value in values:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("business_time works with aware datetimes only")


def _intervals_from(cal: BusinessCalendar, at: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Merged open intervals that end after ``at``, clipped to start no earlier than ``at``."""
    if not cal.open_dates and not any(cal.weekly):
        raise NeverOpen("the calendar has no opening hours at all")
    # Start a day early: yesterday's window may run past midnight into today.
    day = at.astimezone(ZoneInfo(cal.timezone)).date() - timedelta(days=1)
    last_day = day + timedelta(days=SEARCH_HORIZON_DAYS)
    found = _merge(
        interval for d in _days(day, last_day) for interval in _day_intervals(cal, d) if interval[1] > at
    )
    for start, end in found:
        yield (max(start, at), end)
    raise NeverOpen(f"no more open time within {SEARCH_HORIZON_DAYS} days after {at.isoformat()}")


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def is_open(cal: BusinessCalendar, at: datetime) -> bool:
    """True when ``at`` lies inside an opening window (start inclusive, end exclusive)."""
    _check_aware(at)
    at = at.astimezone(UTC)
    zone = ZoneInfo(cal.timezone)
    today = at.astimezone(zone).date()
    for day in (today - timedelta(days=1), today):
        for start, end in _day_intervals(cal, day):
            if start <= at < end:
                return True
    return False


def next_open(cal: BusinessCalendar, at: datetime) -> datetime:
    """``at`` itself when open, else the start of the next opening window (UTC)."""
    _check_aware(at)
    at = at.astimezone(UTC)
    start, _ = next(_intervals_from(cal, at))
    return start


def add_business_seconds(cal: BusinessCalendar, start: datetime, seconds: float) -> datetime:
    """The instant when ``seconds`` of open time have passed since ``start`` (UTC).

    ``seconds == 0`` returns ``start`` unchanged. Otherwise the result is never inside a closed period:
    the open time just before it is open (it may be exactly a window's end, e.g. 18:00 sharp).
    """
    _check_aware(start)
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    start = start.astimezone(UTC)
    if seconds == 0:
        return start
    remaining = timedelta(seconds=seconds)
    for open_start, open_end in _intervals_from(cal, start):
        available = open_end - open_start
        if remaining <= available:
            return open_start + remaining
        remaining -= available
    raise NeverOpen("unreachable")  # _intervals_from raises before it runs dry


def business_seconds_between(cal: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Open seconds in ``[start, end)``; negative when ``end`` is before ``start``."""
    _check_aware(start, end)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end < start:
        return -business_seconds_between(cal, end, start)
    total = timedelta()
    zone = ZoneInfo(cal.timezone)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    for open_start, open_end in _merge(
        interval for d in _days(first, last) for interval in _day_intervals(cal, d)
    ):
        lo, hi = max(open_start, start), min(open_end, end)
        if hi > lo:
            total += hi - lo
    return total.total_seconds()
