"""All inbox writes: ingest (poll and webhook), assignment, closing, hiding, replying.

Negative comments are never deleted (M4): nothing here deletes an item. Hiding is allowed only for what
the policy's moderation section lists (spam/toxic), by the roles it names, on platforms that can hide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kopiena.audit.services import audit_record
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.types import RemoteItem, WebhookEvent
from kopiena.core import business_time
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.inbox.ingest import clock_start, place, stored_text, subject_of
from kopiena.inbox.models import PRIORITY_RANK, Item, Priority, Reply, ReplyState, Thread, ThreadStatus
from kopiena.inbox.reply_approval import ask_for_approval, needs_approval, send_after_commit
from kopiena.integrations import platforms
from kopiena.integrations.models import ConnectedAccount
from kopiena.nlp import Classification, check_tone, classify_batch
from kopiena.policy import evaluators
from kopiena.policy.selectors import business_calendar_for, policy_current
from kopiena.teams.models import Membership, Role, User
from kopiena.teams.permissions import Perm, role_can
from kopiena.teams.selectors import Access

DEFAULT_LANGUAGES = ("en", "lv", "ru")


@dataclass(frozen=True)
class IngestResult:
    created: int = 0
    threads_created: int = 0
    thread_ids: tuple[int, ...] = ()


def _classification_data(c: Classification) -> dict:
    """What the policy's routing evaluators read (they call the intents ``intent``)."""
    return {
        "intent": list(c.intents),
        "sentiment": c.sentiment,
        "language": c.language,
        "acute": c.acute,
        "spam": c.spam,
        "toxic": c.toxic,
    }


def _with_rating(c: Classification, rating: int | None) -> Classification:
    """A review's stars say how the person felt more surely than the text model does (a one-star review
    with no text is negative; "not bad" with five stars is praise). Three stars leave the model's reading."""
    if rating is None or rating == 3:
        return c
    return replace(c, sentiment="negative" if rating <= 2 else "positive")


def _due_at(workspace, policy, *, kind: str, priority: str, start) -> object:
    """When the first answer is due: the policy's target (default 6 h, M8) in business time."""
    targets = policy.engagement.response_targets
    seconds = evaluators.response_target_seconds(policy, kind=kind, priority=priority)
    if not targets.business_time:
        return start + timedelta(seconds=seconds)
    try:
        return business_time.add_business_seconds(business_calendar_for(workspace=workspace), start, seconds)
    except business_time.NeverOpen:  # a calendar with no open hours: fall back to the wall clock
        return start + timedelta(seconds=seconds)


def _assignee_for(workspace, person: str | None) -> User | None:
    if not person:
        return None
    membership = (
        Membership.objects.select_related("user").filter(workspace=workspace, user__username=person).first()
    )
    return membership.user if membership else None


