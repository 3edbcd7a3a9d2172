"""Integers and dates from outside (query strings, form fields, JSON, API parameters) checked against the
database's and the calendar's range.

Python ints are unbounded; the database's are not. SQLite raises OverflowError for a parameter beyond 64
bits, PostgreSQL a DataError beyond its column type — both a 500 unless the value is checked first
(issue 9 item 11: ``/inbox/?account=2**70``). Ids are ``bigint`` (``BigAutoField``) everywhere here.
Dates likewise: year 1 or 9999 overflows the moment a week or an offset is added to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Field

from kopiena.core.errors import DomainError

DB_INT_MIN = -(2**63)
DB_INT_MAX = 2**63 - 1

# An id parameter of the REST API: a row id can only be a positive bigint, so anything else is a 422.
DbId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]


def db_int(
    raw: object, *, default: int | None = None, minimum: int = 1, maximum: int = DB_INT_MAX
) -> int | None:
    """``raw`` (a str of digits or an int) as an int in ``[minimum, maximum]``, else ``default``; never raises."""
    if isinstance(raw, bool):
        return default
    if isinstance(raw, str):
        text = raw.strip()
        if not text.lstrip("-").isdigit() or len(text) > 20:
            return default
        raw = int(text)
    if not isinstance(raw, int) or not minimum <= raw <= maximum:
        return default
    return raw


def db_ids(values: Iterable[object]) -> list[int]:
    """The values that can be row ids (positive bigints), in order; the rest dropped."""
    return [n for n in (db_int(v) for v in values) if n is not None]


# ---------------------------------------------------------------- dates
# The years a person can mean. Python's own ends (year 1 and 9999) overflow as soon as anything adds a
# week, a time zone offset or a holiday lookup to them; nothing here is planned before 1900 or after 9000.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(9000, 12, 31)
_EARLIEST = datetime(1900, 1, 2, tzinfo=UTC)  # a day of slack: any time zone's 1 January 1900 is inside
_LATEST = datetime(9000, 12, 30, tzinfo=UTC)


def out_of_range_message() -> str:
    return _("Choose a date between %(first)s and %(last)s.") % {
        "first": EARLIEST_DAY.year,
        "last": LATEST_DAY.year,
    }


def day_in_range(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def moment_in_range(moment: datetime) -> bool:
    """An aware (or naive: taken as UTC) time inside the supported years."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        return _EARLIEST <= aware <= _LATEST
    except OverflowError:  # an offset that pushes it past datetime's own ends
        return False


def check_day(day: date, *, field: str | None = None) -> date:
    if not day_in_range(day):
        raise DomainError(out_of_range_message(), field=field, code="out_of_range")
    return day


def check_moment(moment: datetime, *, field: str | None = None) -> datetime:
    if not moment_in_range(moment):
        raise DomainError(out_of_range_message(), field=field, code="out_of_range")
    return moment


# ---------------------------------------------------------------- REST API parameter types
# pydantic reads "0.5" as a Unix timestamp and "0" as 1970-01-01; the document says ISO 8601, so only
# ISO 8601 is accepted (anything else is the 422 the document describes).
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso(pattern: re.Pattern, what: str):
    def check(value: object) -> object:
        if isinstance(value, str) and not pattern.match(value):
            raise ValueError(f"expected an ISO 8601 {what}")
        return value

    return BeforeValidator(check)


IsoDate = Annotated[date, _iso(_ISO_DAY, "date (YYYY-MM-DD)")]
IsoDatetime = Annotated[datetime, _iso(_ISO_MOMENT, "date and time (YYYY-MM-DDTHH:MM[:SS][±HH:MM])")]
