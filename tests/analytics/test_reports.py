"""Analytics: the first-answer report in working hours against the policy's target (M8), and engagement
by content type from the latest metric snapshot of each published delivery."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction
from django.urls import reverse

from kopiena.analytics.models import MetricSnapshot
from kopiena.analytics.rollups import rollups_refresh
from kopiena.analytics.selectors import engagement_by_content_type, response_times
from kopiena.inbox.models import Item, Reply, ReplyState, Thread
from kopiena.inbox.services import items_ingest
from kopiena.inbox.sla_clock import sla_answer
from kopiena.publishing.models import Delivery, DeliveryState
from kopiena.publishing.services import post_create
from kopiena.teams.models import Role
from tests.inbox.conftest import account, remote  # noqa: F401  (fixture)
from tests.publishing.conftest import access_for, make_account, manager_access  # noqa: F401

pytestmark = pytest.mark.django_db
# A Tuesday in Riga (UTC+2 in winter); the default policy works Mon–Fri 9–18 (+ Sat 10–14 in the demo only).
TUESDAY = date(2026, 11, 24)


def _riga(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 2, minute, tzinfo=UTC)


def _answered(account, owner, external_id: str, asked: datetime, answered: datetime) -> Thread:  # noqa: F811
    items_ingest(account=account, remote_items=[remote(external_id, "Kad būs kafija?", post=external_id)])
    thread = Thread.objects.get(root_external_id=external_id)
    Item.objects.filter(thread=thread).update(remote_created_at=asked)
    Thread.objects.filter(pk=thread.pk).update(first_responded_at=answered, response_due_at=None)
    Reply.objects.create(
        item=thread.items.get(), author=owner, text="Drīz!", state=ReplyState.SENT, sent_at=answered
    )
    return thread


def test_first_answers_count_working_hours_only(account, owner, owner_access):  # noqa: F811
    # Asked Tuesday 17:00, answered Wednesday 10:00 → 1 h before closing + 1 h after opening = 2 working hours.
    _answered(account, owner, "c1", _riga(TUESDAY, 17), _riga(TUESDAY + timedelta(days=1), 10))
    # Asked Tuesday 09:00, answered 17:00 → 8 working hours: over the 6-hour target.
    _answered(account, owner, "c2", _riga(TUESDAY, 9), _riga(TUESDAY, 17))
    items_ingest(account=account, remote_items=[remote("c3", "Vai kāds atbildēs?", post="c3")])

    report = response_times(
        access=owner_access, start=TUESDAY - timedelta(days=6), end=TUESDAY + timedelta(days=6)
    )
    assert report.answered == 2 and report.target_hours == 6
    assert report.average_hours == pytest.approx(5.0) and report.median_hours == pytest.approx(5.0)
    assert report.within_target_percent == 50.0
    assert report.people == [(owner.username, 5.0, 2)]
    assert [count for _week, _hours, count in report.weeks] == [2]
    assert report.unanswered == 1


def test_engagement_uses_each_deliverys_latest_snapshot(manager_access, make_account):  # noqa: F811
    account_ = make_account(approval_required=False)
    published = _riga(TUESDAY, 12)
    rows = []
    for kind, likes in (("photo", 10), ("photo", 30), ("text", 2)):
        post = post_create(access=manager_access, account_ids=[account_.pk], content_type=kind, text=kind)
        delivery = Delivery.objects.create(
            workspace=manager_access.workspace, post=post, variant=post.variants.get(), account=account_,
            due_at=published, next_attempt_at=published, state=DeliveryState.PUBLISHED, published_at=published,
        )  # fmt: skip
        for hours, factor in ((1, 0.5), (24, 1)):  # an early snapshot, then the latest
            MetricSnapshot.objects.create(
                workspace=manager_access.workspace, account=account_, delivery=delivery,
                taken_at=published + timedelta(hours=hours), likes=int(likes * factor), reposts=1, replies=None,
            )  # fmt: skip
        rows.append(delivery)
    table = engagement_by_content_type(access=manager_access, start=TUESDAY, end=TUESDAY)
    assert [(r.content_type, r.posts, r.likes, r.reposts, r.replies, r.per_post) for r in table] == [
        ("photo", 2, 40, 2, 0, 21.0),
        ("text", 1, 2, 1, 0, 3.0),
    ]


def test_the_page_shows_figures_or_says_why_not(login, member, workspace, account, owner):  # noqa: F811
    client = login(member(Role.ANALYST))
    url = reverse("analytics", kwargs={"ws": workspace.slug})
    empty = client.get(url).text
    assert 'data-testid="response-empty"' in empty and 'data-testid="engagement-empty"' in empty
    today = datetime.now(UTC)
    thread = _answered(account, owner, "c1", today - timedelta(hours=1), today)
    with transaction.atomic():
        sla_answer(thread=thread, at=today)
    rollups_refresh()
    page = client.get(url, {"days": "7"}).text
    assert 'data-testid="response-figures"' in page and "kp-analytics-data" in page
    assert client.get(url, {"days": "1000"}).status_code == 200  # an unknown period falls back to 28 days
