"""Client reports (issue 13 item 5): numbers, bad input (empty period, unmeasured account, no reach, deleted
post, DST days in Riga, a ten-year period), PDF, branding, share links, the e-mail schedule, REST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from kopiena.analytics.accounts import account_snapshot_record
from kopiena.analytics.rollups import rollups_rebuild
from kopiena.audit.models import AuditEvent
from kopiena.core.errors import DomainError, NotPermitted
from kopiena.inbox.models import Item
from kopiena.inbox.services import items_ingest
from kopiena.reports.models import ClientReport, Schedule, Section
from kopiena.reports.render import report_context, report_html, report_pdf
from kopiena.reports.selectors import report_data
from kopiena.reports.services import (
    branding_update,
    next_send_at,
    report_create,
    reports_send_due,
    share_link_create,
    share_link_revoke,
)
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.inbox.conftest import remote
from tests.reports.conftest import PNG_1PX

pytestmark = pytest.mark.django_db
RIGA = ZoneInfo("Europe/Riga")
DAY = date(2026, 11, 24)  # a Tuesday


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=RIGA)


def _report(access, **extra) -> ClientReport:
    fields = {"title": "Novembra pārskats", "sections": [s.value for s in Section], "language": "en"}
    return report_create(access=access, **{**fields, **extra})


def test_numbers_top_posts_and_missing_figures(manager_access, make_account, publish):
    mastodon = make_account("Mastodon konts")
    quiet = make_account("Telegram kanāls")
    publish(
        mastodon, _at(DAY, 10), likes=40, reposts=2, replies=3, views=900, text="Labākā kafija\nsecond line"
    )
    publish(mastodon, _at(DAY, 12), likes=1, reposts=0, replies=0, views=None, text="", content_type="text")
    publish(quiet, _at(DAY, 14), measured=False, text="Nemērīts")

    data = report_data(workspace=manager_access.workspace, start=DAY, end=DAY)
    assert (data.posts, data.deliveries, data.engagement, data.views) == (3, 3, 46, 900)
    assert [p.title for p in data.top_posts] == ["Labākā kafija", "(a post without text)"]
    assert data.top_posts[0].engagement == 45
    assert any("Telegram kanāls" in line and "No engagement figures" in line for line in data.missing)
    assert not any("reach" in line and "Mastodon" in line for line in data.missing)  # one post had views
    assert data.activity == [(DAY, 3, 46)]
    assert {("photo", 2), ("text", 1)} <= {(m.key, m.posts) for m in data.mix}


def test_platform_without_reach_is_named(manager_access, make_account, publish):
    feed = make_account("Bez skatījumiem")
    publish(feed, _at(DAY, 10), views=None)
    data = report_data(workspace=manager_access.workspace, start=DAY, end=DAY)
    assert data.views is None
    assert any("do not report reach" in line and "Bez skatījumiem" in line for line in data.missing)


def test_empty_period_says_what_is_missing_in_page_and_pdf(manager_access, login, member):
    report = _report(manager_access)
    data = report_data(workspace=manager_access.workspace, start=DAY, end=DAY)
    assert data.posts == 0 and data.top_posts == [] and data.response.current.answered == 0
    assert "Nothing was published in this period." in data.missing
    client = login(manager_access.user)
    url = reverse("report_detail", kwargs={"ws": manager_access.workspace.slug, "report_id": report.pk})
    page = client.get(url, {"start": DAY.isoformat(), "end": DAY.isoformat()})
    assert page.status_code == 200
    assert "Nothing was published in this period." in page.text
    assert "No first answers were given in this period." in page.text
    pdf = client.get(
        reverse("report_pdf", kwargs={"ws": manager_access.workspace.slug, "report_id": report.pk}),
        {"start": DAY.isoformat(), "end": DAY.isoformat()},
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_deleted_post_leaves_the_report_working(manager_access, make_account, publish):
    account_ = make_account()
    keep = publish(account_, _at(DAY, 10), likes=3)
    gone = publish(account_, _at(DAY, 11), likes=50, text="Izdzēsts")
    gone.post.delete()
    rollups_rebuild(workspace=manager_access.workspace)  # a deleted post leaves the day's rollup on rebuild
    rendered = report_context(
        workspace=manager_access.workspace, title="T", sections=[], start=DAY, end=DAY, language="en"
    )
    assert rendered.data.posts == 1 and rendered.data.top_posts[0].engagement == 4
    assert "Izdzēsts" not in report_html(rendered)
    assert keep.post.text in report_html(rendered)


def test_dst_days_in_riga_count_local_days(manager_access, make_account, publish):
    account_ = make_account()
    spring = date(2026, 3, 29)  # clocks go forward at 03:00: this day has 23 hours
    publish(account_, _at(spring, 0, 30), text="first hour")  # 22:30 UTC the day before
    publish(account_, _at(spring, 23, 30), text="last hour")  # 20:30 UTC
    publish(account_, _at(spring + timedelta(days=1), 0, 10), text="next day")
    autumn = date(2026, 10, 25)  # clocks go back at 04:00: 25 hours
    publish(account_, datetime(2026, 10, 25, 0, 30, tzinfo=UTC), text="fold")  # 03:30 EEST
    publish(account_, datetime(2026, 10, 25, 1, 30, tzinfo=UTC), text="fold again")  # 03:30 EET
    publish(account_, _at(autumn, 23, 59), text="late")

    spring_data = report_data(workspace=manager_access.workspace, start=spring, end=spring)
    assert sorted(p.title for p in spring_data.top_posts) == ["first hour", "last hour"]
    autumn_data = report_data(workspace=manager_access.workspace, start=autumn, end=autumn)
    assert autumn_data.posts == 3
    week = report_data(
        workspace=manager_access.workspace, start=spring - timedelta(days=2), end=spring + timedelta(days=2)
    )
    assert [(d, n) for d, n, _e in week.activity if n] == [(spring, 2), (spring + timedelta(days=1), 1)]


def test_ten_year_period_is_drawn_by_month_and_still_renders(manager_access, make_account, publish):
    account_ = make_account()
    publish(account_, _at(date(2017, 5, 3), 12))
    start, end = date(2016, 1, 1), date(2025, 12, 31)
    rendered = report_context(
        workspace=manager_access.workspace,
        title="Desmit gadi",
        sections=[],
        start=start,
        end=end,
        language="en",
    )
    data = rendered.data
    assert data.bucket == "month" and len(data.activity) == 120
    assert (date(2017, 5, 1), 1, 6) in data.activity
    assert any("per month" in line for line in data.missing)
    assert report_pdf(rendered).startswith(b"%PDF")


def test_reversed_period_is_read_the_right_way_round(manager_access):
    data = report_data(workspace=manager_access.workspace, start=DAY, end=DAY - timedelta(days=6))
    assert (data.start, data.end, data.days) == (DAY - timedelta(days=6), DAY, 7)


def test_comments_and_sentiment(owner_access, account):
    items_ingest(account=account, remote_items=[remote("s1"), remote("s2", post="x2")])
    Item.objects.filter(external_id="s1").update(remote_created_at=_at(DAY, 10), sentiment="negative")
    Item.objects.filter(external_id="s2").update(remote_created_at=_at(DAY, 11), sentiment="positive")
    rollups_rebuild(workspace=owner_access.workspace)  # .update() moves no cursor
    data = report_data(workspace=owner_access.workspace, start=DAY, end=DAY)
    assert data.received == 2
    assert data.sentiment == {"negative": 1, "neutral": 0, "positive": 1}
    assert data.sentiment_series == [(DAY, 1, 0, 1)]
    assert data.negative_percent == 50.0


def test_nothing_from_another_workspace(manager_access, make_account, publish, other_workspace, login):
    stranger = other_workspace.memberships.get().user
    other_access = access_workspace(actor=stranger, slug=other_workspace.slug)
    theirs = make_account("Svešais", ws=other_workspace)
    publish(theirs, _at(DAY, 10), likes=999, text="Sveša ziņa", access=other_access)
    ours = make_account("Mūsu")
    publish(ours, _at(DAY, 10), likes=1, text="Mūsu ziņa")
    data = report_data(workspace=manager_access.workspace, start=DAY, end=DAY)
    assert data.posts == 1 and [p.title for p in data.top_posts] == ["Mūsu ziņa"]

    their_report = _report(other_access)
    client = login(manager_access.user)
    url = reverse("report_detail", kwargs={"ws": manager_access.workspace.slug, "report_id": their_report.pk})
    assert client.get(url).status_code == 404
    _link, token = share_link_create(access=other_access, report=their_report, start=DAY, end=DAY)
    ours_report = _report(manager_access)
    with pytest.raises(DomainError):
        share_link_create(access=other_access, report=ours_report, start=DAY, end=DAY)
    shared = Client().get(reverse("report_share", args=[token]))
    assert "Sveša ziņa" in shared.text and "Mūsu ziņa" not in shared.text


def test_share_link_works_signed_out_then_not_when_revoked_expired_or_tampered(
    manager_access, make_account, publish
):
    publish(make_account(), _at(DAY, 10), text="Klienta ziņa")
    report = _report(manager_access)
    link, token = share_link_create(access=manager_access, report=report, start=DAY, end=DAY, days_valid=7)
    anonymous = Client()
    page = anonymous.get(reverse("report_share", args=[token]))
    assert page.status_code == 200
    assert "Klienta ziņa" in page.text and "Novembra pārskats" in page.text
    assert "24.11.2026 10:00" in page.text  # the workspace's time (Riga), not UTC, for a signed-out client
    assert "kp-sidebar" not in page.text and "/inbox/" not in page.text  # nothing else of the workspace
    assert page["X-Robots-Tag"].startswith("noindex")
    pdf = anonymous.get(reverse("report_share_pdf", args=[token]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    link.refresh_from_db()
    assert link.last_opened_at is not None

    assert anonymous.get(reverse("report_share", args=[token[:-2] + "xx"])).status_code == 404
    assert anonymous.get(reverse("report_share", args=["1:abc"])).status_code == 404

    share_link_revoke(access=manager_access, link=link)
    assert anonymous.get(reverse("report_share", args=[token])).status_code == 404
    assert anonymous.get(reverse("report_share_pdf", args=[token])).status_code == 404
    assert AuditEvent.objects.filter(action="reports.share_link_revoke").exists()

    expired, expired_token = share_link_create(access=manager_access, report=report, start=DAY, end=DAY)
    type(expired).objects.filter(pk=expired.pk).update(expires_at=datetime(2020, 1, 1, tzinfo=UTC))
    assert anonymous.get(reverse("report_share", args=[expired_token])).status_code == 404


def test_share_link_ui_create_and_revoke(manager_access, login):
    report = _report(manager_access)
    client = login(manager_access.user)
    ws = manager_access.workspace.slug
    response = client.post(
        reverse("report_link_create", kwargs={"ws": ws, "report_id": report.pk}),
        {"start": "2026-11-01", "end": "2026-11-30", "days_valid": "14"},
    )
    assert response.status_code == 302
    link = report.links.get()
    assert (link.start, link.end) == (date(2026, 11, 1), date(2026, 11, 30))
    page = client.get(reverse("report_detail", kwargs={"ws": ws, "report_id": report.pk}))
    assert "/r/" in page.text
    client.post(reverse("report_link_revoke", kwargs={"ws": ws, "link_id": link.pk}))
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_branding_logo_is_judged_by_its_bytes(manager_access, member, access_for, login):
    owner_like = manager_access  # managers may not change workspace settings
    with pytest.raises(NotPermitted):
        branding_update(access=owner_like, primary_colour="#123456")
    owner = access_for(manager_access.workspace.memberships.get(role=Role.OWNER).user)
    with pytest.raises(DomainError, match="PNG or JPEG"):
        branding_update(access=owner, primary_colour="#123456", logo=b"<html><script>alert(1)</script>")
    with pytest.raises(DomainError, match="colour"):
        branding_update(access=owner, primary_colour="red; background:url(x)")
    branding = branding_update(access=owner, primary_colour="#AA3300", logo=PNG_1PX)
    assert branding.logo_type == "image/png" and branding.primary_colour == "#aa3300"
    rendered = report_context(
        workspace=owner.workspace, title="T", sections=[Section.HEADLINE], start=DAY, end=DAY, language="en"
    )
    html = report_html(rendered)
    assert "data:image/png;base64," in html and "#aa3300" in html
    assert 'data-testid="section-activity"' not in html  # only the chosen sections

    client = login(owner.user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("report_branding", kwargs={"ws": owner.workspace.slug}),
        {
            "primary_colour": "#00ff00",
            "logo": SimpleUploadedFile("logo.png", b"GIF89a-not-a-png", "image/png"),
        },
    )
    assert response.status_code == 200 and "PNG or JPEG" in response.text


def test_report_form_validation(manager_access, access_for, member):
    with pytest.raises(DomainError, match="recipient"):
        _report(manager_access, schedule=Schedule.WEEKLY)
    with pytest.raises(DomainError, match="not an e-mail"):
        _report(manager_access, recipients=["nav adrese"])
    with pytest.raises(DomainError, match="section"):
        _report(manager_access, sections=["nonsense"])
    with pytest.raises(NotPermitted):
        _report(access_for(member(Role.CONTRIBUTOR)))


def test_next_send_is_monday_or_first_at_eight_riga_across_dst():
    saturday_before_spring = datetime(2026, 3, 28, 12, tzinfo=RIGA)
    assert next_send_at(Schedule.WEEKLY, "Europe/Riga", saturday_before_spring) == datetime(
        2026, 3, 30, 8, tzinfo=RIGA
    )
    monday_early = datetime(2026, 3, 30, 7, 59, tzinfo=RIGA)
    assert next_send_at(Schedule.WEEKLY, "Europe/Riga", monday_early) == datetime(2026, 3, 30, 8, tzinfo=RIGA)
    assert next_send_at(Schedule.MONTHLY, "Europe/Riga", datetime(2026, 10, 1, 8, tzinfo=RIGA)) == datetime(
        2026, 11, 1, 8, tzinfo=RIGA
    )
    assert next_send_at(Schedule.NONE, "Europe/Riga", monday_early) is None


def test_scheduled_report_is_emailed_as_pdf_once(manager_access, make_account, publish, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    report = _report(
        manager_access, schedule=Schedule.WEEKLY, recipients=["klients@example.lv"], language="lv"
    )
    monday = datetime(2026, 11, 30, 8, 0, tzinfo=RIGA)
    publish(make_account(), _at(DAY, 10))
    ClientReport.objects.filter(pk=report.pk).update(next_send_at=monday - timedelta(minutes=1))
    assert reports_send_due(at=monday) == 1
    assert reports_send_due(at=monday) == 0  # moved on to the next Monday
    message = mail.outbox[0]
    assert message.to == ["klients@example.lv"]
    assert "23.11.2026" in message.subject and "29.11.2026" in message.subject
    _name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    report.refresh_from_db()
    assert report.next_send_at == datetime(2026, 12, 7, 8, tzinfo=RIGA)
    assert report.last_sent_at == monday and report.last_error == ""
    assert AuditEvent.objects.filter(action="reports.report_send").exists()


def test_roles_that_cannot_see_analytics_get_403(member, login, manager_access):
    report = _report(manager_access)
    client = login(member(Role.CONTRIBUTOR))
    ws = manager_access.workspace.slug
    assert client.get(reverse("reports", kwargs={"ws": ws})).status_code == 403
    assert client.get(reverse("report_detail", kwargs={"ws": ws, "report_id": report.pk})).status_code == 403
    analyst = login(member(Role.ANALYST))
    assert analyst.get(reverse("reports", kwargs={"ws": ws})).status_code == 200


def test_rest_reports_data_links(api_client, manager_access, make_account, publish, other_workspace):
    publish(make_account(), _at(DAY, 10), likes=7, reposts=0, replies=0)
    api = api_client(manager_access.user, manager_access.workspace)
    created = api.request(
        "POST", "/reports", json={"title": "API", "sections": ["headline", "top_posts"], "language": "ru"}
    )
    assert created.status_code == 201, created.content
    report_id = created.json()["id"]
    data = api.get(f"/reports/{report_id}/data", data={"start": DAY.isoformat(), "end": DAY.isoformat()})
    assert data.status_code == 200
    body = data.json()
    assert body["posts"] == 1 and body["engagement"] == 7 and body["top_posts"][0]["likes"] == 7
    assert isinstance(body["missing"], list)
    link = api.request(
        "POST", f"/reports/{report_id}/links", json={"start": "2026-11-24", "end": "2026-11-24"}
    )
    assert link.status_code == 201
    url = link.json()["url"]
    assert Client().get(url).status_code == 200
    revoked = api.request("POST", f"/reports/links/{link.json()['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert Client().get(url).status_code == 404
    pdf = api.get(f"/reports/{report_id}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    stranger = other_workspace.memberships.get().user
    theirs = api_client(stranger, other_workspace)
    assert theirs.get(f"/reports/{report_id}").status_code == 404
    assert theirs.get(f"/reports/{report_id}/data").status_code == 404


def test_previous_period_followers_and_sentiment_series(owner_access, account, manager_access, publish):
    """The headline compares with the period just before; follower growth comes from the daily account
    snapshots (drawn as a chart); sentiment is a series of all three; no snapshots → the box says so."""
    workspace = manager_access.workspace
    assert account.workspace_id == workspace.pk
    start, end = DAY - timedelta(days=6), DAY
    publish(account, _at(DAY - timedelta(days=8), 10), likes=10, reposts=0, replies=0)  # the previous period
    publish(account, _at(DAY, 10), likes=3, reposts=0, replies=0)
    publish(account, _at(DAY - timedelta(days=1), 10), likes=4, reposts=0, replies=0)
    before = report_data(workspace=workspace, start=start, end=end)
    assert any("No follower counts for this period yet" in line for line in before.missing)
    assert before.figures["followers"].value is None

    for offset, followers in ((6, 100), (3, 110), (0, 125)):
        account_snapshot_record(
            account=account, day=DAY - timedelta(days=offset), taken_at=_at(DAY - timedelta(days=offset), 6),
            followers=followers, following=1, posts=5,
        )  # fmt: skip
    items_ingest(
        account=account, remote_items=[remote("a1"), remote("a2", post="x2"), remote("a3", post="x3")]
    )
    Item.objects.filter(external_id="a1").update(remote_created_at=_at(DAY, 10), sentiment="negative")
    Item.objects.filter(external_id="a2").update(remote_created_at=_at(DAY, 11), sentiment="neutral")
    Item.objects.filter(external_id="a3").update(
        remote_created_at=_at(DAY - timedelta(days=2), 9), sentiment="positive"
    )
    rollups_rebuild(workspace=workspace)

    data = report_data(workspace=workspace, start=start, end=end)
    figures = data.figures
    assert (figures["posts"].value, figures["posts"].previous) == (2, 1)
    assert (figures["engagement"].value, figures["engagement"].previous) == (7, 10)
    assert figures["engagement"].change == -30.0
    assert (data.previous_start, data.previous_end) == (DAY - timedelta(days=13), DAY - timedelta(days=7))
    assert figures["followers"].value == 25
    assert [row.series.points for row in data.followers] == [
        [(DAY - timedelta(days=6), 100), (DAY - timedelta(days=3), 110), (DAY, 125)]
    ]
    assert not any("follower counts" in line.lower() for line in data.missing)
    assert data.sentiment == {"negative": 1, "neutral": 1, "positive": 1}
    assert data.sentiment_series[-1] == (DAY, 1, 1, 0)
    assert data.sentiment_series[-3] == (DAY - timedelta(days=2), 0, 0, 1)
    assert len(data.sentiment_series) == 7

    rendered = report_context(
        workspace=workspace, title="T", sections=[], start=start, end=end, language="en"
    )
    html = report_html(rendered)
    assert 'data-testid="chart-followers"' in html and 'data-testid="chart-sentiment"' in html
    assert "Previous period: 11.11.2026 – 17.11.2026." in html
    assert "Followers gained" in html
