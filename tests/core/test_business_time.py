"""Business time: worked examples (Riga, DST, midnight windows, holidays) and hypothesis properties."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kopiena.core.business_time import (
    BusinessCalendar,
    NeverOpen,
    add_business_seconds,
    business_seconds_between,
    is_open,
    next_open,
)

RIGA = ZoneInfo("Europe/Riga")
HOUR = 3600

ROASTERY = BusinessCalendar.build(
    timezone="Europe/Riga",
    weekly={d: [("09:00", "18:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
    | {"sat": [("10:00", "14:00")]},
    country="LV",
)
# Split shifts, a night window crossing midnight, and a whole-day Sunday; with closed/open dates.
NIGHT_SHIFT = BusinessCalendar.build(
    timezone="Europe/Riga",
    weekly={
        "mon": [("08:00", "12:00"), ("13:00", "17:00")],
        "tue": [("08:00", "12:00"), ("13:00", "17:00")],
        "wed": [("22:00", "02:00")],
        "thu": [("00:30", "01:30"), ("09:00", "17:00")],
        "fri": [("20:00", "06:00")],
        "sat": [("02:00", "05:00")],
        "sun": [("00:00", "24:00")],
    },
    country="LV",
    closed_dates=["2026-07-06"],
    open_dates={"2026-06-24": [("10:00", "12:00")]},
)
CALENDARS = [ROASTERY, NIGHT_SHIFT]


def riga(*args) -> datetime:
    return datetime(*args, tzinfo=RIGA)


def test_add_within_one_day_and_across_the_weekend():
    # Friday 16:00 + 4 business hours: 2 h on Friday, then Saturday 10:00–12:00.
    assert add_business_seconds(ROASTERY, riga(2026, 11, 27, 16), 4 * HOUR) == riga(2026, 11, 28, 12)
    # Saturday 13:00 + 3 h: 1 h on Saturday, Sunday closed, Monday 09:00 + 2 h.
    assert add_business_seconds(ROASTERY, riga(2026, 11, 28, 13), 3 * HOUR) == riga(2026, 11, 30, 11)


def test_result_is_utc_and_lands_on_window_end_exactly():
    result = add_business_seconds(ROASTERY, riga(2026, 11, 27, 9), 9 * HOUR)
    assert result == riga(2026, 11, 27, 18)
    assert result.tzinfo is UTC


def test_latvian_public_holidays_are_closed():
    # 18 November (Proclamation Day) 2026 is a Wednesday; 17th 17:00 + 2 h lands on the 19th at 10:00.
    assert not is_open(ROASTERY, riga(2026, 11, 18, 12))
    assert add_business_seconds(ROASTERY, riga(2026, 11, 17, 17), 2 * HOUR) == riga(2026, 11, 19, 10)
    # Līgo and Jāņi (23–24 June) are holidays; the custom open date reopens 24 June 10–12 only.
    assert not is_open(NIGHT_SHIFT, riga(2026, 6, 23, 9))
    assert is_open(NIGHT_SHIFT, riga(2026, 6, 24, 11))
    assert not is_open(NIGHT_SHIFT, riga(2026, 6, 24, 13))


def test_custom_closed_date():
    assert is_open(NIGHT_SHIFT, riga(2026, 6, 29, 9))  # an ordinary Monday
    assert not is_open(NIGHT_SHIFT, riga(2026, 7, 6, 9))  # closed for stock-taking


def test_window_crossing_midnight_belongs_to_its_start_day():
    # Wednesday 22:00 → Thursday 02:00, overlapping Thursday's own 00:30–01:30 (merged, not counted twice).
    wed_night = riga(2026, 12, 2, 23)
    assert is_open(NIGHT_SHIFT, wed_night)
    assert is_open(NIGHT_SHIFT, riga(2026, 12, 3, 1, 45))
    assert not is_open(NIGHT_SHIFT, riga(2026, 12, 3, 2, 0))
    assert business_seconds_between(NIGHT_SHIFT, riga(2026, 12, 2, 21), riga(2026, 12, 3, 3)) == 4 * HOUR
    # Friday 20:00 → Saturday 06:00 then Saturday's own 02:00–05:00 is inside it; Sunday is all day.
    assert business_seconds_between(NIGHT_SHIFT, riga(2026, 12, 4, 19), riga(2026, 12, 5, 7)) == 10 * HOUR
    assert business_seconds_between(NIGHT_SHIFT, riga(2026, 12, 6, 0), riga(2026, 12, 7, 0)) == 24 * HOUR


def test_dst_spring_forward_in_riga_shortens_a_night_window():
    # 29 March 2026: 03:00 EET jumps to 04:00 EEST. Saturday 28th's Friday-night window is before it;
    # Sunday is "all day", which that Sunday has only 23 real hours.
    day = riga(2026, 3, 29, 0)
    assert business_seconds_between(NIGHT_SHIFT, day, riga(2026, 3, 30, 0)) == 23 * HOUR
    # A Sunday 02:00–05:00 window spans the jump: 3 hours on paper, 2 real hours.
    sunday_night = BusinessCalendar.build(timezone="Europe/Riga", weekly={"sun": [("02:00", "05:00")]})
    assert business_seconds_between(sunday_night, riga(2026, 3, 29, 0), riga(2026, 3, 29, 12)) == 2 * HOUR
    assert add_business_seconds(sunday_night, riga(2026, 3, 29, 0), HOUR) == riga(2026, 3, 29, 4)
    # ...and on 25 October the same window has 4 real hours.
    assert business_seconds_between(sunday_night, riga(2026, 10, 25, 0), riga(2026, 10, 25, 12)) == 4 * HOUR


def test_dst_fall_back_in_riga_lengthens_the_day():
    # 25 October 2026: 04:00 EEST falls back to 03:00 EET; that Sunday has 25 real hours.
    assert business_seconds_between(NIGHT_SHIFT, riga(2026, 10, 25, 0), riga(2026, 10, 26, 0)) == 25 * HOUR
    # Across the change, Saturday 24th 13:00 + 2 h: 1 h Saturday, then Monday 09:00 + 1 h (roastery).
    assert add_business_seconds(ROASTERY, riga(2026, 10, 24, 13), 2 * HOUR) == riga(2026, 10, 26, 10)


def test_next_open():
    assert next_open(ROASTERY, riga(2026, 11, 27, 12)) == riga(2026, 11, 27, 12)
    assert next_open(ROASTERY, riga(2026, 11, 27, 18)) == riga(2026, 11, 28, 10)
    assert next_open(ROASTERY, riga(2026, 11, 28, 15)) == riga(2026, 11, 30, 9)


def test_between_is_antisymmetric_and_zero_on_equal_instants():
    a, b = riga(2026, 11, 23, 8), riga(2026, 11, 25, 12)
    assert business_seconds_between(ROASTERY, a, b) == 9 * HOUR + 9 * HOUR + 3 * HOUR
    assert business_seconds_between(ROASTERY, b, a) == -(21 * HOUR)
    assert business_seconds_between(ROASTERY, a, a) == 0


def test_refuses_naive_datetimes_and_calendars_that_never_open():
    with pytest.raises(ValueError):
        is_open(ROASTERY, datetime(2026, 11, 27, 12))
    never = BusinessCalendar.build(timezone="Europe/Riga", weekly={})
    with pytest.raises(NeverOpen):
        next_open(never, riga(2026, 1, 1))
    closed_for_ever = BusinessCalendar.build(
        timezone="UTC", weekly={"mon": [("09:00", "10:00")]}, closed_dates=[], country=None
    )
    assert next_open(closed_for_ever, datetime(2026, 1, 1, tzinfo=UTC)) == datetime(2026, 1, 5, 9, tzinfo=UTC)


def test_data_round_trip_and_policy_spelling():
    assert BusinessCalendar.build(**NIGHT_SHIFT.as_data()) == NIGHT_SHIFT
    assert NIGHT_SHIFT.as_data()["weekly"]["sun"] == [["00:00", "24:00"]]
    policy_style = BusinessCalendar.build(timezone="Europe/Riga", weekly={"sunday": [("00:00", "24:00")]})
    assert policy_style.weekly[6] == NIGHT_SHIFT.weekly[6]
    with pytest.raises(ValueError):
        BusinessCalendar.build(timezone="Europe/Riga", weekly={"someday": [("09:00", "10:00")]})


def test_fast_enough_for_a_report_over_thousands_of_items():
    import time as clock

    start = riga(2026, 1, 5, 8)
    began = clock.perf_counter()
    for n in range(5000):
        at = start + timedelta(minutes=37 * n)
        due = add_business_seconds(ROASTERY, at, 6 * HOUR)
        business_seconds_between(ROASTERY, at, due)
    assert clock.perf_counter() - began < 5.0


# --- properties -------------------------------------------------------------------------------------

# Instants spread over 2026–2027 (both Riga DST changes), to the second, and concentrated near them.
dst_edges = [riga(2026, 3, 29, 3), riga(2026, 10, 25, 3), riga(2027, 3, 28, 3), riga(2027, 10, 31, 3)]
instants = st.one_of(
    st.integers(0, 2 * 365 * 86400).map(lambda s: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=s)),
    st.tuples(st.sampled_from(dst_edges), st.integers(-3 * 86400, 3 * 86400)).map(
        lambda p: p[0] + timedelta(seconds=p[1])
    ),
)
durations = st.integers(0, 40 * 86400)
calendars = st.sampled_from(CALENDARS)


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=instants, seconds=durations)
def test_add_then_between_round_trips(cal, start, seconds):
    end = add_business_seconds(cal, start, seconds)
    assert end >= start
    assert business_seconds_between(cal, start, end) == seconds


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=instants, seconds=st.integers(1, 40 * 86400))
def test_never_lands_in_a_closed_period(cal, start, seconds):
    end = add_business_seconds(cal, start, seconds)
    assert is_open(cal, end - timedelta(microseconds=1))


@settings(max_examples=200, deadline=None)
@given(cal=calendars, start=instants, a=durations, b=durations)
def test_add_is_monotonic_and_additive(cal, start, a, b):
    small, large = sorted((a, b))
    assert add_business_seconds(cal, start, small) <= add_business_seconds(cal, start, large)
    assert add_business_seconds(cal, add_business_seconds(cal, start, a), b) == add_business_seconds(
        cal, start, a + b
    ) or not is_open(cal, add_business_seconds(cal, start, a))


@settings(max_examples=300, deadline=None)
@given(cal=calendars, at=instants)
def test_next_open_is_open_and_nothing_is_open_before_it(cal, at):
    opened = next_open(cal, at)
    assert opened >= at
    assert is_open(cal, opened)
    assert business_seconds_between(cal, at, opened) == 0


@settings(max_examples=200, deadline=None)
@given(cal=calendars, a=instants, b=instants, c=instants)
def test_between_adds_up_over_a_split(cal, a, b, c):
    a, b, c = sorted((a, b, c))
    assert business_seconds_between(cal, a, c) == business_seconds_between(
        cal, a, b
    ) + business_seconds_between(cal, b, c)


@settings(max_examples=300, deadline=None)
@given(at=instants)
def test_is_open_agrees_with_the_wall_clock(at):
    local = at.astimezone(RIGA)
    weekday, hour = local.weekday(), local.time()
    if local.date() in holidays.country_holidays("LV", years=local.year):
        assert not is_open(ROASTERY, at)
        return
    expected = (weekday < 5 and time(9) <= hour < time(18)) or (weekday == 5 and time(10) <= hour < time(14))
    assert is_open(ROASTERY, at) == expected
