"""Bulk import: every row checked before anything is written, all or nothing, three formats, export
round trip, the preview page and the `kopiena import` command."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from kopiena.audit.models import AuditEvent
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current_data
from kopiena.policy.services import policy_save
from kopiena.publishing import exporters
from kopiena.publishing.importers import OUR_COLUMNS, posts_import
from kopiena.publishing.models import Delivery, Post, PostState
from kopiena.publishing.queues import queue_slot_add
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace

from .conftest import daytime

RIGA = ZoneInfo("Europe/Riga")


def relax_policy(access, **publishing):
    """No cadence limits, no mix targets (a 500-post test plan is not a real week)."""
    data = policy_current_data(workspace=access.workspace)
    data["publishing"]["cadence"]["default"] = {
        "max_per_day": None,
        "max_per_week": None,
        "min_gap_minutes": 0,
        "quiet_hours": [],
        "manager_may_override": True,
    }
    data["publishing"]["content_mix"]["default"]["targets"] = {}
    for key, value in publishing.items():
        data["publishing"][key].update(value)
    policy_save(access=access, document=PolicyDocument.model_validate(data))


@pytest.fixture
def accounts(make_account):
    return [
        make_account("Mastodon", approval_required=False),
        make_account("Bluesky", approval_required=False),
    ]


@pytest.fixture
def relaxed(owner_access):
    relax_policy(owner_access)
    return owner_access


def our_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OUR_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in OUR_COLUMNS})
    return buffer.getvalue().encode()


def plan(count: int, accounts) -> list[dict]:
    start = daytime(2, 9)
    return [
        {
            "scheduled_at": (start + timedelta(minutes=37 * n))
            .astimezone(RIGA)
            .isoformat(timespec="minutes"),
            "account": accounts[n % 2].name,
            "text": f"Ieraksts numur {n}",
            "content_type": ["photo", "video", "text"][n % 3],
            "tags": "kafija|rīts",
            "theme": "Tuesday tip" if n % 7 == 0 else "",
        }
        for n in range(count)
    ]


def test_one_bad_row_among_500_writes_nothing_and_names_the_row(relaxed, accounts):
    rows = plan(500, accounts)
    rows[316]["scheduled_at"] = "next Tuesday"  # file row 318: the header is row 1
    before = AuditEvent.objects.count()
    result = posts_import(access=relaxed, content=our_csv(rows), filename="plan.csv", dry_run=False)
    assert not result.ok
    assert [(p.row, p.column) for p in result.problems] == [(318, "scheduled_at")]
    assert Post.objects.count() == 0 and Delivery.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_a_policy_refusal_deep_in_the_file_rolls_back_every_earlier_row(owner_access, accounts):
    relax_policy(owner_access)
    rows = plan(40, accounts)
    # row 31 lands one minute after row 29 on the same account; a 10-minute gap rule refuses it
    data = policy_current_data(workspace=owner_access.workspace)
    data["publishing"]["cadence"]["default"]["min_gap_minutes"] = 10
    policy_save(access=owner_access, document=PolicyDocument.model_validate(data))
    rows[29]["scheduled_at"] = (
        datetime.fromisoformat(rows[27]["scheduled_at"]) + timedelta(minutes=1)
    ).isoformat()
    result = posts_import(access=owner_access, content=our_csv(rows), filename="plan.csv", dry_run=False)
    assert {(p.row, p.column) for p in result.problems} == {(31, "scheduled_at")}
    assert any("Nearest allowed time" in p.message for p in result.problems)
    assert Post.objects.count() == 0


def test_a_good_500_row_file_imports_all_scheduled(relaxed, accounts):
    rows = plan(500, accounts)
    result = posts_import(access=relaxed, content=our_csv(rows), filename="plan.csv", dry_run=False)
    assert result.ok and result.created == 500 and result.scheduled == 500
    assert Post.objects.filter(state=PostState.SCHEDULED).count() == 500
    assert Delivery.objects.count() == 500
    first = Post.objects.order_by("scheduled_at").first()
    assert first.tags == ["kafija", "rīts"] and first.content_type == "photo"
    # importing the same rows again: each one is a duplicate of the plan
    again = posts_import(access=relaxed, content=our_csv(rows[:3]), filename="plan.csv", dry_run=True)
    assert [p.row for p in again.problems] == [2, 3, 4]


def test_a_dry_run_checks_everything_and_writes_nothing(relaxed, accounts):
    before = AuditEvent.objects.count()
    preview = posts_import(
        access=relaxed, content=our_csv(plan(30, accounts)), filename="p.csv", dry_run=True
    )
    assert preview.ok and preview.rows == 30 and preview.created == 30 and preview.scheduled == 30
    assert Post.objects.count() == 0 and AuditEvent.objects.count() == before


def test_row_checks_name_row_and_column(relaxed, accounts):
    rows = [
        {"scheduled_at": "2020-01-01T10:00", "account": "Mastodon", "text": "Pagātnē"},
        {"scheduled_at": "", "account": "Nav tāda", "text": "Konts?"},
        {"scheduled_at": "", "account": "Mastodon", "text": "Tips", "content_type": "hologram"},
        {"scheduled_at": "", "account": "Mastodon", "text": "Saite", "link": "not a url"},
        {"scheduled_at": "", "account": "Mastodon", "text": "Aptauja", "poll_options": "jā"},
        {"scheduled_at": "", "account": "", "text": "Kam?"},
    ]
    result = posts_import(access=relaxed, content=our_csv(rows), filename="bad.csv", dry_run=True)
    assert [(p.row, p.column) for p in result.problems] == [
        (2, "scheduled_at"),
        (3, "account"),
        (4, "content_type"),
        (5, "link"),
        (6, "poll_options"),
        (7, "account"),
    ]
    assert Post.objects.count() == 0


def test_platform_limits_and_empty_queues_are_checked_through_the_services(relaxed, accounts):
    future = daytime(3, 10).astimezone(RIGA).isoformat()
    rows = [
        {"scheduled_at": future, "account": "Mastodon", "text": "x" * 501},
        {"scheduled_at": "", "account": "Bluesky", "text": "No slots in this queue"},
    ]
    result = posts_import(access=relaxed, content=our_csv(rows), filename="bad.csv", dry_run=False)
    assert [(p.row, p.column) for p in result.problems] == [(2, "text"), (3, "scheduled_at")]
    assert "limit is 500" in result.problems[0].message
    assert Post.objects.count() == 0


def test_duplicates_within_the_file(relaxed, accounts):
    rows = plan(3, accounts)
    rows.append(dict(rows[1]))
    result = posts_import(access=relaxed, content=our_csv(rows), filename="dup.csv", dry_run=True)
    assert [(p.row, p.column) for p in result.problems] == [(5, "text")]
    assert "row 3" in result.problems[0].message


def test_empty_time_takes_the_next_free_queue_slot(relaxed, accounts):
    tomorrow = (datetime.now(RIGA) + timedelta(days=1)).weekday()
    queue_slot_add(
        access=relaxed, account_id=accounts[0].pk, weekday=tomorrow, local_time=datetime(2000, 1, 1, 9).time()
    )
    queue_slot_add(
        access=relaxed,
        account_id=accounts[0].pk,
        weekday=tomorrow,
        local_time=datetime(2000, 1, 1, 15).time(),
    )
    rows = [{"account": "Mastodon", "text": "Pirmais"}, {"account": "Mastodon", "text": "Otrais"}]
    result = posts_import(access=relaxed, content=our_csv(rows), filename="q.csv", dry_run=False)
    assert result.ok, result.problems
    times = [p.scheduled_at.astimezone(RIGA).hour for p in Post.objects.order_by("scheduled_at")]
    assert times == [9, 15]


def test_hootsuite_positional_format_with_a_chosen_account(relaxed, accounts):
    relax_policy(relaxed)  # Hootsuite files have no link-context column: a link is flagged, not refused
    day = (datetime.now(RIGA) + timedelta(days=3)).date()
    text = f"{day:%d/%m/%Y} 10:00,Sveiki no Hootsuite,https://example.org/a\n{day:%d/%m/%Y} 14:30,Otrs,\n"
    result = posts_import(
        access=relaxed,
        content=text.encode(),
        filename="hs.csv",
        default_account=accounts[1].pk,
        dry_run=False,
    )
    assert result.ok, result.problems
    assert result.format == "hootsuite"
    posts = list(Post.objects.order_by("scheduled_at"))
    assert [p.scheduled_at.astimezone(RIGA).strftime("%d %H:%M") for p in posts] == [
        f"{day:%d} 10:00",
        f"{day:%d} 14:30",
    ]
    assert posts[0].link == "https://example.org/a"
    assert {v.account_id for p in posts for v in p.variants.all()} == {accounts[1].pk}
    assert [f["code"] for f in posts[0].policy_flags] == ["links.require_context"]
    assert posts[1].policy_flags == []
    assert [(n.row, n.column) for n in result.notes] == [(1, "C (link)")], result.notes
    assert "Say why the audience needs this link" in result.notes[0].message


def test_hootsuite_without_an_account_names_column_a_rows(relaxed, accounts):
    text = "garbage,Sveiki\n"
    result = posts_import(access=relaxed, content=text.encode(), filename="hs.csv", dry_run=True)
    assert {(p.row, p.column) for p in result.problems} >= {(1, "A (date)"), (1, "account")}


def test_sprout_headed_format_xlsx(relaxed, accounts):
    relax_policy(relaxed)
    day = (datetime.now(RIGA) + timedelta(days=4)).date()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["date", "time_24hr", "message_text", "link_url", "tags"])
    sheet.append([f"{day:%d/%m/%Y}", "11:15", "Sprout ieraksts", "https://example.org/s", "kafija, rīts"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = posts_import(
        access=relaxed,
        content=buffer.getvalue(),
        filename="sprout.xlsx",
        default_account=accounts[0].pk,
        dry_run=False,
    )
    assert result.ok, result.problems
    assert result.format == "sprout"
    post = Post.objects.get()
    assert post.scheduled_at.astimezone(RIGA).strftime("%Y-%m-%d %H:%M") == f"{day:%Y-%m-%d} 11:15"
    assert post.tags == ["kafija", "rīts"] and post.link == "https://example.org/s"


def test_contributors_import_drafts(member, workspace, accounts, owner_access):
    relax_policy(owner_access)
    access = access_workspace(actor=member(Role.CONTRIBUTOR), slug=workspace.slug)
    result = posts_import(access=access, content=our_csv(plan(3, accounts)), filename="c.csv", dry_run=False)
    assert result.ok and result.created == 3 and result.scheduled == 0
    assert set(Post.objects.values_list("state", flat=True)) == {PostState.DRAFT}


def test_export_round_trips_into_another_workspace(relaxed, accounts, other_workspace, make_account):
    rows = plan(12, accounts)
    rows[0]["link"] = "https://example.org/x"
    rows[0]["link_context"] = "they asked for the catalogue"
    rows[1]["first_comment"] = "Vairāk komentāros"
    rows[1]["theme"] = "Wise Wednesday"
    assert posts_import(access=relaxed, content=our_csv(rows), filename="a.csv", dry_run=False).ok
    start = daytime(1, 0)
    exported = exporters.calendar_csv(access=relaxed, start=start, end=start + timedelta(days=30))
    assert exported.splitlines()[0] == ",".join(OUR_COLUMNS)
    assert len(exported.splitlines()) == 13

    for name in ("Mastodon", "Bluesky"):
        make_account(name, ws=other_workspace, approval_required=False)
    other_access = access_workspace(actor=other_workspace.memberships.get().user, slug=other_workspace.slug)
    relax_policy(other_access)
    result = posts_import(access=other_access, content=exported.encode(), filename="e.csv", dry_run=False)
    assert result.ok, result.problems
    again = exporters.calendar_csv(access=other_access, start=start, end=start + timedelta(days=30))
    assert again == exported


def test_export_view_and_import_preview_page(member, login, workspace, relaxed, accounts):
    manager = login(member(Role.MANAGER))
    content = our_csv(plan(4, accounts))
    upload = io.BytesIO(content)
    upload.name = "plan.csv"
    page = manager.post(reverse("calendar_import", kwargs={"ws": workspace.slug}), {"file": upload})
    assert page.status_code == 200 and 'data-testid="import-ok"' in page.content.decode()
    assert Post.objects.count() == 0
    token = page.content.decode().split('name="upload" value="')[1].split('"')[0]
    done = manager.post(
        reverse("calendar_import", kwargs={"ws": workspace.slug}), {"confirm": "1", "upload": token}
    )
    assert done.status_code == 302 and Post.objects.count() == 4
    response = manager.get(reverse("calendar_export", kwargs={"ws": workspace.slug}))
    assert response["Content-Type"].startswith("text/csv")
    assert len(response.content.decode().splitlines()) == 5

    bad = plan(2, accounts)
    bad[1]["account"] = "Nav"
    upload = io.BytesIO(our_csv(bad))
    upload.name = "bad.csv"
    page = manager.post(
        reverse("calendar_import", kwargs={"ws": workspace.slug}), {"file": upload}
    ).content.decode()
    assert 'data-testid="import-problems"' in page and "<code>account</code>" in page


def test_import_preview_shows_a_link_without_context_as_a_warning(
    member, login, workspace, relaxed, accounts
):
    manager = login(member(Role.MANAGER))
    day = (datetime.now(RIGA) + timedelta(days=3)).date()
    upload = io.BytesIO(f"{day:%d/%m/%Y} 10:00,Katalogs,https://example.org/k\n".encode())
    upload.name = "hs.csv"
    page = manager.post(
        reverse("calendar_import", kwargs={"ws": workspace.slug}),
        {"file": upload, "default_account": str(accounts[0].pk)},
    ).content.decode()
    assert 'data-testid="import-ok"' in page and 'data-testid="import-notes"' in page
    assert "Say why the audience needs this link" in page


def test_import_command(tmp_path, relaxed, accounts, workspace):
    path = tmp_path / "plan.csv"
    path.write_bytes(our_csv(plan(5, accounts)))
    out = io.StringIO()
    call_command(
        "import", str(path), "--workspace", workspace.slug, "--dry-run", stdout=out, stderr=io.StringIO()
    )
    assert "5 rows" in out.getvalue() and Post.objects.count() == 0
    call_command("import", str(path), "--workspace", workspace.slug, stdout=out, stderr=io.StringIO())
    assert Post.objects.count() == 5
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"scheduled_at,account,text\nsoon,Mastodon,x\n")
    with pytest.raises(CommandError):
        call_command("import", str(bad), "--workspace", workspace.slug, stdout=out, stderr=io.StringIO())