@transaction.atomic
def items_ingest(
    *, account: ConnectedAccount, remote_items: Iterable[RemoteItem], history_before: datetime | None = None
) -> IngestResult:
    """Store new comments/mentions/messages of ``account``, classified, threaded, routed, with SLA clocks.

    Dedupes on (account, external_id) — within the batch, against stored rows, and against a concurrent
    ingest (the unique constraint, rows that lose the race are skipped). Classifies all new texts in one
    ``classify_batch`` call, restricted to the workspace's languages. Audited once per batch (system).

    ``history_before`` (polling passes when the account was connected): items written before it are
    history — the first poll reads back days of notifications. They are stored, but start no response
    clock (a fresh deadline for a week-old mention, or an instant breach, would bury what is new), reopen
    nothing, and a conversation made only of them is created closed. A later item in it opens it and
    starts the clock as usual.
    """
    workspace = account.workspace
    batch: dict[str, RemoteItem] = {}
    for remote in remote_items:
        batch.setdefault(remote.external_id, remote)
    if not batch:
        return IngestResult()
    stored = set(
        Item.objects.filter(account=account, external_id__in=list(batch)).values_list(
            "external_id", flat=True
        )
    )
    fresh = sorted((r for key, r in batch.items() if key not in stored), key=lambda r: r.created_at)
    if not fresh:
        return IngestResult()
    texts = [stored_text(r.text)[0] for r in fresh]
    classes = classify_batch(texts, languages=list(workspace.languages or DEFAULT_LANGUAGES))
    policy = policy_current(workspace=workspace)
    account_key = evaluators.account_key_for(account)
    parents = {r.parent_id for r in fresh if r.parent_id}
    known_roots = dict(  # answers to their items and to our replies join the same conversation
        Item.objects.filter(account=account, external_id__in=parents).values_list(
            "external_id", "thread__root_external_id"
        )
    )
    known_roots.update(
        Reply.objects.filter(item__account=account, remote_id__in=parents).values_list(
            "remote_id", "item__thread__root_external_id"
        )
    )
    moment = now()
    threads: dict[str, Thread] = {}
    created_threads = 0
    rows: list[Item] = []
    for remote, text, c in zip(fresh, texts, classes, strict=True):
        c = _with_rating(c, remote.rating)
        placement = place(remote, known_roots)
        known_roots[remote.external_id] = placement.root
        thread = threads.get(placement.root)
        decision = evaluators.route(policy, _classification_data(c), account_key)
        # An item the account already answered on the platform (a review with the business's reply) owes
        # no response either: it is stored like history.
        historic = remote.answered or (history_before is not None and remote.created_at < history_before)
        if thread is None:
            thread, created = Thread.objects.get_or_create(
                account=account,
                root_external_id=placement.root,
                defaults={
                    "workspace": workspace,
                    "post_external_id": placement.post,
                    "subject": subject_of(remote.title or remote.text),
                    "assignee": _assignee_for(workspace, decision.person),
                    "assigned_role": decision.role or "",
                    "route_rule": decision.rule_name,
                    "priority": decision.priority,
                    "status": ThreadStatus.CLOSED if historic else ThreadStatus.OPEN,
                },
            )
            created_threads += created
            threads[placement.root] = thread
        _thread_absorb(thread, remote, c, decision, reopen=not historic)
        if thread.response_due_at is None and not historic:  # nothing owed yet: this item starts the clock
            thread.response_due_at = _due_at(
                workspace,
                policy,
                kind=placement.kind,
                priority=thread.priority,
                start=clock_start(remote.created_at, moment),
            )
            if thread.first_response_due_at is None:
                thread.first_response_due_at = thread.response_due_at
        rows.append(
            Item(
                workspace=workspace,
                account=account,
                thread=thread,
                kind=placement.kind,
                external_id=remote.external_id,
                parent_external_id=remote.parent_id,
                author_handle=remote.author.handle[:255],
                author_name=remote.author.name[:255],
                author_external_id=remote.author.id[:255],
                author_url=remote.author.url[:500],
                is_follower=remote.author.is_follower,
                text=text,
                text_truncated=text != remote.text,
                remote_created_at=remote.created_at,
                url=remote.url[:500],
                language=c.language,
                sentiment=c.sentiment,
                intents=list(c.intents),
                toxic=c.toxic,
                spam=c.spam,
                acute=c.acute,
                acute_reasons=list(c.acute_reasons),
                scores=c.scores,
            )
        )
    Item.objects.bulk_create(rows, ignore_conflicts=True)
    for thread in threads.values():  # only what ingest owns: a concurrent assignment is kept
        thread.save(update_fields=_ABSORBED_FIELDS)
    created = Item.objects.filter(account=account, external_id__in=[r.external_id for r in fresh]).count()
    audit_record(
        actor=None,
        workspace=workspace,
        action="inbox.items_ingest",
        obj=account,
        after={"items": created, "threads_created": created_threads, "threads": len(threads)},
    )
    return IngestResult(created, created_threads, tuple(t.pk for t in threads.values()))


_ABSORBED_FIELDS = [
    "last_item_at",
    "sentiment",
    "language",
    "acute",
    "acute_reasons",
    "priority",
    "assigned_role",
    "route_rule",
    "status",
    "response_due_at",
    "first_response_due_at",
    "updated_at",
]


def _thread_absorb(
    thread: Thread, remote: RemoteItem, c: Classification, decision, *, reopen: bool = True
) -> None:
    """Fold one new item into its thread (saved by the caller): the latest mood and language, acute
    once any item is, the higher priority, reopened when the community writes again (``reopen``: not
    for history, see ``items_ingest``)."""
    if thread.last_item_at is None or remote.created_at >= thread.last_item_at:
        thread.last_item_at = remote.created_at
        thread.sentiment = c.sentiment
        thread.language = c.language
    if c.acute:
        thread.acute = True
        thread.acute_reasons = sorted({*thread.acute_reasons, *c.acute_reasons})
    if PRIORITY_RANK[Priority(decision.priority)] < PRIORITY_RANK[Priority(thread.priority)]:
        thread.priority = decision.priority
        if thread.assignee_id is None and decision.role:
            thread.assigned_role = decision.role
            thread.route_rule = decision.rule_name
    if reopen and thread.status != ThreadStatus.OPEN:
        thread.status = ThreadStatus.OPEN


