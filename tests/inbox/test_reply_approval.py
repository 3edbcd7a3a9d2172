"""M3: in an acute conversation an answer waits for a second look when the acute playbook says so."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from kopiena.audit.models import AuditEvent
from kopiena.core.errors import DomainError, NotPermitted
from kopiena.inbox.models import ReplyState, Thread
from kopiena.inbox.reply_approval import reply_approve, reply_send_back
from kopiena.inbox.services import item_reply, items_ingest
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current_data
from kopiena.policy.services import policy_save
from kopiena.publishing.models import Notification
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.inbox.conftest import remote

pytestmark = pytest.mark.django_db
CALM = "Atvainojiet par kavēšanos! Pārbaudīsim pasūtījumu un šodien atbildēsim."


@pytest.fixture
def acute_item(account):
    items_ingest(account=account, remote_items=[remote("c1", "Jau nedēļu gaidu pasūtījumu!")])
    Thread.objects.update(acute=True)
    return Thread.objects.get().items.get()


@pytest.fixture
def manager_access(member, workspace):
    return access_workspace(actor=member(Role.MANAGER), slug=workspace.slug)


def _sends() -> int:
    return DBTaskResult.objects.filter(task_path="kopiena.inbox.tasks.reply_send").count()


def test_a_managers_acute_answer_waits_and_the_owner_approves_it(
    acute_item, manager_access, owner_access, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply = item_reply(access=manager_access, item=acute_item, text=CALM, confirmed=True)
    assert reply.state == ReplyState.AWAITING_APPROVAL and _sends() == 0  # nothing goes out yet
    asked = Notification.objects.get(kind="inbox.reply_approval")
    assert asked.recipient == owner_access.user and CALM[:20] in asked.body

    with pytest.raises(NotPermitted):
        reply_approve(access=manager_access, reply_id=reply.pk)  # not the author's own second look
    with django_capture_on_commit_callbacks(execute=True):
        approved = reply_approve(access=owner_access, reply_id=reply.pk)
    assert (approved.state, approved.reviewed_by) == (ReplyState.QUEUED, owner_access.user)
    assert _sends() == 1
    assert AuditEvent.objects.filter(action="inbox.reply_approve", object_id=str(reply.pk)).exists()
    with pytest.raises(DomainError, match="no longer waiting"):
        reply_approve(access=owner_access, reply_id=reply.pk)


def test_sending_back_tells_the_author_and_never_sends(
    acute_item, manager_access, owner_access, django_capture_on_commit_callbacks
):
    reply = item_reply(access=manager_access, item=acute_item, text=CALM, confirmed=True)
    with django_capture_on_commit_callbacks(execute=True):
        sent_back = reply_send_back(access=owner_access, reply_id=reply.pk, note="Piedāvājiet atlaidi.")
    assert sent_back.state == ReplyState.SENT_BACK and _sends() == 0
    told = Notification.objects.get(kind="inbox.reply_sent_back")
    assert told.recipient == manager_access.user and "Piedāvājiet atlaidi." in told.body


def test_approvers_answer_directly_and_the_policy_can_switch_it_off(acute_item, manager_access, owner_access):
    assert (
        item_reply(access=owner_access, item=acute_item, text=CALM, confirmed=True).state == ReplyState.QUEUED
    )
    data = policy_current_data(workspace=owner_access.workspace)
    data["engagement"]["acute_playbook"]["reply_needs_approval"] = False
    policy_save(access=owner_access, document=PolicyDocument.model_validate(data))
    manager = access_workspace(actor=manager_access.user, slug=manager_access.workspace.slug)
    assert item_reply(access=manager, item=acute_item, text=CALM, confirmed=True).state == ReplyState.QUEUED


def test_the_thread_page_offers_the_decision_to_approvers_only(
    acute_item, manager_access, owner, login, member, workspace, other_workspace
):
    reply = item_reply(access=manager_access, item=acute_item, text=CALM, confirmed=True)
    thread_url = f"/w/{workspace.slug}/inbox/{acute_item.thread_id}/"
    assert f'data-kp-reply-review="{reply.pk}"' not in login(manager_access.user).get(thread_url).text
    owner_client = login(owner)
    assert f'data-kp-reply-review="{reply.pk}"' in owner_client.get(thread_url).text
    other_owner = other_workspace.memberships.get(role=Role.OWNER).user
    stranger = login(other_owner).post(f"/w/{other_workspace.slug}/inbox/replies/{reply.pk}/approve/")
    assert stranger.status_code == 404
    response = login(owner).post(f"/w/{workspace.slug}/inbox/replies/{reply.pk}/approve/")
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.state == ReplyState.QUEUED
