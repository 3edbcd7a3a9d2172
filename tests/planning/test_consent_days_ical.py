"""C6 consent, the days calendar and iCal import (bad input writes nothing)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kopiena.core.errors import DomainError
from kopiena.planning import days
from kopiena.planning.models import EventFeed, LocalEvent
from kopiena.planning.services import (
    consent_create,
    consent_withdraw,
    event_feed_add,
    post_consent_link,
)
from kopiena.publishing.models import Post
from kopiena.publishing.services import ScheduleRefused, post_create, post_schedule
from tests.publishing.conftest import daytime

ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:run-1\r
DTSTART;VALUE=DATE:%s\r
SUMMARY:Vecrigas labdaribas skrejiens\r
LOCATION:Doma laukums\r
END:VEVENT\r
END:VCALENDAR\r
"""


def _consent(access, accounts, **extra):
    return consent_create(
        access=access,
        person_name="Laura",
        purpose="Her review",
        account_ids=[a.pk for a in accounts],
        evidence_url="https://example.lv/msg/1",
        **extra,
    )


def test_a_testimonial_without_consent_cannot_be_scheduled(manager_access, make_account):
    account = make_account("Mastodon", approval_required=False)
    post = post_create(
        access=manager_access, account_ids=[account.pk], text="Labākā kafija!", tags=["testimonial"]
    )
    with pytest.raises(ScheduleRefused) as refused:
        post_schedule(access=manager_access, post_id=post.pk, at=daytime(2), override_reason="I say so")
    assert refused.value.problems[0].rule == "consent.missing" and not refused.value.overridable

    post_consent_link(
        access=manager_access, post_id=post.pk, consent_id=_consent(manager_access, [account]).pk
    )
    post_schedule(access=manager_access, post_id=post.pk, at=daytime(2))  # now it may


def test_consent_must_cover_the_account_and_last_until_the_post(manager_access, make_account):
    account, other = make_account("Mastodon", approval_required=False), make_account("Bluesky")
    consent = _consent(manager_access, [other], expires_on=daytime(1).date())
    post = post_create(access=manager_access, account_ids=[account.pk], text="Atsauksme")
    post_consent_link(access=manager_access, post_id=post.pk, consent_id=consent.pk)
    with pytest.raises(ScheduleRefused) as refused:
        post_schedule(access=manager_access, post_id=post.pk, at=daytime(3))
    assert {p.rule for p in refused.value.problems} >= {"consent.accounts", "consent.expired"}


def test_consent_bad_input_writes_nothing(manager_access, make_account):
    account = make_account("Mastodon")
    with pytest.raises(DomainError, match="past"):
        _consent(manager_access, [account], expires_on=date(2020, 1, 1))
    with pytest.raises(DomainError, match="evidence"):
        consent_create(access=manager_access, person_name="A", purpose="B", account_ids=[account.pk])
    from kopiena.planning.models import Consent

    assert not Consent.objects.exists()


def test_withdrawing_consent_flags_the_scheduled_posts(manager_access, make_account):
    account = make_account("Mastodon", approval_required=False)
    consent = _consent(manager_access, [account])
    post = post_create(
        access=manager_access, account_ids=[account.pk], text="Atsauksme", tags=["testimonial"]
    )
    post_consent_link(access=manager_access, post_id=post.pk, consent_id=consent.pk)
    post_schedule(access=manager_access, post_id=post.pk, at=daytime(2))
    assert consent_withdraw(access=manager_access, consent_id=consent.pk, reason="asked by phone") == [
        post.pk
    ]
    assert "consent.withdrawn" in [f["code"] for f in Post.objects.get(pk=post.pk).policy_flags]


def test_days_have_holidays_namedays_and_observances_in_the_readers_language(workspace):
    found = days.days_between(
        workspace=workspace, start=date(2027, 5, 4), end=date(2027, 5, 4), language="lv"
    )
    kinds = {d.kind for d in found}
    assert kinds >= {days.DayKind.HOLIDAY, days.DayKind.NAMEDAY, days.DayKind.OBSERVANCE}
    assert any("Neatkarības" in d.name for d in found if d.kind == days.DayKind.HOLIDAY)
    english = days.days_between(
        workspace=workspace, start=date(2027, 10, 8), end=date(2027, 10, 8), language="en"
    )
    assert "World Octopus Day" in [d.name for d in english]


def test_the_data_file_has_300_real_days_in_every_month_with_rules_that_resolve():
    items = days.observances()
    assert len(items) >= 300
    for year in (2026, 2027, 2028):
        months = {days.rule_date(item.rule, year).month for item in items}
        assert months == set(range(1, 13))
    assert all(item.names["lv"] and item.names["ru"] and item.hashtag.startswith("#") for item in items)
    assert days.rule_date("nth:4:thu:11+1", 2026) == date(2026, 11, 27)  # Black Friday
    assert days.rule_date("nth:2:tue:02", 2027) == date(2027, 2, 9)  # Safer Internet Day


def test_an_ical_feed_is_imported(manager_access, httpserver, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the test server listens on 127.0.0.1
    day = date.today() + timedelta(days=10)
    httpserver.expect_request("/events.ics").respond_with_data(ICS % day.strftime("%Y%m%d").encode())
    feed = event_feed_add(access=manager_access, name="Rīga", url=httpserver.url_for("/events.ics"))
    assert feed.event_count == 1
    assert LocalEvent.objects.get(feed=feed).starts_on == day


@pytest.mark.parametrize("case", ["malformed", "huge", "unreachable", "private"])
def test_bad_ical_feeds_are_refused_and_nothing_is_written(case, manager_access, httpserver, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = case != "private"
    if case == "malformed":
        httpserver.expect_request("/x.ics").respond_with_data(b"<html>not a calendar</html>")
    elif case == "huge":
        httpserver.expect_request("/x.ics").respond_with_data(
            b"BEGIN:VCALENDAR\r\n" + b"X" * (3 * 1024 * 1024)
        )
    elif case == "private":
        httpserver.expect_request("/x.ics").respond_with_data(ICS % b"20300101")
    url = httpserver.url_for("/x.ics") if case != "unreachable" else "http://127.0.0.1:9/x.ics"
    with pytest.raises(DomainError) as error:
        event_feed_add(access=manager_access, name="x", url=url)
    assert error.value.message
    assert not EventFeed.objects.exists() and not LocalEvent.objects.exists()
