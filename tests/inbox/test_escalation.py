"""M3: acute conversations left unanswered are escalated to the acute playbook's roles, once per message."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kopiena.audit.models import AuditEvent
from kopiena.core.clock import now
from kopiena.inbox.escalation import acute_threads_escalate
from kopiena.inbox.models import Thread
from kopiena.inbox.services import items_ingest
from kopiena.inbox.tasks import acute_escalate
from kopiena.publishing.models import Notification
from kopiena.teams.models import Role
from tests.inbox.conftest import remote

pytestmark = pytest.mark.django_db


@pytest.fixture
def owed(account):
    """An acute thread that owes an answer, whose latest message came ``minutes`` ago."""

    def make(external_id: str, minutes: int, *, acute: bool = True) -> Thread:
        items_ingest(
            account=account,
            remote_items=[remote(external_id, "Nauda paņemta, preces nav!", post=external_id)],
        )
        thread = Thread.objects.get(root_external_id=external_id)
        Thread.objects.filter(pk=thread.pk).update(
            acute=acute,
            last_item_at=now() - timedelta(minutes=minutes),
            response_due_at=now() + timedelta(hours=5),
        )
        thread.refresh_from_db()
        return thread

    return make


def test_overdue_acute_threads_reach_the_escalation_roles_once(owed, owner, member):
    manager = member(Role.MANAGER)
    late, fresh, calm = owed("c1", 61), owed("c2", 5), owed("c3", 300, acute=False)

    assert acute_threads_escalate() == 1  # default playbook: after 60 minutes, to the owners
    told = Notification.objects.filter(kind="inbox.acute_escalation")
    assert [n.recipient for n in told] == [owner] and manager not in [n.recipient for n in told]
    assert "60" in told.get().title and "Nauda paņemta" in told.get().body
    assert AuditEvent.objects.filter(action="inbox.thread_escalate", object_id=str(late.pk)).exists()
    assert acute_escalate.call() == 0  # the clock's next run: already escalated, nothing new
    fresh.refresh_from_db()
    calm.refresh_from_db()
    assert fresh.escalated_at is None and calm.escalated_at is None


def test_a_new_unanswered_message_escalates_again_and_an_answer_stops_it(owed, owner):
    thread = owed("c1", 90)
    assert acute_threads_escalate() == 1
    later = now() + timedelta(minutes=1)
    Thread.objects.filter(pk=thread.pk).update(last_item_at=later)  # they wrote again
    assert acute_threads_escalate(at=later + timedelta(minutes=61)) == 1

    Thread.objects.filter(pk=thread.pk).update(
        last_item_at=later + timedelta(minutes=70), response_due_at=None
    )
    assert acute_threads_escalate(at=later + timedelta(minutes=200)) == 0  # answered: nothing owed
    assert Notification.objects.filter(kind="inbox.acute_escalation").count() == 2
