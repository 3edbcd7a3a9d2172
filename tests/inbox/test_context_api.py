"""REST for issue 12 items 3/4: notes, tags and label corrections under /api/v1/inbox, same rules as the
UI (a label that does not exist is a 400 with nothing changed; another workspace's thread is a 404)."""

from __future__ import annotations

import pytest

from kopiena.inbox.models import ItemCorrection, Tag, Thread, ThreadNote
from kopiena.inbox.services import items_ingest
from kopiena.teams.models import Role
from tests.inbox.conftest import remote
from tests.inbox.test_api import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(account):
    items_ingest(account=account, remote_items=[remote("c1", "Vai rīt strādājat?")])
    return Thread.objects.get()


def test_correct_note_and_tag_through_the_api(owner, member, workspace, thread):
    api = client_for(owner, workspace)
    item = thread.items.get()
    corrected = api.request("POST", f"/inbox/items/{item.pk}/correct", json={"sentiment": "negative"})
    assert corrected.status_code == 200 and corrected.json()["sentiment"] == "negative"
    refused = api.request("POST", f"/inbox/items/{item.pk}/correct", json={"intents": ["gossip"]})
    assert refused.status_code == 400 and "gossip" in refused.json()["detail"]
    assert ItemCorrection.objects.count() == 1

    teammate = member(Role.MODERATOR)
    note = api.request(
        "POST", f"/inbox/threads/{thread.pk}/notes", json={"text": f"@{teammate.username} <i>x</i>"}
    )
    assert note.status_code == 201 and note.json()["mentioned"] == [teammate.pk]
    assert ThreadNote.objects.get().text == f"@{teammate.username} <i>x</i>"  # kept as written, shown as text

    tagged = api.request("POST", f"/inbox/threads/{thread.pk}/tags", json={"tag": "darba laiks"})
    assert tagged.json() == ["darba laiks"]
    assert (
        api.request(
            "POST", f"/inbox/threads/{thread.pk}/tags", json={"tag": "darba laiks", "remove": True}
        ).json()
        == []
    )


def test_the_api_keeps_roles_and_workspaces_apart(member, workspace, other_workspace, thread):
    item = thread.items.get()
    contributor = client_for(member(Role.CONTRIBUTOR), workspace)
    assert (
        contributor.request("POST", f"/inbox/items/{item.pk}/correct", json={"spam": True}).status_code == 403
    )
    assert (
        contributor.request("POST", f"/inbox/threads/{thread.pk}/tags", json={"tag": "x"}).status_code == 403
    )
    stranger = client_for(other_workspace.memberships.get().user, other_workspace)
    assert (
        stranger.request("POST", f"/inbox/threads/{thread.pk}/notes", json={"text": "hi"}).status_code == 404
    )
    assert stranger.request("POST", f"/inbox/items/{item.pk}/correct", json={"spam": True}).status_code == 404
    assert not (ItemCorrection.objects.exists() or ThreadNote.objects.exists() or Tag.objects.exists())
