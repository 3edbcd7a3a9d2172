"""M3, acute situations: an answer in an acute conversation waits for a second look when the policy's
acute playbook says ``reply_needs_approval`` — approved by an owner or one of the playbook's escalation
roles (whose own answers go straight out), or sent back with a note to its author. Nothing waiting is ever
sent: the sender only takes ``queued`` replies.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kopiena.audit.services import audit_record
from kopiena.core.errors import DomainError, NotPermitted
from kopiena.inbox.models import Item, Reply, ReplyState
from kopiena.policy.selectors import policy_current
from kopiena.teams.models import Role
from kopiena.teams.selectors import Access, users_in_roles


def send_after_commit(reply: Reply) -> None:
    from kopiena.inbox.tasks import reply_send

    reply_pk = reply.pk
    transaction.on_commit(lambda: reply_send.enqueue(reply_pk))


def may_approve_reply(*, access: Access) -> bool:
    """M3: the acute playbook's escalation roles (and owners) give acute answers their second look."""
    playbook = policy_current(workspace=access.workspace).engagement.acute_playbook
    return access.role == Role.OWNER or access.role in playbook.escalate_to_roles


def needs_approval(*, access: Access, item: Item) -> bool:
    """An answer in an acute conversation waits for approval when the policy says so, unless its author
    is one of the people who approve."""
    playbook = policy_current(workspace=access.workspace).engagement.acute_playbook
    return item.thread.acute and playbook.reply_needs_approval and not may_approve_reply(access=access)


def ask_for_approval(*, access: Access, reply: Reply) -> None:
    """Tell the people who approve that an acute answer waits (in their language, by e-mail too)."""
    from kopiena.notifications.services import notify, reply_target

    playbook = policy_current(workspace=access.workspace).engagement.acute_playbook
    author = access.user.get_full_name() or access.user.username
    # Done (for every approver) once one of them approves it or sends it back.
    notify(
        workspace_id=access.workspace.pk,
        recipients=users_in_roles(
            workspace=access.workspace, roles={Role.OWNER, *playbook.escalate_to_roles}
        ),
        kind="inbox.reply_approval",
        params={"author": author, "text": reply.text[:1000], "thread": reply.item.thread_id},
        target=reply_target(reply.pk),
        urgent=True,
    )


def _reply_for_review(access: Access, reply_id: int) -> Reply:
    reply = (
        Reply.objects.select_for_update(of=("self",))  # PostgreSQL cannot lock the nullable author join
        .select_related("item__thread", "author")
        .filter(pk=reply_id, item__workspace=access.workspace)
        .first()
    )
    if reply is None:
        raise DomainError(gettext_noop("No such conversation."))
    if not may_approve_reply(access=access):
        raise NotPermitted(_("The policy's acute playbook names who approves these answers."))
    if reply.state != ReplyState.AWAITING_APPROVAL:
        raise DomainError(_("This answer is no longer waiting for approval."))
    return reply


@transaction.atomic
def reply_approve(*, access: Access, reply_id: int) -> Reply:
    """Approve an acute answer: it is sent as written."""
    reply = _reply_for_review(access, reply_id)
    reply.state, reply.reviewed_by = ReplyState.QUEUED, access.user
    reply.save(update_fields=["state", "reviewed_by", "updated_at"])
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="inbox.reply_approve",
        obj=reply,
        before={"state": ReplyState.AWAITING_APPROVAL},
        after={"state": reply.state},
    )
    _review_done(access, reply, approved=True)
    send_after_commit(reply)
    return reply


def _review_done(access: Access, reply: Reply, *, approved: bool) -> None:
    """The approvers' "waits for your approval" notices are done; the author hears the outcome."""
    from kopiena.notifications.services import notices_done, notify, reply_target

    notices_done(
        workspace_id=access.workspace.pk, target=reply_target(reply.pk), kinds=["inbox.reply_approval"]
    )
    if reply.author is None or reply.author_id == access.user.pk:
        return
    reviewer = access.user.get_full_name() or access.user.username
    params = {"reviewer": reviewer, "thread": reply.item.thread_id}
    if not approved:
        params["note"] = reply.review_note or "—"
    notify(
        workspace_id=access.workspace.pk,
        recipients=[reply.author],
        kind="inbox.reply_approved" if approved else "inbox.reply_sent_back",
        params=params,
        target=reply_target(reply.pk),
    )


@transaction.atomic
def reply_send_back(*, access: Access, reply_id: int, note: str = "") -> Reply:
    """Do not send it; tell the author why (the conversation stays open for a better answer)."""
    reply = _reply_for_review(access, reply_id)
    reply.state, reply.reviewed_by, reply.review_note = ReplyState.SENT_BACK, access.user, note.strip()[:2000]
    reply.save(update_fields=["state", "reviewed_by", "review_note", "updated_at"])
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="inbox.reply_send_back",
        obj=reply,
        before={"state": ReplyState.AWAITING_APPROVAL},
        after={"state": reply.state, "note": reply.review_note},
    )
    _review_done(access, reply, approved=False)
    return reply
