"""Issue 16 item 16: dates in the reader's locale and the workspace's time zone (the health page showed
US format in UTC)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from kopiena.core.models import WorkerHeartbeat
from kopiena.core.tasks_runtime.health import forget_cached_worker_status
from kopiena.teams.models import Role

pytestmark = pytest.mark.django_db

STARTED = datetime(2026, 12, 5, 15, 30, tzinfo=UTC)  # 17:30 in Riga (UTC+2 in winter)


@pytest.fixture
def worker():
    forget_cached_worker_status()
    WorkerHeartbeat.objects.create(
        worker_id="w1", host="test", pid=1, queues=["default"], started_at=STARTED, last_seen=STARTED
    )
    yield
    forget_cached_worker_status()


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "05/12/2026 17:30"), ("lv", "5.12.2026 17:30"), ("ru", "05.12.2026 17:30")]
)
def test_health_page_shows_times_in_the_workspaces_zone_and_the_readers_format(
    worker, workspace, member, login, language, shown
):
    assert workspace.timezone == "Europe/Riga"
    client = login(member(Role.CONTRIBUTOR))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    text = client.get(reverse("health", kwargs={"ws": workspace.slug})).text
    assert shown in text
    assert "15:30" not in text and "p.m." not in text and "12/05/2026" not in text


def test_english_formats_are_day_first_with_a_24_hour_clock():
    moment = datetime(2026, 12, 5, 17, 5)
    with translation.override("en"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "5 Dec 2026, 17:05"
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "05/12/2026"
        # what forms accept is unchanged (Django's own input formats)
        assert "%Y-%m-%d" in formats.get_format("DATE_INPUT_FORMATS")
