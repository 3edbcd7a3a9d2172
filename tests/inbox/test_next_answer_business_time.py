"""Next-answer deadlines in business time through the real SLA path (ingest → our reply accepted by the
platform → the customer writes again → a new ``next`` AppliedSla), for the cases the worked examples in
tests/inbox/test_next_answer_sla.py leave out: spring DST (a night window and a working week), working
windows past midnight running into a weekend or a public holiday, the workspace's own closed and open
dates, business hours in another time zone with another DST date, writing while closed, business time
switched off, and the clock's "due soon"/"overdue" notices across a weekend."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from kopiena.inbox import sla_clock
from kopiena.inbox.models import SlaKind, SlaStatus
from kopiena.publishing.models import Notification
from kopiena.teams.models import Role
from tests.inbox.test_next_answer_sla import (  # noqa: F401 - clock is a fixture
    RIGA,
    answered_then_again,
    clock,
    riga,
    set_policy,
    write,
)

pytestmark = pytest.mark.django_db
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS = DAYS[:5]
OFFICE = {day: [{"start": "09:00", "end": "18:00"}] for day in WEEKDAYS}


def next_sla(thread):
    sla = thread.slas.get(kind=SlaKind.NEXT)
    assert sla.state == SlaStatus.RUNNING and thread.response_due_at == sla.due_at
    return sla


def test_spring_dst_shortens_a_night_window_for_a_next_answer(account, owner_access, clock):  # noqa: F811
    night = [{"start": "22:00", "end": "06:00"}]
    set_policy(owner_access, weekly={day: night for day in DAYS}, next_seconds=6 * 3600)
    # Riga moves to summer time at 03:00 on Sunday 29 March 2026: Saturday's night window is 7 real hours.
    thread = answered_then_again(
        account, clock, riga(2026, 3, 28, 22, 0), riga(2026, 3, 28, 22, 30), riga(2026, 3, 28, 23, 30)
    )
    # 5.5 h until 06:00 summer time (03:00 UTC), the last 0.5 h in Sunday's window from 22:00.
    assert next_sla(thread).due_at == riga(2026, 3, 29, 22, 30)
    assert thread.response_due_at == datetime(2026, 3, 29, 19, 30, tzinfo=UTC)


def test_a_working_week_across_the_spring_dst_weekend(account, owner_access, clock):  # noqa: F811
    set_policy(owner_access, weekly=OFFICE)
    thread = answered_then_again(
        account, clock, riga(2026, 3, 27, 10, 0), riga(2026, 3, 27, 11, 0), riga(2026, 3, 27, 17, 0)
    )
    # 1 h on Friday (winter time, UTC+2), 1 h on Monday (summer time, UTC+3): 10:00 local is 07:00 UTC.
    assert thread.response_due_at == riga(2026, 3, 30, 10, 0) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    sla = next_sla(thread)
    assert sla.started_at == riga(2026, 3, 27, 17, 0) and sla.target_seconds == 2 * 3600


def test_a_window_past_midnight_runs_into_the_weekend(account, owner_access, clock):  # noqa: F811
    evening = [{"start": "20:00", "end": "02:00"}]
    set_policy(owner_access, weekly={day: evening for day in WEEKDAYS})
    # Friday's window is open until 02:00 on Saturday; Saturday and Sunday have none.
    thread = answered_then_again(
        account, clock, riga(2026, 11, 27, 20, 30), riga(2026, 11, 27, 21, 0), riga(2026, 11, 28, 1, 0)
    )
    assert thread.response_due_at == riga(2026, 11, 30, 21, 0)  # 1 h on Saturday night, 1 h on Monday


def test_a_window_past_midnight_into_a_public_holiday_belongs_to_its_start_day(
    account,
    owner_access,
    clock,  # noqa: F811
):
    evening = [{"start": "20:00", "end": "02:00"}]
    set_policy(owner_access, weekly={day: evening for day in WEEKDAYS})
    # 18 November 2026 (Wednesday) is a Latvian public holiday: Tuesday's window still runs until 02:00
    # on it, but the holiday's own evening window is closed; Thursday's opens at 20:00.
    thread = answered_then_again(
        account, clock, riga(2026, 11, 17, 20, 30), riga(2026, 11, 17, 21, 0), riga(2026, 11, 18, 1, 0)
    )
    assert thread.response_due_at == riga(2026, 11, 19, 21, 0)


def test_the_workspaces_own_closed_date_stops_the_clock(account, owner_access, clock):  # noqa: F811
    set_policy(owner_access, weekly=OFFICE, hours={"closed_dates": ["2026-12-01"]})  # a Tuesday
    thread = answered_then_again(
        account, clock, riga(2026, 11, 30, 10, 0), riga(2026, 11, 30, 11, 0), riga(2026, 11, 30, 17, 0)
    )
    assert thread.response_due_at == riga(2026, 12, 2, 10, 0)  # 1 h Monday, Tuesday closed, 1 h Wednesday


def test_an_open_date_on_a_holiday_weekend_counts(account, owner_access, clock):  # noqa: F811
    open_sunday = [{"date": "2026-12-27", "windows": [{"start": "10:00", "end": "14:00"}]}]
    set_policy(owner_access, weekly=OFFICE, hours={"open_dates": open_sunday})
    # 24–26 December are holidays in Latvia; the team works on Sunday the 27th from 10 to 14.
    thread = answered_then_again(
        account, clock, riga(2026, 12, 23, 10, 0), riga(2026, 12, 23, 11, 0), riga(2026, 12, 23, 17, 30)
    )
    assert thread.response_due_at == riga(2026, 12, 27, 11, 30)


def test_business_hours_in_another_time_zone_with_its_own_dst_date(
    account,
    owner_access,
    clock,  # noqa: F811
):
    nine_to_five = {day: [{"start": "09:00", "end": "17:00"}] for day in WEEKDAYS}
    set_policy(owner_access, weekly=nine_to_five, hours={"timezone": "America/New_York"})
    new_york = ZoneInfo("America/New_York")
    # Riga left summer time on 25 October, New York leaves it on Sunday 1 November 2026.
    written = datetime(2026, 10, 30, 16, 0, tzinfo=new_york)  # Friday 16:00 EDT = 20:00 UTC
    thread = answered_then_again(
        account,
        clock,
        datetime(2026, 10, 30, 10, 0, tzinfo=new_york),
        datetime(2026, 10, 30, 11, 0, tzinfo=new_york),
        written,
    )
    # 1 h on Friday, 1 h on Monday from 09:00 EST (14:00 UTC).
    assert thread.response_due_at == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    assert thread.response_due_at.astimezone(RIGA).hour == 17


def test_writing_again_while_closed_starts_the_clock_at_the_next_opening(
    account,
    owner_access,
    clock,  # noqa: F811
):
    set_policy(owner_access, weekly=OFFICE)
    thread = answered_then_again(
        account, clock, riga(2026, 11, 27, 10, 0), riga(2026, 11, 27, 11, 0), riga(2026, 11, 28, 15, 0)
    )
    sla = next_sla(thread)
    assert sla.started_at == riga(2026, 11, 28, 15, 0)  # when they wrote (a Saturday)
    assert sla.due_at == riga(2026, 11, 30, 11, 0)  # Monday 09:00 + 2 business hours
    assert sla.warn_at == riga(2026, 11, 30, 10, 30)  # 75 % of the target, in business time too


def test_with_business_time_off_the_next_answer_runs_on_the_wall_clock(
    account,
    owner_access,
    clock,  # noqa: F811
):
    set_policy(owner_access, weekly=OFFICE, business_time=False)
    thread = answered_then_again(
        account, clock, riga(2026, 11, 27, 10, 0), riga(2026, 11, 27, 11, 0), riga(2026, 11, 27, 17, 0)
    )
    sla = next_sla(thread)
    assert sla.business_time is False and sla.due_at == riga(2026, 11, 27, 19, 0)  # Friday evening


def test_due_soon_and_overdue_wait_for_the_working_week(account, owner_access, member, clock):  # noqa: F811
    set_policy(owner_access, weekly=OFFICE)
    moderator = member(Role.MODERATOR)
    thread = answered_then_again(
        account, clock, riga(2026, 11, 27, 10, 0), riga(2026, 11, 27, 11, 0), riga(2026, 11, 27, 17, 30)
    )
    sla = next_sla(thread)  # 2 h: 30 min on Friday, 90 min on Monday
    assert (sla.warn_at, sla.due_at) == (riga(2026, 11, 30, 10, 0), riga(2026, 11, 30, 10, 30))
    for quiet in (riga(2026, 11, 27, 19, 30), riga(2026, 11, 28, 12, 0), riga(2026, 11, 30, 9, 59)):
        assert sla_clock.slas_tick(at=quiet) == {"warned": 0, "breached": 0}  # the weekend is not counted
    assert sla_clock.slas_tick(at=riga(2026, 11, 30, 10, 1)) == {"warned": 1, "breached": 0}
    assert sla_clock.slas_tick(at=riga(2026, 11, 30, 10, 31)) == {"warned": 0, "breached": 1}
    assert Notification.objects.filter(kind="inbox.sla_overdue", recipient=moderator).count() == 1
    sla.refresh_from_db()
    assert sla.state == SlaStatus.BREACHED and sla.breached_at == riga(2026, 11, 30, 10, 30)
