"""Issue 12 item 4: moderators and managers correct labels; the thread is re-routed; audited; kept;
a label that does not exist is a clear message with nothing changed."""

from __future__ import annotations

import pytest

from kopiena.audit.models import AuditEvent
from kopiena.core.errors import DomainError
from kopiena.inbox.corrections import item_correct
from kopiena.inbox.models import Item, ItemCorrection, Thread
from kopiena.inbox.selectors import InboxFilter, threads_for
from kopiena.inbox.services import items_ingest
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current
from kopiena.policy.services import policy_save
from kopiena.teams.models import Role
from tests.inbox.conftest import remote

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(owner_access, workspace):
    """Complaints go to managers (urgent); everything else to moderators."""
    data = policy_current(workspace=workspace).model_dump(mode="json")
    data["engagement"]["routing"]["rules"] = [
        {
            "name": "complaints",
            "when": {"intents": ["complaint"]},
            "assign_to": {"role": "manager"},
            "priority": "urgent",
        }
    ]
    policy_save(access=owner_access, document=PolicyDocument.model_validate(data))


@pytest.fixture
def item(account, routed):
    # A plain question to the classifier (neutral, no complaint: "everything else"); the moderator, who
    # knows this order is overdue, marks it a complaint. A text the classifier already calls a complaint
    # ("... vēl nav atnācis") would be routed to complaints before any correction.
    items_ingest(account=account, remote_items=[remote("c1", "Kad pasūtījums 4411 būs ceļā?")])
    return Item.objects.get(external_id="c1")


def _url(workspace, item, suffix="correct/"):
    return f"/w/{workspace.slug}/inbox/items/{item.pk}/{suffix}"


def test_a_correction_reroutes_moves_views_is_audited_and_kept(login, member, workspace, owner_access, item):
    thread = item.thread
    assert thread.route_rule == "everything else" and thread.assigned_role == "moderator"
    moderator = member(Role.MODERATOR)
    response = login(moderator).post(
        _url(workspace, item),
        {"language": "lv", "sentiment": "negative", "intents": ["complaint"], "spam": "0", "toxic": "0"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    thread.refresh_from_db()
    assert (item.sentiment, item.intents) == ("negative", ["complaint"])
    assert (thread.route_rule, thread.assigned_role, thread.priority) == ("complaints", "manager", "urgent")
    assert thread.sentiment == "negative" and ",complaint," in thread.intent_keys
    negative = threads_for(access=owner_access, filters=InboxFilter(view="negative"))
    assert list(negative) == [thread]
    correction = ItemCorrection.objects.get()
    assert correction.labels["sentiment"] == "negative" and correction.before["sentiment"] != "negative"
    assert correction.corrected_by == moderator and correction.text == item.text
    event = AuditEvent.objects.get(action="inbox.item_correct")
    assert event.after["rerouted"] is True


def test_a_label_that_does_not_exist_changes_nothing(login, owner, owner_access, workspace, item):
    before = (item.sentiment, list(item.intents), item.language)
    for changes in (
        {"sentiment": "furious"},
        {"intents": ["question", "gossip"]},
        {"language": "xx"},
        {"spam": "maybe"},
        {"mood": "sad"},
    ):
        with pytest.raises(DomainError):
            item_correct(access=owner_access, item=item, changes=changes)
    response = login(owner).post(_url(workspace, item), {"sentiment": "furious"}, follow=True)
    assert "“furious” is not a sentiment." in response.content.decode()
    item.refresh_from_db()
    assert (item.sentiment, list(item.intents), item.language) == before
    assert not ItemCorrection.objects.exists()
    assert not AuditEvent.objects.filter(action="inbox.item_correct").exists()


def test_only_moderators_managers_and_owners_correct(login, member, workspace, item):
    for role in (Role.CONTRIBUTOR, Role.ANALYST):
        response = login(member(role)).post(_url(workspace, item), {"sentiment": "negative"})
        assert response.status_code == 403
    assert not ItemCorrection.objects.exists()


def test_another_workspaces_item_is_404(login, other_workspace, item):
    client = login(other_workspace.memberships.get().user)
    response = client.post(
        f"/w/{other_workspace.slug}/inbox/items/{item.pk}/correct/", {"sentiment": "negative"}
    )
    assert response.status_code == 404
    assert not ItemCorrection.objects.exists()


def test_the_next_similar_comment_takes_the_corrected_labels(owner_access, account, item):
    item_correct(access=owner_access, item=item, changes={"sentiment": "negative", "intents": ["complaint"]})
    items_ingest(account=account, remote_items=[remote("c2", "Kad pasūtījums 9032 būs ceļā?", author="b")])
    new = Item.objects.get(external_id="c2")
    assert (new.sentiment, new.intents) == ("negative", ["complaint"])
    assert Thread.objects.get(pk=new.thread_id).route_rule == "complaints"  # routed by the corrected labels
