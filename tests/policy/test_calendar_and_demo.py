"""The policy's business hours as a core.business_time calendar, and the demo's first policy version."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kopiena.core.business_time import BusinessCalendar, windows_on
from kopiena.core.demo import DEMO_BUSINESS_HOURS, DemoContext
from kopiena.policy.defaults import default_policy
from kopiena.policy.demo import load_policy
from kopiena.policy.models import PolicyVersion
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import business_calendar_for, policy_current
from kopiena.policy.services import policy_save
from kopiena.teams.models import Role


def test_business_calendar_uses_policy_hours_and_workspace_defaults(workspace):
    data = default_policy().to_data()
    data["engagement"]["business_hours"].update(
        weekly={
            "saturday": [{"start": "10:00", "end": "14:00"}],
            "friday": [{"start": "20:00", "end": "02:00"}],
        },
        closed_dates=["2026-12-26"],
        open_dates=[{"date": "2026-12-27", "windows": [{"start": "11:00", "end": "13:00"}]}],
    )
    policy_save(access=None, workspace=workspace, document=PolicyDocument.model_validate(data))
    calendar = business_calendar_for(workspace=workspace)
    assert calendar.timezone == "Europe/Riga"
    assert calendar.country == "LV"
    saturday = datetime(2026, 11, 28, tzinfo=ZoneInfo("Europe/Riga")).date()
    assert [(s.strftime("%H:%M"), e.strftime("%H:%M")) for s, e in windows_on(calendar, saturday)] == [
        ("10:00", "14:00")
    ]
    assert windows_on(calendar, datetime(2026, 12, 26).date()) == ()  # closed (and a holiday)
    sunday = datetime(2026, 12, 27).date()
    assert [(s.strftime("%H:%M"), e.strftime("%H:%M")) for s, e in windows_on(calendar, sunday)] == [
        ("11:00", "13:00")
    ]


def test_demo_saves_a_first_version_once(workspace, owner):
    ctx = DemoContext(
        workspace=workspace,
        people={Role.OWNER: owner},
        password="-",
        calendar=BusinessCalendar.build(**DEMO_BUSINESS_HOURS),
        log=lambda line: None,
    )
    load_policy(ctx)
    load_policy(ctx)
    assert PolicyVersion.objects.count() == 1
    policy = policy_current(workspace=workspace)
    assert policy.publishing.links.own_domains == ["grauzdetava.example.lv"]
    assert [w.start for w in policy.engagement.business_hours.weekly["saturday"]] == ["10:00"]
