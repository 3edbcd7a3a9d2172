"""A notice is marked done when what it asks for is done: an approval given or sent back, a thread
answered or resolved. A done notice leaves the bell's count, and its waiting e-mails are dropped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopiena.inbox import sla_clock
from kopiena.inbox.models import Reply, ReplyState, Thread
from kopiena.inbox.reply_approval import reply_approve, reply_send_back
from kopiena.inbox.services import item_reply, items_ingest, reply_record_outcome, thread_set_status
from kopiena.notifications.models import DeliveryState, Notice
from kopiena.notifications.selectors import notifications_for
from kopiena.publishing.services import post_approve, post_create, post_send_back, post_submit
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.notifications.conftest import remote

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(account):
    items_ingest(account=account, remote_items=[remote("c1", "Kad atvērsiet jauno kafejnīcu?")])
    return Thread.objects.get(root_external_id="c1")


def _overdue(thread) -> list[Notice]:
    sla = thread.slas.get()
    sla_clock.slas_tick(at=sla.due_at)
    return list(Notice.objects.filter(kind="inbox.sla_overdue"))


def test_an_answer_makes_the_overdue_notice_done(thread, member, login):
    member(Role.MODERATOR)
    notices = _overdue(thread)
    assert notices and all(n.done_at is None for n in notices)
    person = notices[0].recipient
    client = login(person)
    assert "unread" in client.get(reverse("notifications")).text.split("<main")[0]
    reply = Reply.objects.create(item=thread.items.get(), text="Rīt!", state=ReplyState.QUEUED)
    reply_record_outcome(reply=reply, state=ReplyState.SENT, remote_id="r1")
    assert all(n.done_at for n in Notice.objects.filter(kind="inbox.sla_overdue"))
    assert not notifications_for(user=person, unread_only=True).exists()  # the bell stops counting it
    page = client.get(reverse("notifications")).text
    assert "data-kp-done" in page and "unread" not in page.split("<main")[0]


def test_resolving_the_thread_makes_its_notices_done_and_drops_waiting_mail(thread, member, owner_access):
    member(Role.MODERATOR)
    notices = _overdue(thread)
    waiting = [d for n in notices for d in n.deliveries.all()]
    assert waiting and all(d.state == DeliveryState.PENDING for d in waiting)
    thread_set_status(
        access=owner_access, thread=thread, status="closed", resolution="resolved", reason="Zvanīja"
    )
    assert all(n.done_at for n in Notice.objects.filter(pk__in=[n.pk for n in notices]))
    assert {d.state for n in notices for d in n.deliveries.all()} == {DeliveryState.SKIPPED}


def test_approving_or_sending_back_an_acute_answer_makes_the_request_done(
    account, owner_access, member, workspace
):
    from kopiena.policy.schema import PolicyDocument
    from kopiena.policy.selectors import policy_current_data
    from kopiena.policy.services import policy_save

    data = policy_current_data(workspace=workspace)
    data["engagement"]["acute_playbook"]["reply_needs_approval"] = True
    policy_save(access=owner_access, document=PolicyDocument.model_validate(data))
    manager = access_workspace(actor=member(Role.MANAGER), slug=workspace.slug)
    items_ingest(account=account, remote_items=[remote("a1", "Krāpnieki!"), remote("a2", "Zagļi!")])
    Thread.objects.update(acute=True)
    first, second = (Thread.objects.get(root_external_id=x).items.get() for x in ("a1", "a2"))
    one = item_reply(access=manager, item=first, text="Atvainojiet, lūdzu rakstiet mums.", confirmed=True)
    two = item_reply(access=manager, item=second, text="Atvainojiet!", confirmed=True)
    asked = Notice.objects.filter(kind="inbox.reply_approval")
    assert asked.count() == 2 and not asked.filter(done_at__isnull=False).exists()

    reply_approve(access=owner_access, reply_id=one.pk)
    reply_send_back(access=owner_access, reply_id=two.pk, note="Mierīgāk.")
    assert not asked.filter(done_at__isnull=True).exists()
    told = {n.kind: n for n in Notice.objects.filter(recipient=manager.user)}
    assert set(told) == {"inbox.reply_approved", "inbox.reply_sent_back"}
    assert "Mierīgāk." in told["inbox.reply_sent_back"].body


def test_approving_or_sending_back_a_post_makes_the_review_request_done(
    owner_access, member, workspace, make_account
):
    contributor = access_workspace(actor=member(Role.CONTRIBUTOR), slug=workspace.slug)
    account_ids = [make_account().pk]
    first = post_create(access=contributor, account_ids=account_ids, text="Kafija ar kardamonu")
    second = post_create(access=contributor, account_ids=account_ids, text="Jauna kafejnīca Teikā")
    post_submit(access=contributor, post_id=first.pk)
    post_submit(access=contributor, post_id=second.pk)
    requests = Notice.objects.filter(kind="publishing.review_requested", recipient=owner_access.user)
    assert requests.count() == 2 and "Kafija ar kardamonu" in requests.get(post=first).body

    post_approve(access=owner_access, post_id=first.pk)
    assert requests.get(post=first).done_at and requests.get(post=second).done_at is None
    post_send_back(access=owner_access, post_id=second.pk, comment="Pievienojiet adresi.")
    assert not requests.filter(done_at__isnull=True).exists()
    outcome = {n.kind: n for n in Notice.objects.filter(recipient=contributor.user)}
    assert set(outcome) == {"publishing.approved", "publishing.sent_back"}
    assert "Pievienojiet adresi." in outcome["publishing.sent_back"].body


def test_an_assignment_tells_the_assignee_and_opening_it_leads_to_the_thread(
    thread, owner_access, member, login
):
    from kopiena.inbox.services import thread_assign

    moderator = member(Role.MODERATOR)
    thread_assign(access=owner_access, thread=thread, assignee=moderator)
    notice = Notice.objects.get(kind="inbox.thread_assigned")
    assert notice.recipient == moderator and "Kad atvērsiet" in notice.body
    thread_assign(access=owner_access, thread=thread, assignee=moderator)  # unchanged: no second notice
    assert Notice.objects.filter(kind="inbox.thread_assigned").count() == 1
    response = login(moderator).post(reverse("notification_open", kwargs={"notification_id": notice.pk}))
    assert response.url == reverse(
        "inbox_thread", kwargs={"ws": thread.workspace.slug, "thread_id": thread.pk}
    )
    notice.refresh_from_db()
    assert notice.read_at is not None
