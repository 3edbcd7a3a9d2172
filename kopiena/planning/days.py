"""The days a post can hang on (C2, C5): public holidays, Latvian name days, curated unusual and awareness
days, and the workspace's local events — for a date range, in the reader's language.

* public holidays: the ``holidays`` package, for the workspace's country and the policy's business-hours
  country, names localised where the package has the language (en/lv/ru for Latvia);
* Latvian name days: the ``lv-namedays`` package (the traditional calendar), shown when the workspace is in
  Latvia or writes Latvian;
* observances: ``data/observances.json``, written by the team — real, widely listed days only, each with its
  date rule (``MM-DD``, ``nth:N:WEEKDAY:MM`` or ``last:WEEKDAY:MM``), names in en/lv/ru, category, hashtag
  and who observes it;
* local events: ``LocalEvent`` rows (by hand or from an iCal feed).

Pure reads. ``observance_dates`` is pure Python so the data file's rules can be tested on their own.
"""

from __future__ import annotations

import calendar as calendar_lib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays as holidays_lib
from dateutil.easter import easter
from django.utils.translation import get_language

DATA_DIR = Path(__file__).parent / "data"
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LANGUAGES = ("en", "lv", "ru")


class DayKind:
    HOLIDAY = "holiday"
    NAMEDAY = "nameday"
    OBSERVANCE = "observance"
    EVENT = "event"


@dataclass(frozen=True)
class Observance:
    key: str
    rule: str
    names: dict[str, str]
    category: str
    hashtag: str
    observed_by: str

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True)
class Day:
    """One thing about a date. ``key`` is stable (``holiday:LV:2027-05-04``, ``obs:octopus-day``,
    ``event:12``, ``nameday:2027-01-01``) so the planner and the idea bank can refer to it."""

    day: date
    kind: str
    key: str
    name: str
    hashtag: str = ""
    category: str = ""
    note: str = ""
    url: str = ""


@lru_cache(maxsize=1)
def observances() -> tuple[Observance, ...]:
    """The curated observances (read once per process)."""
    rows = json.loads((DATA_DIR / "observances.json").read_text(encoding="utf-8"))
    return tuple(
        Observance(
            key=row["key"],
            rule=row["rule"],
            names={lang: row[lang] for lang in LANGUAGES},
            category=row["category"],
            hashtag=row.get("hashtag", ""),
            observed_by=row["observed_by"],
        )
        for row in rows
    )


