"""The analytics page, its exports and REST endpoints, "suggest a time", the role-aware navigation, the
response-time and sentiment rollups from the inbox, and daily account snapshots from the sandbox."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from kopiena.analytics import selectors as s
from kopiena.analytics.accounts import account_snapshots_poll
from kopiena.analytics.models import AccountSnapshot, ResponseDay, SentimentDay
from kopiena.analytics.rollups import rollups_rebuild, rollups_refresh
from kopiena.inbox.models import Reply, ReplyState, Thread
from kopiena.inbox.services import items_ingest
from kopiena.inbox.sla_clock import sla_answer
from kopiena.integrations.services import account_connect
from kopiena.publishing.fakeplatform import use_fake_platform
from kopiena.sandbox.server import start_sandbox
from kopiena.teams.models import Role
from tests.api.conftest import api_client  # noqa: F401  (fixture)
from tests.inbox.conftest import BASE, remote
from tests.publishing.test_mastodon_sandbox import QuickMastodon

from .conftest import riga

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 11, 23)


def _url(workspace, name="analytics", **kwargs):
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


def test_analyst_sees_every_section_and_contributor_not_even_the_link(
    login, member, workspace, make_account, publish
):
    account = make_account()
    publish(account, riga(MONDAY, 10), likes=5, views=100, theme="Tuesday tip")
    publish(account, riga(MONDAY, 11), likes=None)
    rollups_refresh()
    analyst = login(member(Role.ANALYST))
    page = analyst.get(_url(workspace), {"start": "2026-11-23", "end": "2026-11-29"}).text
    for testid in (
        "figure-posts",
        "engagement-table",
        "engagement-theme",
        "heatmap",
        "mix-table",
        "cadence-table",
    ):
        assert f'data-testid="{testid}"' in page, testid
    assert "Tuesday tip" in page and "kp-analytics-data" in page
    assert 'data-testid="followers-empty"' in page  # no account snapshots yet: said, not failed
    assert account.name in page  # the account that published without figures is named
    assert f'href="/w/{workspace.slug}/analytics/"' in page

    contributor = login(member(Role.CONTRIBUTOR))
    assert contributor.get(_url(workspace)).status_code == 403
    calendar = contributor.get(reverse("calendar", kwargs={"ws": workspace.slug})).text
    assert f'href="/w/{workspace.slug}/analytics/"' not in calendar


def test_bad_periods_and_foreign_accounts(login, member, workspace, other_workspace, make_account):
    client = login(member(Role.ANALYST))
    theirs = make_account("Theirs", ws=other_workspace)
    ten_years = client.get(_url(workspace), {"start": "2000-01-01", "end": "2026-11-29"})
    assert ten_years.status_code == 200 and "cut to the last ten years" in ten_years.text
    swapped = client.get(_url(workspace), {"start": "2026-11-29", "end": "2026-11-01"})
    assert swapped.status_code == 200 and "swapped" in swapped.text
    assert client.get(_url(workspace), {"start": "nonsense", "days": "x"}).status_code == 200
    empty = client.get(_url(workspace), {"start": "2001-01-01", "end": "2001-01-31"}).text
    assert 'data-testid="engagement-empty"' in empty and 'data-testid="sentiment-empty"' in empty
    assert client.get(_url(workspace), {"account": theirs.pk}).status_code == 404
    assert client.get(_url(workspace), {"account": "x"}).status_code == 404
    export = _url(workspace, "analytics_export", table="mix", fmt="csv")
    assert client.get(export, {"account": theirs.pk}).status_code == 404
    assert client.get(_url(workspace, "analytics_export", table="nope", fmt="csv")).status_code == 404


def test_exports_neutralise_formulas_and_are_audited(login, member, workspace, make_account, publish):
    account = make_account()
    publish(account, riga(MONDAY, 10), likes=5, theme='=HYPERLINK("http://evil.example")')
    rollups_refresh()
    client = login(member(Role.ANALYST))
    period = {"start": "2026-11-23", "end": "2026-11-29"}
    body = client.get(_url(workspace, "analytics_export", table="engagement-theme", fmt="csv"), period)
    rows = list(csv.reader(io.StringIO(body.content.decode())))
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example")' and rows[1][1] == "1"
    xlsx = client.get(_url(workspace, "analytics_export", table="top-posts", fmt="xlsx"), period)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Published" and values[1][3].startswith("'=") and values[1][9] == 5
    from kopiena.analytics.tables import TABLES

    for name in TABLES:  # every table exports for an empty period too
        assert (
            client.get(_url(workspace, "analytics_export", table=name, fmt="csv"), {"days": "7"}).status_code
            == 200
        )


def test_rest_endpoints(api_client, member, workspace, other_workspace, make_account, publish):  # noqa: F811
    account = make_account()
    publish(account, riga(MONDAY, 10), likes=5)
    publish(account, riga(MONDAY - timedelta(days=7), 10), likes=1)
    rollups_refresh()
    api = api_client(member(Role.ANALYST), workspace)
    summary = api.get("/analytics/summary?start=2026-11-23&end=2026-11-29").json()
    assert summary["engagement_per_post"] == {"value": 5.0, "previous": 1.0, "change_percent": 400.0}
    assert summary["first_answer_average_hours"]["value"] is None
    table = api.get("/analytics/tables/engagement-content-type?start=2026-11-23&end=2026-11-29").json()
    assert table["rows"][0][1] == 1 and table["columns"][0] == "Group"
    assert api.get("/analytics/tables/engagement-content-type.csv?days=7").status_code == 200
    assert api.get("/analytics/tables/heatmap.xlsx?days=7").status_code == 200
    assert api.get("/analytics/tables/unknown").status_code == 404
    theirs = make_account("Theirs", ws=other_workspace)
    assert api.get(f"/analytics/summary?account={theirs.pk}").status_code == 404
    contributor = api_client(member(Role.CONTRIBUTOR), workspace)
    assert contributor.get("/analytics/summary").status_code == 403
    suggestion = contributor.get("/analytics/suggest-time?after=2026-11-25T12:00:00%2B02:00").json()
    assert suggestion["at"] == "2026-11-30T10:00:00+02:00" and suggestion["slot"]["posts"] == 2


def test_suggest_a_time(login, member, workspace, make_account, publish):
    account = make_account()
    for week in range(2):
        publish(account, riga(MONDAY - timedelta(weeks=week), 18), likes=10)
    rollups_refresh()
    client = login(member(Role.CONTRIBUTOR))
    answer = client.get(
        _url(workspace, "analytics_suggest_time"), {"account": account.pk, "after": "2026-11-25T12:00"}
    ).json()
    assert answer["local"] == "2026-11-30T18:00" and "Monday" in answer["reason"]
    assert (
        client.get(_url(workspace, "analytics_suggest_time"), {"after": "2001-01-01T00:00"}).json()["at"]
        is None
    )


def test_response_and_sentiment_rollups_from_the_inbox(member, workspace, owner_access):
    account = account_connect(
        access=owner_access, platform="mastodon", name="Kafija", credentials={"access_token": "t"},
        base_url="https://social.example", external_id="100",
    )  # fmt: skip
    moderator = member(Role.MODERATOR)
    items_ingest(
        account=account,
        remote_items=[remote("c1", "Lieliska kafija, paldies!"), remote("c2", "Kad?", post="p2")],
    )
    thread = Thread.objects.get(items__external_id="c1")
    answered = BASE + timedelta(hours=2)  # Tuesday 12:00 → 14:00 Riga: two working hours
    Reply.objects.create(
        item=thread.items.first(), author=moderator, text="Paldies!", state=ReplyState.SENT, sent_at=answered
    )
    with transaction.atomic():
        sla_answer(thread=thread, at=answered)
    rollups_refresh()
    (row,) = ResponseDay.objects.filter(account=account)
    assert (row.person, row.role, row.answered, row.sla_kind) == (
        moderator.username,
        Role.MODERATOR,
        1,
        "first",
    )
    day = BASE.date()
    headline = s.response_headline(workspace=workspace, start=day, end=day)
    assert headline.current.average_hours == pytest.approx(2.0) and headline.met is True
    (by_role,) = s.response_breakdown(workspace=workspace, start=day, end=day, by="role")
    assert by_role[0] == Role.MODERATOR and by_role[1].answered == 1
    assert sum(p.total for p in s.sentiment_series(workspace=workspace, start=day, end=day)) == 2
    assert SentimentDay.objects.filter(workspace=workspace).count() >= 1


def test_whole_workspace_charts_read_the_workspace_totals(member, workspace, owner_access):
    # Two years of 100 accounts are 300,000 account rows: whole-workspace charts read the totals kept beside
    # them (one row per day and dimension), which must equal the accounts' sum through every kind of update.
    accounts = [
        account_connect(
            access=owner_access, platform="mastodon", name=name, credentials={"access_token": "t"},
            base_url="https://social.example", external_id=external_id,
        )
        for name, external_id in (("Kafija", "100"), ("Tēja", "200"))
    ]  # fmt: skip
    moderator = member(Role.MODERATOR)
    answered = BASE + timedelta(hours=2)
    for n, account in enumerate(accounts):
        items_ingest(account=account, remote_items=[remote(f"c{n}", "Kad atvērsiet?", post=f"p{n}")])
        thread = Thread.objects.get(account=account)
        Reply.objects.create(
            item=thread.items.first(), author=moderator, text="Rīt!", state=ReplyState.SENT, sent_at=answered
        )
        with transaction.atomic():
            sla_answer(thread=thread, at=answered)
    rollups_refresh()
    day = BASE.date()
    period = {"workspace": workspace, "start": day, "end": day}

    def figures():
        return (
            s.response_headline(**period).current.answered,
            [(key, now.answered) for key, now, _before in s.response_breakdown(**period, by="person")],
            sorted((key, now.answered) for key, now, _before in s.response_breakdown(**period, by="account")),
            s.sentiment_totals(**period).total,
        )

    both = (2, [(moderator.username, 2)], sorted((a.pk, 1) for a in accounts), 2)
    assert figures() == both
    assert s.response_headline(**period, account_id=accounts[0].pk).current.answered == 1
    assert s.sentiment_totals(**period, account_id=accounts[1].pk).total == 1
    (total,) = ResponseDay.objects.filter(workspace=workspace, account=None)
    assert (total.answered, total.person, total.role) == (2, moderator.username, Role.MODERATOR)

    items_ingest(account=accounts[0], remote_items=[remote("c9", "Un svētdien?", post="p0")])
    rollups_refresh()  # an incremental refresh adds to the day's totals
    assert s.sentiment_totals(**period).total == 3
    rollups_rebuild(workspace=workspace)  # a rebuild writes them again, nothing counted twice
    assert figures()[0] == 2 and s.sentiment_totals(**period).total == 3

    # The whole-workspace figures come from the totals alone (what makes them fast), not the account rows.
    ResponseDay.objects.filter(workspace=workspace, account__isnull=False).delete()
    SentimentDay.objects.filter(workspace=workspace, account__isnull=False).delete()
    assert s.response_headline(**period).current.answered == 2 and s.sentiment_totals(**period).total == 3


def test_daily_account_snapshots_from_the_sandbox(owner_access, workspace):
    sandbox = start_sandbox()
    try:
        with use_fake_platform(QuickMastodon, key="mastodon"):
            account = account_connect(
                access=owner_access, platform="mastodon", name="Sandbox", base_url=sandbox.base_url,
                credentials={"access_token": sandbox.access_token}, is_sandbox=True,
            )  # fmt: skip
            assert account_snapshots_poll() == 1
            assert account_snapshots_poll() == 0  # once a day
    finally:
        sandbox.stop()
    snapshot = AccountSnapshot.objects.get(account=account)
    assert snapshot.followers is not None and snapshot.posts is not None
    series = s.follower_growth(workspace=workspace, start=snapshot.day, end=snapshot.day)
    assert series[0].last == snapshot.followers and series[0].change == 0
    assert datetime.now(UTC) - snapshot.taken_at < timedelta(minutes=5)
