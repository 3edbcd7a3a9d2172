"""posts_for_calendar: what the month view needs, filtered, scoped to the workspace, in one query."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kopiena.publishing.selectors import posts_for_calendar
from kopiena.publishing.services import post_cancel, post_create, post_schedule

from .conftest import daytime


def test_month_view_entries_filters_and_isolation(manager_access, make_account, other_workspace):
    first, second = make_account("A", approval_required=False), make_account("B", approval_required=False)
    make_account("Foreign", ws=other_workspace)
    both = post_create(
        access=manager_access, account_ids=[first.pk, second.pk], content_type="photo", text="Both\nmore"
    )
    only_b = post_create(
        access=manager_access, account_ids=[second.pk], content_type="video", theme="Follow Friday", text="B"
    )
    gone = post_create(access=manager_access, account_ids=[first.pk], text="cancelled")
    post_schedule(access=manager_access, post_id=both.pk, at=daytime(2, 10))
    post_schedule(access=manager_access, post_id=only_b.pk, at=daytime(3, 14))
    post_schedule(access=manager_access, post_id=gone.pk, at=daytime(4, 10))
    post_cancel(access=manager_access, post_id=gone.pk)
    post_create(access=manager_access, account_ids=[first.pk], text="unscheduled draft")
    window = {"start": daytime(0, 0), "end": daytime(0, 0) + timedelta(days=42)}

    with CaptureQueriesContext(connection) as queries:
        entries = posts_for_calendar(access=manager_access, **window)
    assert len(queries) == 1
    assert [(e.id, e.title, e.content_type, e.account_ids) for e in entries] == [
        (both.pk, "Both", "photo", (first.pk, second.pk)),
        (only_b.pk, "B", "video", (second.pk,)),
    ]
    assert [e.id for e in posts_for_calendar(access=manager_access, account_ids=[first.pk], **window)] == [
        both.pk
    ]
    assert [e.id for e in posts_for_calendar(access=manager_access, content_types=["video"], **window)] == [
        only_b.pk
    ]
    assert [e.id for e in posts_for_calendar(access=manager_access, themes=["Follow Friday"], **window)] == [
        only_b.pk
    ]
    assert [e.id for e in posts_for_calendar(access=manager_access, states=["cancelled"], **window)] == [
        gone.pk
    ]
    narrow = {"start": daytime(3, 0), "end": daytime(4, 0)}
    assert [e.id for e in posts_for_calendar(access=manager_access, **narrow)] == [only_b.pk]
