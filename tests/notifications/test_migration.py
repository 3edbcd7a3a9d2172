"""The move of publishing.Notification into notifications.Notice keeps every row, its id (links in
e-mails already sent), its moments and its text; new notices get fresh ids (PostgreSQL's sequence)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from kopiena.notifications.rendering import render

BEFORE = [("publishing", "0005_notification_emailed_at"), ("notifications", None)]
AFTER = [
    ("publishing", "0006_notification_moved_to_notifications"),
    ("notifications", "0002_copy_publishing_notifications"),
]


@pytest.mark.django_db(transaction=True)
def test_notifications_move_with_their_ids_and_text(workspace, member):
    from kopiena.notifications.models import Notice
    from kopiena.teams.models import Role

    latvian = member(Role.MODERATOR)
    latvian.language = "lv"
    latvian.save()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old_apps = executor.loader.project_state([BEFORE[0]]).apps
        Old = old_apps.get_model("publishing", "Notification")
        when = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
        Old.objects.create(
            id=41, workspace_id=workspace.pk, recipient_id=latvian.pk, kind="delivery.rejected",
            title="Nav publicēts", body="Platforma teica: par garu", read_at=when,
        )  # fmt: skip
        Old.objects.filter(pk=41).update(created_at=when)
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    moved = Notice.objects.get(pk=41)
    assert (moved.recipient_id, moved.event, moved.read_at, moved.created_at) == (
        latvian.pk, "publish_failed", when, when,
    )  # fmt: skip
    with translation.override("ru"):  # the only text there is, whatever the reader's language
        assert render(moved).title == "Nav publicēts" and "par garu" in render(moved).body
    from kopiena.notifications.services import notify

    [fresh] = notify(
        workspace_id=workspace.pk, recipients=[latvian], kind="inbox.sla_overdue", params={"subject": "x"}
    )
    assert fresh.pk > 41
