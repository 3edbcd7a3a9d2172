"""The demo has a running contest with entries; the clock's tick starts, collects and erases."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from kopiena.contests import services
from kopiena.contests.demo import DEMO_TITLE
from kopiena.contests.models import Contest, ContestState, Entry
from kopiena.core.clock import now
from tests.contests.conftest import ingest, remote

pytestmark = pytest.mark.django_db


def test_demo_has_a_running_contest_with_entries_and_reasons():
    from kopiena.core.demo import demo_load

    demo_load()
    demo_load()  # idempotent
    contest = Contest.objects.get(title=DEMO_TITLE)
    assert contest.state == ContestState.RUNNING
    decisions = dict(
        Entry.objects.filter(contest=contest).values_list("author_handle", "decision").order_by("id")
    )
    assert decisions["@barista_janis"] == "staff" and decisions["@emily"] == "ineligible"
    assert Entry.objects.filter(contest=contest, decision="duplicate").count() == 1
    assert Entry.objects.filter(contest=contest, decision="eligible").count() == 3


def test_tick_starts_an_approved_contest_and_collects(account, make_contest):
    contest = make_contest(starts_at=now() - timedelta(minutes=5), ends_at=now() + timedelta(days=1))
    assert contest.state == ContestState.APPROVED
    ingest(account, replace(remote("c1", "Es", author="a"), created_at=now()))
    assert services.contests_tick()["collected"] == 1
    contest.refresh_from_db()
    assert contest.state == ContestState.RUNNING and Entry.objects.get().decision == "eligible"
