"""The demo brings analytics to life: history posts with snapshots, daily followers, answered comments —
loaded once (a second ``kopiena demo`` adds nothing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from kopiena.analytics import selectors as s
from kopiena.analytics.models import AccountSnapshot, PostStat, ResponseDay
from kopiena.core.clock import now
from kopiena.core.demo import demo_load
from kopiena.core.zones import zone_of
from kopiena.teams.models import Role

pytestmark = pytest.mark.django_db


def test_demo_history_feeds_every_chart(client):
    demo_load()
    posts, snapshots = PostStat.objects.count(), AccountSnapshot.objects.count()
    assert posts >= 60 and snapshots >= 80 and ResponseDay.objects.exists()
    ctx = demo_load()  # a second run adds nothing
    assert (PostStat.objects.count(), AccountSnapshot.objects.count()) == (posts, snapshots)
    workspace = ctx.workspace

    today = now().astimezone(zone_of(workspace.timezone)).date()
    period = {"workspace": workspace, "start": today - timedelta(days=89), "end": today}
    assert s.engagement_totals(**period).per_post
    assert s.best_times(workspace=workspace)
    assert s.follower_growth(**period)[0].change > 0
    assert s.response_headline(**period).current.answered > 20
    client.force_login(ctx.people[Role.ANALYST])
    response = client.get(reverse("analytics", kwargs={"ws": workspace.slug}), {"days": "90"})
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    page = response.text
    assert 'data-testid="best-times"' in page and 'data-testid="response-figures"' in page
