"""Issue 9 item 3: an import's checks hold no write lock. On SQLite a preview ran every row through the
services inside one transaction (BEGIN IMMEDIATE), so for a 4,000-row file every other writer waited for
over a minute and then failed with "database is locked". Now the checks only read, and only the
confirmation writes, in a few bulk statements.

Real threads against the file database: while a slowed-down preview (or confirmation) is still checking
rows, another person's save must finish at once."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from kopiena.audit.models import PendingAuditEvent
from kopiena.publishing.importers import posts_import
from kopiena.publishing.models import Delivery, Post, PostState
from kopiena.publishing.services import post_create
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.publishing.conftest import _fake_connector, daytime, make_account  # noqa: F401
from tests.publishing.test_import import RIGA, our_csv, plan, relax_policy

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "memory" in str(connection.settings_dict.get("TEST", {}).get("NAME") or ""),
        reason="threads need a database file",
    ),
]

ROWS = 240
ROW_DELAY = 0.01  # stretches the checking pass to a few seconds, so the overlap is certain
PROMPT = 1.5  # seconds: "at once" with room for a loaded machine (it was the whole import before)


@pytest.fixture
def setting(owner, workspace, make_account, member):  # noqa: F811
    access = access_workspace(actor=owner, slug=workspace.slug)
    relax_policy(access)
    accounts = [
        make_account("Mastodon", approval_required=False),
        make_account("Bluesky", approval_required=False),
    ]
    other = access_workspace(actor=member(Role.MANAGER), slug=workspace.slug)
    return access, accounts, other


def _import_in_a_thread(access, body: bytes, *, dry_run: bool):
    started, out = threading.Event(), {}

    def slow_row():
        started.set()
        time.sleep(ROW_DELAY)

    def run():
        try:
            out["result"] = posts_import(
                access=access, content=body, filename="plan.csv", dry_run=dry_run, on_row=slow_row
            )
        except BaseException as exc:
            out["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(60), "the import never reached its planning pass"
    return thread, out


def _someone_else_saves(other, account) -> float:
    start = time.monotonic()
    post_create(access=other, account_ids=[account.pk], text="Cita cilvēka melnraksts")
    return time.monotonic() - start


@pytest.mark.parametrize("dry_run", [True, False], ids=["preview", "confirm"])
def test_another_save_is_not_blocked_by_an_import(setting, dry_run):
    access, accounts, other = setting
    thread, out = _import_in_a_thread(access, our_csv(plan(ROWS, accounts)), dry_run=dry_run)
    try:
        waited = _someone_else_saves(other, accounts[0])
        still_checking = thread.is_alive()
    finally:
        thread.join(120)
    assert "error" not in out, out.get("error")
    assert waited < PROMPT, f"another person's save waited {waited:.1f} s for the import"
    assert still_checking, "the import finished before the other save: make ROWS larger"
    result = out["result"]
    assert result.ok, result.problems[:3]
    assert result.created == ROWS and result.scheduled == ROWS
    imported = Post.objects.exclude(text="Cita cilvēka melnraksts")
    assert imported.count() == (0 if dry_run else ROWS)
    assert Delivery.objects.count() == (0 if dry_run else ROWS)


def test_the_written_posts_match_the_services(setting):
    """The bulk write stores what post_create/approve/schedule stored: state, time, approval, flags,
    the variant's cached problems, media linked to the variant, a delivery, an audit event per post."""
    access, accounts, _other = setting
    at = daytime(3, 10).astimezone(RIGA).isoformat(timespec="minutes")
    rows = [
        {"scheduled_at": at, "account": "Mastodon", "text": "Ar saiti", "link": "https://example.org/a"},
        {
            "scheduled_at": at,
            "account": "Bluesky",
            "text": "Ar bildi",
            "media_urls": "https://example.org/a.jpg",
        },
    ]
    pending = PendingAuditEvent.objects.count()
    result = posts_import(access=access, content=our_csv(rows), filename="p.csv", dry_run=False)
    assert result.ok, result.problems
    linked = Post.objects.get(text="Ar saiti")
    assert linked.state == PostState.SCHEDULED and linked.scheduled_at.isoformat() is not None
    assert linked.approved_by == access.user and linked.approved_at is not None
    assert [f["code"] for f in linked.policy_flags] == ["links.require_context"]
    variant = linked.variants.get()
    assert variant.account == accounts[0] and variant.validated_at is not None and variant.problems == []
    assert variant.deliveries.get().due_at == linked.scheduled_at
    media_post = Post.objects.get(text="Ar bildi")
    assert media_post.state == PostState.APPROVED and media_post.scheduled_at is None
    assert [m.url for m in media_post.variants.get().media.all()] == ["https://example.org/a.jpg"]
    assert not media_post.deliveries.exists()
    assert PendingAuditEvent.objects.count() == pending + 2
