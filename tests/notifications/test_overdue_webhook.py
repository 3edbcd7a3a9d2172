"""Issue 12: every thread, not only acute ones, goes overdue with a notice — and that notice reaches a
local outgoing-webhook receiver through the worker's job, as the acceptance browser test needs."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from kopiena.inbox.models import Thread
from kopiena.inbox.services import items_ingest
from kopiena.inbox.tasks import sla_tick
from kopiena.notifications.models import Notice
from kopiena.notifications.services import webhook_endpoint_create
from kopiena.notifications.tasks import notice_deliveries_send, notifications_dispatch
from kopiena.teams.models import Role
from tests.notifications.conftest import received, remote, verify

pytestmark = pytest.mark.django_db


def test_a_non_acute_thread_goes_overdue_and_the_notice_reaches_the_webhook(
    account, member, receiver, django_capture_on_commit_callbacks, monkeypatch
):
    moderator = member(Role.MODERATOR)  # the default policy routes questions to the moderators
    receiver.expect_request("/hooks/overdue", method="POST").respond_with_json({"ok": True})
    _endpoint, secret = webhook_endpoint_create(
        user=moderator, name="Moderators' channel", fmt="slack", url=receiver.url_for("/hooks/overdue")
    )
    items_ingest(account=account, remote_items=[remote("q1", "Kad atvērsiet jauno kafejnīcu?")])
    thread = Thread.objects.get(root_external_id="q1")
    assert thread.acute is False and thread.assigned_role == Role.MODERATOR
    due = thread.slas.get().due_at

    from kopiena.inbox import sla_clock

    monkeypatch.setattr(sla_clock, "now", lambda: due)
    with django_capture_on_commit_callbacks(execute=True):
        sla_tick.call()  # the clock's job: due soon and overdue at once (the deadline has passed)
    notice = Notice.objects.get(kind="inbox.sla_overdue", recipient=moderator)
    assert notice.urgent is False and notice.target == f"inbox.thread:{thread.pk}"

    # The worker runs the job notify enqueued after the commit.
    jobs = DBTaskResult.objects.filter(task_path="kopiena.notifications.tasks.notice_deliveries_send")
    for job in jobs:
        notice_deliveries_send.call(*job.args_kwargs["args"])
    [(headers, body)] = [r for r in received(receiver) if "overdue" in r[1]["text"]]
    assert body["text"].startswith("*An answer is overdue*")
    assert "Kad atvērsiet jauno kafejnīcu?" in body["text"]
    assert headers["X-Kopiena-Kind"] == "inbox.sla_overdue"
    verify(receiver, secret)
    assert notifications_dispatch.call()["sent"] == 0  # nothing left over for the periodic job