def items_ingest_webhook(*, account: ConnectedAccount, events: list[WebhookEvent]) -> None:
    """The integrations webhook receiver's handler (``WEBHOOK_EVENT_HANDLERS``): ingest the events' items
    inside the receiver's transaction, so a failure here rolls back the delivery keys and the platform's
    retry is processed again."""
    items = [item for event in events for item in event.items]
    if items:
        items_ingest(account=account, remote_items=items)


# ------------------------------------------------------------------ working the inbox


def _same_workspace(access: Access, thread: Thread) -> None:
    if thread.workspace_id != access.workspace.pk:
        raise DomainError(gettext_noop("No such conversation."))


@transaction.atomic
def thread_assign(*, access: Access, thread: Thread, assignee: User | None) -> Thread:
    """Give the thread to ``assignee`` (a member who may reply), or back to the queue with None."""
    access.require(Perm.INBOX_ASSIGN)
    _same_workspace(access, thread)
    if assignee is not None:
        role = (
            Membership.objects.filter(workspace=access.workspace, user=assignee)
            .values_list("role", flat=True)
            .first()
        )
        if role is None or not role_can(role, Perm.INBOX_REPLY):
            raise DomainError(_("Assign conversations only to people who may reply."), field="assignee")
    before = {"assignee": thread.assignee_id}
    thread.assignee = assignee
    thread.save(update_fields=["assignee", "updated_at"])
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="inbox.thread_assign",
        obj=thread,
        before=before,
        after={"assignee": thread.assignee_id},
    )
    return thread


@transaction.atomic
def thread_set_status(*, access: Access, thread: Thread, status: str) -> Thread:
    """Close a thread (nothing more to do) or reopen it. New items reopen a closed thread by themselves."""
    access.require(Perm.INBOX_REPLY)
    _same_workspace(access, thread)
    status = ThreadStatus(status)
    before = {"status": thread.status}
    thread.status = status
    thread.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="inbox.thread_close" if status == ThreadStatus.CLOSED else "inbox.thread_reopen",
        obj=thread,
        before=before,
        after={"status": status},
    )
    return thread


def can_hide_item(*, access: Access, item: Item) -> bool:
    """Hide is for spam/toxic items only (the policy), by its roles, where the platform can hide."""
    if not access.can(Perm.INBOX_MODERATE) or item.hidden:
        return False
    policy = policy_current(workspace=access.workspace)
    if not evaluators.can_hide(policy, {"spam": item.spam, "toxic": item.toxic}, access.role):
        return False
    return Capability.HIDE.value in platforms.capability_names(item.account.platform)


@transaction.atomic
def item_hide(*, access: Access, item: Item) -> Item:
    """Hide a spam/toxic item on the platform (a task does the call). Never a delete (M4)."""
    access.require(Perm.INBOX_MODERATE)
    if item.workspace_id != access.workspace.pk:
        raise DomainError(gettext_noop("No such conversation."))
    if not can_hide_item(access=access, item=item):
        raise DomainError(
            _(
                "Only spam and abusive comments may be hidden, and only on platforms that can hide. "
                "Negative comments are answered, never removed."
            )
        )
    item.hidden = True
    item.save(update_fields=["hidden", "updated_at"])
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="inbox.item_hide",
        obj=item,
        after={"hidden": True},
    )
    from kopiena.inbox.tasks import item_hide_remote

    item_pk = item.pk
    transaction.on_commit(lambda: item_hide_remote.enqueue(item_pk))
    return item


# ------------------------------------------------------------------ replying


@dataclass(frozen=True)
class ReplyProblem:
    """Something to fix before sending. ``hard`` problems block; the rest can be sent anyway."""

    code: str
    message: str
    hard: bool = False
    suggestion: str = ""
    excerpt: str = ""


class ReplyBlocked(DomainError):
    """The reply was not sent: ``problems`` says why (shown to the person before sending)."""

    def __init__(self, problems: list[ReplyProblem]):
        super().__init__("; ".join(p.message for p in problems), code="reply_blocked")
        self.problems = problems


