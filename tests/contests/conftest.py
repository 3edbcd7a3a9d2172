"""Contest fixtures: a Mastodon account whose post "p1" runs a complete (approvable) contest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kopiena.contests import services
from kopiena.inbox.services import items_ingest
from tests.inbox.conftest import BASE, remote

__all__ = ["BASE", "complete_fields", "ingest", "remote"]


@pytest.fixture
def account(owner_access):
    from kopiena.integrations.services import account_connect

    return account_connect(
        access=owner_access, platform="mastodon", name="Kafija on Mastodon",
        credentials={"access_token": "tok-contest-1"}, base_url="https://social.example", external_id="100",
    )  # fmt: skip


def complete_fields(**overrides) -> dict:
    fields = {
        "title": "Rudens kafijas konkurss",
        "timezone": "Europe/Riga",
        "starts_at": BASE - timedelta(hours=1),
        "ends_at": BASE + timedelta(hours=2),
        "prizes": ["Kafijas kilograms", "Krūze"],
        "winners_count": 2,
        "excluded_handles": ["@staff"],
        "organiser": "SIA Rīgas Grauzdētava",
        "organiser_contact": "konkurss@kafija.lv",
        "who_may_enter": "Latvijas iedzīvotāji no 18 gadiem.",
        "winners_notice": "Atbildē uz komentāru 3 dienu laikā.",
        "prize_delivery": "Ar Omniva pakomātu 14 dienu laikā.",
        "privacy_url": "https://kafija.lv/privatums",
        "complaints": "Rakstiet uz konkurss@kafija.lv 30 dienu laikā.",
        "min_age": 18,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def make_contest(owner_access, account):
    def make(*, approve: bool = True, posts=None, **overrides):
        contest = services.contest_create(
            access=owner_access, posts=posts or [(account.pk, "p1")], **complete_fields(**overrides)
        )
        if approve:
            services.contest_checklist_confirm(
                access=owner_access, contest_id=contest.pk, key="platform_rules", confirmed=True
            )
            contest = services.contest_approve(access=owner_access, contest_id=contest.pk)
        return contest

    return make


def ingest(account, *items):
    return items_ingest(account=account, remote_items=list(items))


@pytest.fixture
def comments(account):
    """A duplicate, a staff account, a late comment and three good entries."""
    ingest(
        account,
        remote("c1", "Gribu laimēt!", author="anna", minutes=1),
        remote("c2", "Vēlreiz es!", author="anna", minutes=2),
        remote("c3", "Es arī", author="staff", minutes=3),
        remote("c4", "Piedalos", author="juris", minutes=4),
        remote("c5", "Ļoti gribu kafiju", author="ilze", minutes=5),
        remote("c6", "Par vēlu?", author="peteris", minutes=200),
    )
