"""Policy flags (a worsened mix, a link without context) are shown where people decide about a post —
the post page, the approvals queue, the calendar event, the REST API — and never stop it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from kopiena.publishing.models import PostState
from kopiena.publishing.services import post_create, post_schedule, post_submit
from kopiena.teams.models import Role
from tests.api.conftest import api_client  # noqa: F401 - the shared fixture

from .conftest import daytime

RIGA = ZoneInfo("Europe/Riga")
CONTEXT_HINT = "Say why the audience needs this link"


@pytest.fixture
def account(make_account):
    return make_account("Grauzdētava", approval_required=False)


def url(name: str, workspace, **kwargs) -> str:
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


def _link_post(access, account, **fields):
    return post_create(
        access=access,
        account_ids=[account.pk],
        content_type="link",
        text="Katalogs",
        link="https://example.lv/katalogs",
        **fields,
    )


def test_post_page_and_approvals_queue_show_the_flag(member, login, workspace, account, contributor_access):
    post = _link_post(contributor_access, account)
    post_submit(access=contributor_access, post_id=post.pk)
    client = login(member(Role.MANAGER))
    page = client.get(url("post_edit", workspace, post_id=post.pk)).content.decode()
    assert 'data-testid="policy-flags"' in page and CONTEXT_HINT in page
    queue = client.get(url("approvals", workspace)).content.decode()
    assert 'data-flag-code="links.require_context"' in queue and CONTEXT_HINT in queue
    clean = post_create(access=contributor_access, account_ids=[account.pk], text="Bez saites")
    assert (
        'data-testid="policy-flags"'
        not in client.get(url("post_edit", workspace, post_id=clean.pk)).content.decode()
    )


def test_live_check_labels_flags_as_not_blocking(member, login, workspace, account):
    client = login(member(Role.MANAGER))
    fragment = client.post(
        url("post_validate", workspace),
        {"accounts": [str(account.pk)], "content_type": "link", "text": "x", "link": "https://example.lv/k"},
    ).content.decode()
    assert CONTEXT_HINT in fragment and "does not stop the post from being scheduled" in fragment
    assert 'data-testid="link-note"' in fragment and 'data-testid="link-refusal"' not in fragment


def test_calendar_event_carries_the_flag(member, login, workspace, account, manager_access):
    flagged = post_schedule(
        access=manager_access, post_id=_link_post(manager_access, account).pk, at=daytime(3, 12)
    )
    clean = post_create(access=manager_access, account_ids=[account.pk], content_type="photo", text="Foto")
    post_schedule(access=manager_access, post_id=clean.pk, at=daytime(4, 12))
    assert flagged.state == PostState.SCHEDULED
    client = login(member(Role.CONTRIBUTOR))
    start = (daytime(3, 12) - timedelta(days=2)).astimezone(RIGA).strftime("%Y-%m-%dT00:00:00")
    end = (daytime(4, 12) + timedelta(days=2)).astimezone(RIGA).strftime("%Y-%m-%dT00:00:00")
    events = {
        e["id"]: e for e in client.get(url("calendar_events", workspace), {"start": start, "end": end}).json()
    }
    assert "kp-flagged" in events[str(flagged.pk)]["classNames"]
    assert CONTEXT_HINT in events[str(flagged.pk)]["extendedProps"]["flags"][0]
    assert events[str(clean.pk)]["extendedProps"]["flags"] == []
    assert "kp-flagged" not in events[str(clean.pk)]["classNames"]


def test_rest_api_returns_the_flags_and_schedules_anyway(api_client, member, workspace, account):  # noqa: F811
    manager = api_client(member(Role.MANAGER), workspace)
    created = manager.request(
        "POST",
        "/posts",
        json={
            "account_ids": [account.pk],
            "content_type": "link",
            "text": "K",
            "link": "https://example.lv/k",
        },
    ).json()
    assert [f["code"] for f in created["policy_flags"]] == ["links.require_context"]
    manager.request("POST", f"/posts/{created['id']}/approve", json={})
    noon = daytime(2, 12)
    scheduled = manager.request("POST", f"/posts/{created['id']}/schedule", json={"at": noon.isoformat()})
    assert scheduled.status_code == 200, scheduled.content
    assert scheduled.json()["state"] == "scheduled"
    assert scheduled.json()["policy_flags"][0]["path"] == "publishing.links.require_context"
    listed = manager.get(
        "/posts",
        data={"start": (noon - timedelta(days=1)).isoformat(), "end": (noon + timedelta(days=1)).isoformat()},
    ).json()
    assert CONTEXT_HINT in listed[0]["flags"][0]
