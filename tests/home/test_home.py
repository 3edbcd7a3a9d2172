"""Home (issue 13 item 3): today's work for one person — each card only for roles that can act on it,
with counts, rows that link to the fix, clear empty states, and a handful of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from kopiena.core.clock import now
from kopiena.home.selectors import today_for
from kopiena.inbox.models import Thread
from kopiena.inbox.services import items_ingest
from kopiena.integrations.models import AccountStatus
from kopiena.listening.models import Spike, SpikeKind
from kopiena.listening.services import query_create
from kopiena.publishing.models import Delivery, DeliveryState, PostState
from kopiena.publishing.services import post_create, post_submit
from kopiena.teams.models import Role
from tests.inbox.conftest import remote

pytestmark = pytest.mark.django_db


def _cards(access):
    return {card.key: card for card in today_for(access=access).cards}


def _thread(account, external_id: str, **fields) -> Thread:
    items_ingest(account=account, remote_items=[remote(external_id, post=external_id)])
    thread = Thread.objects.get(root_external_id=external_id)
    Thread.objects.filter(pk=thread.pk).update(**fields)
    return thread


def test_moderator_sees_conversations_due_today_for_them_or_their_role(account, member, access_for):
    olga = member(Role.MODERATOR)
    moderator = access_for(olga)
    at = now()
    _thread(
        account, "mine-overdue", assignee=olga, response_due_at=at - timedelta(hours=1), subject="Vēla kafija"
    )
    _thread(
        account,
        "role-due",
        assigned_role=Role.MODERATOR,
        assignee=None,
        response_due_at=at + timedelta(minutes=5),
    )
    _thread(account, "someone-else", assignee=member(Role.MANAGER), response_due_at=at - timedelta(hours=1))
    _thread(account, "next-week", assignee=olga, response_due_at=at + timedelta(days=8))
    _thread(account, "closed", assignee=olga, response_due_at=at - timedelta(hours=1), status="closed")

    cards = _cards(moderator)
    assert set(cards) == {
        "conversations",
        "spikes",
    }  # no approvals, deliveries, gaps or accounts for a moderator
    conversations = cards["conversations"]
    assert conversations.count == 2
    assert conversations.rows[0].label == "Vēla kafija"
    assert conversations.rows[0].urgent and "overdue" in conversations.rows[0].detail
    assert conversations.note == "1 overdue"
    assert conversations.rows[0].url.endswith(f"/inbox/{Thread.objects.get(subject='Vēla kafija').pk}/")


def test_manager_sees_approvals_failed_deliveries_gaps_and_reconnects(
    manager_access, member, access_for, make_account
):
    broken = make_account("Salūzis konts", approval_required=True)
    broken.status = AccountStatus.NEEDS_RECONNECT
    broken.last_error = "token revoked"
    broken.save()
    contributor = access_for(member(Role.CONTRIBUTOR))
    draft = post_create(
        access=contributor, account_ids=[broken.pk], content_type="photo", text="Jaunā kafija"
    )
    post_submit(access=contributor, post_id=draft.pk)
    failed = post_create(
        access=manager_access, account_ids=[broken.pk], content_type="text", text="Neizdevās"
    )
    at = now()
    Delivery.objects.create(
        workspace=manager_access.workspace, post=failed, variant=failed.variants.get(), account=broken,
        due_at=at - timedelta(hours=3), next_attempt_at=at, state=DeliveryState.FAILED,
        failure_message="Authorisation expired",
    )  # fmt: skip

    cards = _cards(manager_access)
    assert {"conversations", "approvals", "deliveries", "gaps", "spikes", "reconnect"} == set(cards)
    assert cards["approvals"].count == 1 and cards["approvals"].rows[0].label == "Jaunā kafija"
    assert cards["approvals"].rows[0].url.endswith(f"/calendar/posts/{draft.pk}/")
    assert cards["deliveries"].count == 1 and "Authorisation expired" in cards["deliveries"].rows[0].detail
    assert cards["reconnect"].count == 1 and cards["reconnect"].rows[0].detail == "token revoked"
    assert cards["gaps"].count >= 1  # nothing planned next week on the accounts
    assert cards["gaps"].action_url.endswith("/calendar/week/")

    type(failed).objects.filter(pk=failed.pk).update(state=PostState.CANCELLED)
    assert _cards(manager_access)["deliveries"].count == 0


def test_spikes_of_the_last_day_only(manager_access):
    query = query_create(access=manager_access, name="Zīmols", expression="kafija")
    at = now().replace(minute=0, second=0, microsecond=0)
    Spike.objects.create(
        query=query, kind=SpikeKind.NEGATIVE, hour=at - timedelta(hours=2), observed=40, baseline=5, spread=2
    )
    Spike.objects.create(
        query=query, kind=SpikeKind.VOLUME, hour=at - timedelta(days=3), observed=40, baseline=5, spread=2
    )
    spikes = _cards(manager_access)["spikes"]
    assert spikes.count == 1 and spikes.rows[0].label == "Zīmols" and spikes.rows[0].urgent


def test_page_lists_work_with_empty_states_in_few_queries(
    manager_access, login, django_assert_max_num_queries
):
    client = login(manager_access.user)
    url = reverse("today", kwargs={"ws": manager_access.workspace.slug})
    client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(25):
        page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="today-approvals"' in page.text
    assert "No post is waiting for approval." in page.text
    assert "Every account is connected." in page.text


def test_analyst_gets_an_empty_state_and_slash_leads_home(member, login, workspace):
    client = login(member(Role.ANALYST))
    response = client.get("/")
    assert response["Location"] == reverse("today", kwargs={"ws": workspace.slug})
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'data-testid="today-empty"' in page.text


def test_other_workspace_is_404(login, other_workspace, member):
    client = login(member(Role.MANAGER))
    assert client.get(reverse("today", kwargs={"ws": other_workspace.slug})).status_code == 404