def rule_date(rule: str, year: int) -> date:
    """The date ``rule`` gives in ``year``: ``MM-DD``, ``nth:N:WEEKDAY:MM`` (N = 1…5), ``last:WEEKDAY:MM``,
    ``lastday:MM`` or ``easter:±N`` (days from Western Easter); any rule may end in ``+N`` days (Black
    Friday is ``nth:4:thu:11+1``).

    29 February falls on 28 February in other years (the day is still marked once a year)."""
    if "+" in rule:
        base, offset = rule.rsplit("+", 1)
        return rule_date(base, year) + timedelta(days=int(offset))
    parts = rule.split(":")
    if parts[0] == "lastday":
        month = int(parts[1])
        return date(year, month, calendar_lib.monthrange(year, month)[1])
    if parts[0] == "easter":
        return easter(year) + timedelta(days=int(parts[1]))
    if len(parts) == 1:
        month, day = (int(x) for x in rule.split("-"))
        if month == 2 and day == 29 and not calendar_lib.isleap(year):
            day = 28
        return date(year, month, day)
    if parts[0] == "nth":
        n, weekday, month = int(parts[1]), WEEKDAY_KEYS.index(parts[2]), int(parts[3])
        first = date(year, month, 1)
        result = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
        if result.month != month:
            raise ValueError(f"{rule}: no such weekday in {year}-{month:02d}")
        return result
    if parts[0] == "last":
        weekday, month = WEEKDAY_KEYS.index(parts[1]), int(parts[2])
        last = date(year, month, calendar_lib.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    raise ValueError(f"unknown date rule {rule!r}")


@lru_cache(maxsize=16)
def _observances_by_date(year: int) -> dict[date, tuple[Observance, ...]]:
    by_date: dict[date, list[Observance]] = defaultdict(list)
    for item in observances():
        by_date[rule_date(item.rule, year)].append(item)
    return {day: tuple(items) for day, items in by_date.items()}


def observance_dates(start: date, end: date) -> list[tuple[date, Observance]]:
    """Every curated observance in [start, end], by date then data-file order."""
    found = []
    for year in range(start.year, end.year + 1):
        for day, items in _observances_by_date(year).items():
            if start <= day <= end:
                found += [(day, item) for item in items]
    return sorted(found, key=lambda pair: pair[0])


@lru_cache(maxsize=1)
def _namedays() -> dict[str, list[str]]:
    from lv_namedays.nameday import read_namedays

    return read_namedays()


def namedays_on(day: date) -> list[str]:
    """Latvian name days on ``day`` (traditional calendar; 29 February has its own names)."""
    return list(_namedays().get(f"{day:%m-%d}", []))


def _holiday_language(country: str, language: str) -> str | None:
    supported = holidays_lib.country_holidays(country).supported_languages
    for candidate in (language, f"{language}_US" if language == "en" else ""):
        if candidate and candidate in supported:
            return candidate
    return None


@lru_cache(maxsize=64)
def _holidays(country: str, year: int, language: str) -> tuple[tuple[date, str], ...]:
    try:
        table = holidays_lib.country_holidays(
            country, years=year, language=_holiday_language(country, language)
        )
    except NotImplementedError:
        return ()
    return tuple(sorted(table.items()))


def public_holidays(countries: list[str], start: date, end: date, language: str) -> list[Day]:
    days = []
    for country in countries:
        for year in range(start.year, end.year + 1):
            days += [
                Day(day, DayKind.HOLIDAY, f"holiday:{country}:{day.isoformat()}", name, note=country)
                for day, name in _holidays(country, year, language)
                if start <= day <= end
            ]
    return days


def workspace_countries(workspace) -> list[str]:
    """The workspace's country and the policy's business-hours country (if another one)."""
    from kopiena.policy.selectors import policy_current

    countries = [workspace.country] if workspace.country else []
    policy_country = getattr(policy_current(workspace=workspace).engagement.business_hours, "country", None)
    if policy_country and policy_country not in countries:
        countries.append(policy_country)
    return countries


def shows_namedays(workspace) -> bool:
    return workspace.country == "LV" or "lv" in (workspace.languages or [])


def days_between(*, workspace, start: date, end: date, language: str | None = None) -> list[Day]:
    """Every day entry in [start, end] for ``workspace``, sorted by date then kind, in ``language``."""
    from kopiena.planning.models import LocalEvent

    language = (language or get_language() or "en")[:2]
    entries = public_holidays(workspace_countries(workspace), start, end, language)
    entries += [
        Day(
            day,
            DayKind.OBSERVANCE,
            f"obs:{item.key}",
            item.name(language),
            hashtag=item.hashtag,
            category=item.category,
            note=item.observed_by,
        )
        for day, item in observance_dates(start, end)
    ]
    if shows_namedays(workspace):
        current = start
        while current <= end:
            names = namedays_on(current)
            if names:
                entries.append(
                    Day(current, DayKind.NAMEDAY, f"nameday:{current.isoformat()}", ", ".join(names))
                )
            current += timedelta(days=1)
    events = LocalEvent.objects.filter(workspace=workspace, starts_on__lte=end).exclude(ends_on__lt=start)
    for event in events.exclude(ends_on__isnull=True, starts_on__lt=start):
        first, last = max(event.starts_on, start), min(event.ends_on or event.starts_on, end)
        entries.append(
            Day(first, DayKind.EVENT, f"event:{event.pk}", event.title, note=event.location, url=event.url)
        )
        if last != first:
            entries.append(
                Day(last, DayKind.EVENT, f"event:{event.pk}", event.title, note=event.location, url=event.url)
            )
    order = {DayKind.HOLIDAY: 0, DayKind.EVENT: 1, DayKind.OBSERVANCE: 2, DayKind.NAMEDAY: 3}
    return sorted(entries, key=lambda d: (d.day, order[d.kind]))
