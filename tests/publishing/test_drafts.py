"""Issue 16 item 2: drafts can be found again — the Drafts list, and the calendar's panel of drafts without a
date (a draft without a date is on no calendar view)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopiena.publishing.models import PostState
from kopiena.publishing.selectors import drafts_of
from kopiena.publishing.services import post_create, post_schedule

from .conftest import daytime

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(make_account):
    return make_account("Kafija LV", approval_required=False), make_account(
        "Kafija EN", approval_required=False
    )


@pytest.fixture
def posts(manager_access, accounts):
    lv, en = accounts
    undated = post_create(
        access=manager_access, account_ids=[lv.pk], text="Bez datuma: jaunā kafija", theme="Jaunumi"
    )
    dated = post_create(
        access=manager_access, account_ids=[en.pk], text="Planned draft", planned_at=daytime(2)
    )
    scheduled = post_create(access=manager_access, account_ids=[lv.pk], text="Already scheduled")
    post_schedule(access=manager_access, post_id=scheduled.pk, at=daytime(3))
    return {"undated": undated, "dated": dated, "scheduled": scheduled}


def test_drafts_of_lists_dated_and_undated_drafts_only(manager_access, accounts, posts):
    assert {p.pk for p in drafts_of(access=manager_access)} == {posts["undated"].pk, posts["dated"].pk}
    assert [p.pk for p in drafts_of(access=manager_access, undated_only=True)] == [posts["undated"].pk]
    assert [p.pk for p in drafts_of(access=manager_access, account_ids=[accounts[1].pk])] == [
        posts["dated"].pk
    ]
    assert [p.pk for p in drafts_of(access=manager_access, themes=["Jaunumi"])] == [posts["undated"].pk]


def test_drafts_page_shows_every_draft(member, login, workspace, posts):
    client = login(member("contributor"))
    response = client.get(reverse("drafts", kwargs={"ws": workspace.slug}))
    assert response.status_code == 200
    text = response.text
    assert "Bez datuma: jaunā kafija" in text and "Planned draft" in text
    assert "Already scheduled" not in text
    assert "No date" in text
    only_undated = client.get(reverse("drafts", kwargs={"ws": workspace.slug}), {"undated": "1"}).text
    assert "Bez datuma" in only_undated and "Planned draft" not in only_undated


def test_drafts_page_paginates_and_keeps_the_filter(manager_access, member, login, workspace, accounts):
    for n in range(53):
        post_create(access=manager_access, account_ids=[accounts[0].pk], text=f"draft {n}")
    client = login(member("manager"))
    url = reverse("drafts", kwargs={"ws": workspace.slug})
    first = client.get(url, {"account": accounts[0].pk})
    assert len(first.context["rows"]) == 50
    assert f"account={accounts[0].pk}&amp;page=2" in first.text
    assert len(client.get(url, {"account": accounts[0].pk, "page": 2}).context["rows"]) == 3


def test_calendar_panel_follows_the_state_filter(member, login, workspace, posts):
    client = login(member("manager"))
    calendar = client.get(reverse("calendar", kwargs={"ws": workspace.slug})).text
    assert 'data-testid="undated-drafts"' in calendar and "Bez datuma: jaunā kafija" in calendar
    url = reverse("drafts", kwargs={"ws": workspace.slug})
    as_draft = client.get(url, {"panel": "1", "state": PostState.DRAFT}).text
    assert "Bez datuma: jaunā kafija" in as_draft and "Planned draft" not in as_draft
    as_scheduled = client.get(url, {"panel": "1", "state": PostState.SCHEDULED}).text
    assert "Bez datuma" not in as_scheduled and "undated-drafts" not in as_scheduled


def test_another_workspace_never_sees_the_drafts(login, other_workspace, workspace, posts):
    stranger = other_workspace.memberships.get().user
    client = login(stranger)
    assert client.get(reverse("drafts", kwargs={"ws": workspace.slug})).status_code == 404
    text = client.get(reverse("drafts", kwargs={"ws": other_workspace.slug})).text
    assert "Bez datuma" not in text