def reply_problems(*, access: Access, item: Item, text: str, link_context: str = "") -> list[ReplyProblem]:
    """Everything the tone guard (nlp.check_tone; acute → apology and next step), the policy's banned
    phrases, link rules (M9) and acute playbook (M3) say about ``text`` as an answer to ``item``."""
    thread = item.thread
    policy = policy_current(workspace=access.workspace)
    problems: list[ReplyProblem] = []
    if not text.strip():
        return [ReplyProblem("empty", _("Write the answer first."), hard=True)]
    playbook = policy.engagement.acute_playbook
    if thread.acute and access.role != Role.OWNER:
        allowed = access.role in playbook.responder_roles or access.user.username in playbook.responder_people
        if not allowed:
            problems.append(
                ReplyProblem(
                    "acute.responder",
                    _("This is an acute conversation: the policy has %(roles)s answer it.")
                    % {"roles": ", ".join(playbook.responder_roles) or "—"},
                    hard=True,
                )
            )
    language = thread.language if thread.language not in ("", "unknown") else None
    for issue in check_tone(text, language=language, acute=thread.acute):
        problems.append(
            ReplyProblem(
                f"tone.{issue.reason}",
                issue.message,
                suggestion=issue.suggestion,
                excerpt=text[issue.start : issue.end],
            )
        )
    for phrase in evaluators.banned_phrases_in(policy, text):
        problems.append(
            ReplyProblem(
                "tone.banned_phrase",
                _("The policy bans the phrase “%(phrase)s”.") % {"phrase": phrase},
                hard=True,
                excerpt=phrase,
            )
        )
    for violation in evaluators.check_reply_links(policy, text, link_context or None):
        problems.append(ReplyProblem(violation.code, violation.message, hard=not violation.overridable))
    return problems


@transaction.atomic
def item_reply(
    *, access: Access, item: Item, text: str, confirmed: bool = False, link_context: str = ""
) -> Reply:
    """Answer ``item`` through its account. Raises ReplyBlocked with the problems when any is hard, or
    when there are soft ones and ``confirmed`` is False. The connector call runs in a task after commit;
    the thread's first-response clock stops when the platform accepts the answer."""
    access.require(Perm.INBOX_REPLY)
    if item.workspace_id != access.workspace.pk:
        raise DomainError(gettext_noop("No such conversation."))
    if Capability.REPLY.value not in platforms.capability_names(item.account.platform):
        raise DomainError(_("This platform does not let us answer here."))
    problems = reply_problems(access=access, item=item, text=text, link_context=link_context)
    if any(p.hard for p in problems) or (problems and not confirmed):
        raise ReplyBlocked(problems=problems)
    awaiting = needs_approval(access=access, item=item)
    reply = Reply.objects.create(
        item=item,
        author=access.user,
        text=text.strip(),
        state=ReplyState.AWAITING_APPROVAL if awaiting else ReplyState.QUEUED,
    )
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="inbox.item_reply",
        obj=reply,
        after={
            "item": item.pk,
            "thread": item.thread_id,
            "sent_anyway": [p.code for p in problems],
            "awaiting_approval": awaiting,
        },
    )
    if awaiting:
        ask_for_approval(access=access, reply=reply)
    else:
        send_after_commit(reply)
    return reply


@transaction.atomic
def reply_record_outcome(
    *, reply: Reply, state: str, remote_id: str = "", url: str = "", error: str = ""
) -> Reply:
    """What the platform said about a reply (the worker, system actor). A sent reply stops the thread's
    first-response clock (the first one only) and leaves the thread waiting for the community."""
    reply = Reply.objects.select_for_update().select_related("item__thread").get(pk=reply.pk)
    reply.state = ReplyState(state)
    reply.remote_id, reply.url, reply.error = remote_id, url[:500], error[:2000]
    if reply.state == ReplyState.SENT:
        reply.sent_at = now()
        thread = Thread.objects.select_for_update().get(pk=reply.item.thread_id)
        if thread.first_responded_at is None:
            thread.first_responded_at = reply.sent_at
        thread.response_due_at = None  # answered: the clock stops until they write again
        if thread.status == ThreadStatus.OPEN:
            thread.status = ThreadStatus.WAITING
        thread.save(update_fields=["first_responded_at", "response_due_at", "status", "updated_at"])
    reply.save()
    audit_record(
        actor=None,
        workspace=reply.item.workspace_id,
        action=f"inbox.reply_{reply.state}",
        obj=reply,
        after={"remote_id": remote_id, "error": reply.error},
    )
    return reply
