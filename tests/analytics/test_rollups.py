"""Rollups follow their sources incrementally, and the selectors read them: engagement by content type /
theme / weekday × hour with the previous period, DST days in Riga, a platform without reach, an account
without metrics, a deleted post, another workspace's rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kopiena.analytics import selectors as s
from kopiena.analytics.models import EngagementDay, MetricSnapshot, PostStat, RollupCursor
from kopiena.analytics.rollups import rollups_rebuild, rollups_refresh
from kopiena.publishing.models import Delivery, DeliveryState

from .conftest import riga

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 11, 23)


def test_latest_snapshot_wins_and_only_new_rows_are_read(make_account, publish, workspace):
    account = make_account()
    photo = publish(account, riga(MONDAY, 10), likes=4, reposts=1, theme="Motivation Monday")
    publish(account, riga(MONDAY, 10, 30), likes=10, theme="Motivation Monday")
    publish(account, riga(MONDAY + timedelta(days=1), 18), content_type="text", likes=1)
    assert rollups_refresh()["engagement_days"] == 2
    assert PostStat.objects.get(delivery=photo).engagement == 5
    latest = MetricSnapshot.objects.create(
        workspace=workspace, account=account, delivery=photo, taken_at=riga(MONDAY, 20), likes=20, reposts=2
    )
    rollups_refresh()
    assert RollupCursor.objects.get(name="snapshots").last_id == latest.pk  # read once, not again
    assert PostStat.objects.get(delivery=photo).engagement == 22
    Delivery.objects.update(updated_at=riga(MONDAY, 23))  # long ago: nothing new any more
    RollupCursor.objects.filter(name="deliveries").update(last_at=riga(MONDAY + timedelta(days=2), 0))
    assert rollups_refresh()["engagement_days"] == 0

    rows = s.engagement_by(
        workspace=workspace, start=MONDAY, end=MONDAY + timedelta(days=6), by="content_type"
    )
    assert [(g.key, g.totals.posts, g.totals.engagement, g.totals.per_post) for g in rows] == [
        ("photo", 2, 32, 16.0),
        ("text", 1, 1, 1.0),
    ]
    themes = s.engagement_by(workspace=workspace, start=MONDAY, end=MONDAY, by="theme")
    assert [(g.key, g.totals.posts) for g in themes] == [("Motivation Monday", 2)]
    cells = s.engagement_heatmap(workspace=workspace, start=MONDAY, end=MONDAY + timedelta(days=6))
    assert [(c.weekday, c.hour, c.posts, c.per_post) for c in cells] == [(0, 10, 2, 16.0), (1, 18, 1, 1.0)]


def test_previous_period_is_compared(make_account, publish, workspace):
    account = make_account()
    publish(account, riga(MONDAY - timedelta(days=7), 9), likes=2)
    publish(account, riga(MONDAY, 9), likes=6)
    rollups_refresh()
    week = {"workspace": workspace, "start": MONDAY, "end": MONDAY + timedelta(days=6)}
    (group,) = s.engagement_by(**week, by="content_type")
    assert group.totals.per_post == 6.0 and group.previous.per_post == 2.0
    assert s.previous_period(MONDAY, MONDAY + timedelta(days=6)) == (
        MONDAY - timedelta(days=7),
        MONDAY - timedelta(days=1),
    )
    assert (
        s.Figure(6, 2).change == 200.0 and s.Figure(6, 0).change is None and s.Figure(None, 2).change is None
    )


def test_dst_days_in_riga_keep_local_days_and_hours(make_account, publish, workspace):
    # 29 March 2026: clocks go 03:00 → 04:00; 25 October 2026: 04:00 → 03:00.
    account = make_account()
    spring, autumn = date(2026, 3, 29), date(2026, 10, 25)
    publish(account, riga(spring, 0, 30), likes=1)
    publish(account, riga(spring, 23, 30), likes=1)
    publish(account, riga(autumn, 0, 15), likes=1)
    publish(account, riga(autumn, 23, 45), likes=1)
    rollups_refresh()
    days = sorted(EngagementDay.objects.values_list("day", "hour", "posts"))
    assert days == [(spring, 0, 1), (spring, 23, 1), (autumn, 0, 1), (autumn, 23, 1)]


def test_a_platform_without_reach_and_an_account_without_metrics(make_account, publish, workspace):
    measured, silent = make_account("Measured"), make_account("Silent")
    publish(measured, riga(MONDAY, 12), likes=3, views=None)
    publish(silent, riga(MONDAY, 13), likes=None)
    rollups_refresh()
    totals = s.engagement_totals(workspace=workspace, start=MONDAY, end=MONDAY)
    assert (totals.posts, totals.measured, totals.per_post, totals.views_per_post) == (2, 1, 3.0, None)
    assert s.accounts_without_metrics(workspace=workspace, start=MONDAY, end=MONDAY) == [silent.pk]
    assert s.top_posts(workspace=workspace, start=MONDAY, end=MONDAY)[0].account_id == measured.pk
    assert (
        len(s.top_posts(workspace=workspace, start=MONDAY, end=MONDAY)) == 1
    )  # unmeasured posts are not ranked


def test_a_deleted_post_leaves_the_rollups(make_account, publish, workspace):
    account = make_account()
    keep = publish(account, riga(MONDAY, 12), likes=3)
    gone = publish(account, riga(MONDAY, 12), likes=5)
    rollups_refresh()
    Delivery.objects.filter(pk=gone.pk).update(state=DeliveryState.CANCELLED)  # e.g. taken down
    rollups_refresh()
    assert list(PostStat.objects.values_list("delivery_id", flat=True)) == [keep.pk]
    gone.post.delete()  # removed from our database altogether: a rebuild forgets it
    rollups_rebuild(workspace=workspace)
    assert s.engagement_totals(workspace=workspace, start=MONDAY, end=MONDAY).engagement == 3


def test_other_workspaces_rows_never_count(make_account, publish, workspace, other_workspace):
    ours = make_account("Ours")
    theirs = make_account("Theirs", ws=other_workspace)
    publish(ours, riga(MONDAY, 12), likes=1)
    publish(theirs, riga(MONDAY, 12), likes=100)
    rollups_refresh()
    assert s.engagement_totals(workspace=workspace, start=MONDAY, end=MONDAY).engagement == 1
    # Asking for the other workspace's account from ours finds nothing.
    assert s.engagement_totals(workspace=workspace, start=MONDAY, end=MONDAY, account_id=theirs.pk).posts == 0
    assert s.top_posts(workspace=workspace, start=MONDAY, end=MONDAY, account_id=theirs.pk) == []


def test_best_time_and_suggestion(make_account, publish, workspace):
    account = make_account()
    for week in range(3):  # Tuesdays 18:00 engage most; Monday 09:00 less
        publish(account, riga(MONDAY - timedelta(weeks=week) + timedelta(days=1), 18), likes=30)
        publish(account, riga(MONDAY - timedelta(weeks=week), 9), likes=3)
    publish(account, riga(MONDAY, 23), likes=500)  # a single lucky post is not a pattern
    rollups_refresh()
    (best, second) = s.best_times(workspace=workspace, today=MONDAY + timedelta(days=1), top=2)
    assert (best.weekday, best.hour, best.measured) == (1, 18, 3) and (second.weekday, second.hour) == (0, 9)
    at, cell = s.suggest_time(workspace=workspace, after=riga(MONDAY + timedelta(days=7), 12), top=1)
    assert at == riga(MONDAY + timedelta(days=8), 18) and cell.hour == 18
    assert (
        s.suggest_time(workspace=workspace, after=riga(MONDAY, 12), account_id=account.pk + 999) is not None
    )
    rollups_rebuild(workspace=workspace)
    assert s.best_times(workspace=workspace, today=MONDAY + timedelta(days=800)) == []


def test_ten_year_period_and_empty_periods(make_account, publish, workspace):
    account = make_account()
    publish(account, riga(MONDAY, 12), likes=1)
    rollups_refresh()
    start = MONDAY - timedelta(days=3650)
    rows = s.engagement_by(workspace=workspace, start=start, end=MONDAY, by="day")
    assert s.bucket_of(start, MONDAY) == "month" and [g.key for g in rows] == [MONDAY.replace(day=1)]
    empty = {"workspace": workspace, "start": date(2020, 1, 1), "end": date(2020, 1, 31)}
    assert s.engagement_totals(**empty).per_post is None
    assert s.engagement_by(**empty, by="content_type") == []
    assert s.follower_growth(**empty) == [] and s.followers_total(**empty).value is None
    assert s.response_headline(**empty).current.average_hours is None
    assert s.sentiment_series(**empty) == [] and s.top_posts(**empty) == []
    assert s.cadence_kept(**empty) == []


def test_a_big_batch_updates_its_day_rows_within_the_statement_limits(make_account, workspace):
    # A 20,000-event batch touching ~10,000 existing rows sent one UPDATE with more than the 65,535
    # parameters PostgreSQL accepts: the rollup stopped there for good (its cursor never moved).
    from kopiena.analytics import rollups
    from kopiena.analytics.models import ResponseDay

    account = make_account()
    first = date(2000, 1, 1)
    totals = {
        (workspace.pk, account.pk, first + timedelta(days=n), "first", "anna", "moderator", "lv", "comment"): [1, 60.0, 1]
        for n in range(11_000)
    }  # fmt: skip
    rollups._response_days_add(totals)
    rollups._response_days_add(totals)
    assert ResponseDay.objects.filter(answered=2).count() == 11_000


def test_cadence_counts_days_and_monday_weeks_over_the_policys_limits(make_account, publish, workspace):
    # The default policy allows 2 posts a day and 10 a week. Week 1: 3 on Monday (a day over), 2 a day
    # Tuesday–Saturday (13 in the week: a week over); week 2: 3 on Sunday 23:30 Riga (its own local day,
    # still week 2). Another account posts once; a third never.
    busy, quiet, _silent = make_account("Busy"), make_account("Quiet"), make_account("Silent")
    monday = date(2026, 11, 2)
    for minute in (0, 10, 20):
        publish(busy, riga(monday, 9, minute), likes=1)
    for day in range(1, 6):
        for hour in (9, 15):
            publish(busy, riga(monday + timedelta(days=day), hour), likes=1)
    for minute in (0, 10, 30):
        publish(busy, riga(monday + timedelta(days=13), 23, minute), likes=1)
    publish(quiet, riga(monday, 12), likes=None)
    rollups_refresh()
    lines = s.cadence_kept(workspace=workspace, start=monday, end=monday + timedelta(days=13))
    got = [(x.account_id, x.posts, x.busiest_day, x.days_over, x.weeks_over) for x in lines]
    assert got == [(busy.pk, 16, 3, 2, 1), (quiet.pk, 1, 1, 0, 0)]
    assert (lines[0].max_per_day, lines[0].max_per_week) == (2, 10)
    (only,) = s.cadence_kept(
        workspace=workspace, start=monday, end=monday + timedelta(days=6), account_id=busy.pk
    )
    assert (only.posts, only.days_over, only.weeks_over) == (13, 1, 1)
    assert s.cadence_kept(workspace=workspace, start=monday, end=monday, account_id=_silent.pk) == []
