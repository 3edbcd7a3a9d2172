"""REST /api/v1/inbox: threads scoped to the token's workspace, replies with the same checks as the UI."""

from __future__ import annotations

import pytest

from kopiena.inbox.models import Reply, Thread
from kopiena.inbox.services import items_ingest
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from kopiena.teams.services import api_token_create
from tests.api.conftest import TokenClient
from tests.inbox.conftest import remote

pytestmark = pytest.mark.django_db


def client_for(user, workspace) -> TokenClient:
    _, raw = api_token_create(access=access_workspace(actor=user, slug=workspace.slug), name="tests")
    return TokenClient(raw)


@pytest.fixture
def thread(account):
    items_ingest(account=account, remote_items=[remote("c1", "Vai rīt strādājat?")])
    return Thread.objects.get()


def test_threads_and_their_items_are_listed(owner, workspace, thread):
    api = client_for(owner, workspace)
    listed = api.get("/inbox/threads").json()
    assert [t["id"] for t in listed] == [thread.pk]
    items = api.get(f"/inbox/items?thread={thread.pk}").json()
    assert [i["text"] for i in items] == ["Vai rīt strādājat?"]
    assert api.get("/inbox/items").json() == items
    assert api.get("/inbox/threads?view=closed").json() == []


def test_another_workspaces_thread_is_404(other_workspace, thread):
    api = client_for(other_workspace.memberships.get().user, other_workspace)
    assert api.get(f"/inbox/items?thread={thread.pk}").status_code == 404
    assert api.get("/inbox/items").json() == []
    item = thread.items.get()
    assert api.request("POST", f"/inbox/items/{item.pk}/reply", json={"text": "x"}).status_code == 404
    assert api.get("/inbox/threads").json() == []


def test_reply_problems_are_422_then_sent_when_confirmed(owner, workspace, thread):
    api = client_for(owner, workspace)
    item = thread.items.get()
    refused = api.request("POST", f"/inbox/items/{item.pk}/reply", json={"text": "THIS IS LATE!!!"})
    assert refused.status_code == 422
    assert {p["code"] for p in refused.json()["problems"]} >= {"tone.all_caps"}
    sent = api.request(
        "POST", f"/inbox/items/{item.pk}/reply", json={"text": "THIS IS LATE!!!", "confirmed": True}
    )
    assert sent.status_code == 201 and sent.json()["state"] == "queued"
    assert Reply.objects.count() == 1


def test_an_analyst_may_read_but_not_reply(member, workspace, thread):
    api = client_for(member(Role.ANALYST), workspace)
    assert api.get("/inbox/threads").status_code == 200
    item = thread.items.get()
    assert api.request("POST", f"/inbox/items/{item.pk}/reply", json={"text": "Sveiki"}).status_code == 403
