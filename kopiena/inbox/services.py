"""All inbox writes: ingest (poll and webhook), assignment, closing, hiding, replying.

Negative comments are never deleted (M4): nothing here deletes an item. Nothing is hidden automatically
either: a person in the policy's ``moderation.hide_roles`` hides an item with one of its ``hide_reasons``,
on platforms that can hide; the text is kept here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from kopiena.audit.services import audit_record
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.types import PostDraft, RemoteItem, WebhookEvent
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.core.weblinks import safe_web_url
from kopiena.core.words import words
from kopiena.inbox import bulk, sla_clock
from kopiena.inbox.corrections import classify_for_workspace
from kopiena.inbox.ingest import clock_start, place, stored_text, subject_of, without_nul
from kopiena.inbox.models import (
    PRIORITY_RANK,
    HideReason,
    Item,
    ItemEvent,
    ItemEventKind,
    Priority,
    Reply,
    ReplyState,
    Resolution,
    Thread,
    ThreadStatus,
)
from kopiena.inbox.reply_approval import ask_for_approval, needs_approval, send_after_commit
from kopiena.integrations import platforms
from kopiena.integrations.models import ConnectedAccount
from kopiena.nlp import Classification, check_tone, classify_batch
from kopiena.notifications.services import notices_done, notify, thread_target
from kopiena.policy import evaluators
from kopiena.policy.selectors import policy_current
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


def _assignee_for(workspace, person: str | None) -> User | None:
    if not person:
        return None
    membership = (
        Membership.objects.select_related("user").filter(workspace=workspace, user__username=person).first()
    )
    return membership.user if membership else None


@transaction.atomic
def items_ingest(
    *,
    account: ConnectedAccount,
    remote_items: Iterable[RemoteItem],
    history_before: datetime | None = None,
    classified: Mapping[str, Classification] | None = None,
) -> IngestResult:
    """Store new comments/mentions/messages of ``account``, classified, threaded, routed, with SLA clocks.

    Dedupes on (account, external_id) — within the batch, against stored rows, and against a concurrent
    ingest (the unique constraint, rows that lose the race are skipped). Classifies all new texts in one
    ``classify_batch`` call, restricted to the workspace's languages — unless ``classified`` (by external
    id) already has them all (listening classified its mentions moments ago). Audited once per batch (system).

    ``history_before`` (polling passes when the account was connected): items written before it are
    history — the first poll reads back days of notifications. They are stored, but start no response
    clock (a fresh deadline for a week-old mention, or an instant breach, would bury what is new), reopen
    nothing, and a conversation made only of them is created closed. A later item in it opens it and
    starts the clock as usual.
    """
    workspace = account.workspace
    batch: dict[str, RemoteItem] = {}
    for remote in map(without_nul, remote_items):
        batch.setdefault(remote.external_id, remote)
    if not batch:
        return IngestResult()
    stored = set(
        Item.objects.filter(account=account, external_id__in=list(batch)).values_list(
            "external_id", flat=True
        )
    )
    changed = [batch[key] for key in stored if batch[key].edited_at is not None]
    if changed:  # the platform says these were edited: record it when the text really changed
        items_record_edits(account=account, remote_items=changed)
    fresh = sorted((r for key, r in batch.items() if key not in stored), key=lambda r: r.created_at)
    if not fresh:
        return IngestResult()
    texts = [stored_text(r.text)[0] for r in fresh]
    if classified is not None and all(r.external_id in classified for r in fresh):
        classes = [classified[r.external_id] for r in fresh]
    else:  # each distinct text once (copy-paste spam, "+1", "Thanks!" come many times in a batch)
        distinct = list(dict.fromkeys(texts))
        found = classify_batch(distinct, languages=list(workspace.languages or DEFAULT_LANGUAGES))
        by_text = dict(zip(distinct, found, strict=True))
        classes = [by_text[t] for t in texts]
    # The workspace's own corrections win over the shipped model for texts very like them.
    classes = classify_for_workspace(workspace_id=workspace.pk, texts=texts, classes=classes)
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
    rows: list[dict] = []
    item_defaults = bulk.defaults(Item)
    owed: dict[int, sla_clock.SlaStart] = {}
    placed = []
    people: dict[str | None, User | None] = {}
    new_threads: dict[str, Thread] = {}  # the first item of a conversation decides its routing
    classes = [_with_rating(c, remote.rating) for remote, c in zip(fresh, classes, strict=True)]
    decisions: dict[tuple, evaluators.RouteDecision] = {}  # routing reads only these labels
    for remote, c in zip(fresh, classes, strict=True):
        placement = place(remote, known_roots)
        known_roots[remote.external_id] = placement.root
        labels = (tuple(c.intents), c.sentiment, c.language, c.acute, c.spam, c.toxic)
        decision = decisions.get(labels)
        if decision is None:
            decision = decisions[labels] = evaluators.route(policy, _classification_data(c), account_key)
        placed.append((placement, decision))
        if decision.person not in people:
            people[decision.person] = _assignee_for(workspace, decision.person)
        if placement.root not in new_threads:
            new_threads[placement.root] = Thread(
                workspace=workspace,
                account=account,
                root_external_id=placement.root,
                post_external_id=placement.post,
                subject=subject_of(remote.title or remote.text),
                assignee=people[decision.person],
                assigned_role=decision.role or "",
                route_rule=decision.rule_name,
                priority=decision.priority,
                kind=placement.kind,
                # A conversation whose first item is history starts closed (see the docstring).
                status=ThreadStatus.CLOSED if _historic(remote, history_before) else ThreadStatus.OPEN,
            )
    # One query for the conversations that exist, one insert for the new ones; a concurrent ingest that
    # created the same conversation wins the unique constraint and its row is read back.
    threads = {
        t.root_external_id: t
        for t in Thread.objects.filter(account=account, root_external_id__in=list(new_threads))
    }
    missing = [t for root, t in new_threads.items() if root not in threads]
    if missing:
        inserted = bulk.insert_keyed(Thread, missing, _THREAD_INSERT_FIELDS, key="root_external_id")
        threads.update((t.root_external_id, t) for t in missing if t.root_external_id in inserted)
        lost = [t.root_external_id for t in missing if t.root_external_id not in inserted]
        if lost:  # a concurrent ingest created them a moment ago: theirs, read back
            threads.update(
                (t.root_external_id, t)
                for t in Thread.objects.filter(account=account, root_external_id__in=lost)
            )
    created_threads = len(missing)
    for remote, text, c, (placement, decision) in zip(fresh, texts, classes, placed, strict=True):
        thread = threads[placement.root]
        historic = _historic(remote, history_before)
        _thread_absorb(thread, remote, c, decision, reopen=not historic)
        if thread.response_due_at is None and thread.pk not in owed and not historic:  # starts a clock
            owed[thread.pk] = sla_clock.SlaStart(
                thread=thread,
                start=clock_start(remote.created_at, moment),
                item_kind=placement.kind,
                started_by=remote.external_id,
            )
        rows.append(  # a plain row (no model instance): thousands per batch
            {
                **item_defaults,
                "workspace_id": workspace.pk,
                "account_id": account.pk,
                "thread_id": thread.pk,
                "kind": placement.kind,
                "external_id": remote.external_id,
                "parent_external_id": remote.parent_id,
                "author_handle": remote.author.handle[:255],
                "author_name": remote.author.name[:255],
                "author_external_id": remote.author.id[:255],
                "author_url": safe_web_url(remote.author.url)[:500],
                "is_follower": remote.author.is_follower,
                "text": text,
                "text_truncated": text != remote.text,
                "remote_created_at": remote.created_at,
                "url": safe_web_url(remote.url)[:500],
                "language": c.language,
                "sentiment": c.sentiment,
                "intents": list(c.intents),
                "toxic": c.toxic,
                "spam": c.spam,
                "acute": c.acute,
                "acute_reasons": list(c.acute_reasons),
                "scores": c.scores,
                "received_at": moment,
            }
        )
    # Priorities are final once the whole batch is absorbed, so the targets are computed after it.
    sla_clock.slas_start(workspace=workspace, starts=list(owed.values()), policy=policy)
    inserted_items = bulk.insert(Item, rows, _ITEM_INSERT_FIELDS, ignore_conflicts=True)
    # Only what ingest owns (a concurrent assignment is kept), all threads in one statement.
    bulk.update(Thread, list(threads.values()), _ABSORBED_FIELDS)
    created = (
        inserted_items
        if inserted_items is not None
        else Item.objects.filter(account=account, external_id__in=[r.external_id for r in fresh]).count()
    )
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
    "intent_keys",
    "non_follower",
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
    "resolution",
    "resolution_reason",
    "updated_at",
]


# Every column (fields other branches add come along): unsaved objects carry their defaults.
_THREAD_INSERT_FIELDS = bulk.fields_of(Thread)
_ITEM_INSERT_FIELDS = bulk.fields_of(Item)


def _historic(remote: RemoteItem, history_before: datetime | None) -> bool:
    """History owes no response: written before the account was connected, or already answered on the
    platform (a review with the business's reply)."""
    return remote.answered or (history_before is not None and remote.created_at < history_before)


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
    new_intents = {i for i in c.intents if i and "," not in i} - set(
        filter(None, thread.intent_keys.split(","))
    )
    if new_intents:
        keys = sorted({*filter(None, thread.intent_keys.split(",")), *new_intents})
        thread.intent_keys = f",{','.join(keys)}," if len(",".join(keys)) < 290 else thread.intent_keys
    if remote.author.is_follower is False:
        thread.non_follower = True
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
        thread.resolution, thread.resolution_reason = "", ""


def items_ingest_webhook(*, account: ConnectedAccount, events: list[WebhookEvent]) -> None:
    """The integrations webhook receiver's handler (``WEBHOOK_EVENT_HANDLERS``): ingest the events' items
    inside the receiver's transaction, so a failure here rolls back the delivery keys and the platform's
    retry is processed again. Items the platform says were removed are marked deleted (never dropped)."""
    items = [item for event in events for item in event.items]
    if items:
        items_ingest(account=account, remote_items=items)
    removed = [remote_id for event in events for remote_id in event.removed_ids]
    if removed:
        items_mark_deleted(account=account, remote_ids=removed)


@transaction.atomic
def items_record_edits(*, account: ConnectedAccount, remote_items: Iterable[RemoteItem]) -> int:
    """Record edits made on the platform to items we stored: an ``edited`` ItemEvent with the new text,
    and the item's ``edited_text``/``edited_at`` (what the inbox shows, marked "edited"). ``text`` stays
    what we first saw (the team may have answered it). Nothing is recorded when the text is what we
    already have (a platform that reports the same edit on every read). Returns how many were recorded."""
    by_id = {r.external_id: r for r in map(without_nul, remote_items)}
    if not by_id:
        return 0
    moment = now()
    events, changed = [], []
    for item in Item.objects.filter(account=account, external_id__in=list(by_id)).only(
        "id", "external_id", "text", "edited_text", "edited_at"
    ):
        remote = by_id[item.external_id]
        text = stored_text(remote.text)[0]
        if text == (item.edited_text or item.text):
            continue
        at = remote.edited_at or moment
        item.edited_text, item.edited_at = text, at
        changed.append(item)
        events.append(ItemEvent(item=item, kind=ItemEventKind.EDITED, at=at, noticed_at=moment, text=text))
    if changed:
        Item.objects.bulk_update(changed, ["edited_text", "edited_at"], batch_size=1000)
        ItemEvent.objects.bulk_create(events)
        audit_record(
            actor=None,
            workspace=account.workspace,
            action="inbox.items_edited",
            obj=account,
            after={"items": [i.pk for i in changed]},
        )
    return len(changed)


@transaction.atomic
def items_mark_deleted(
    *, account: ConnectedAccount, remote_ids: Iterable[str], at: datetime | None = None
) -> int:
    """Mark items the author deleted on the platform: a ``deleted`` ItemEvent and ``deleted_at`` (shown as
    "deleted on the platform"). Nothing is removed here — the text stays for the team (M4), and the
    conversation and its deadline are left as they are (a person decides). Returns how many were marked."""
    moment = now()
    items = list(
        Item.objects.filter(
            account=account, external_id__in=list(set(remote_ids)), deleted_at__isnull=True
        ).only("id")
    )
    if not items:
        return 0
    at = at or moment
    Item.objects.filter(pk__in=[i.pk for i in items]).update(deleted_at=at)
    ItemEvent.objects.bulk_create(
        ItemEvent(item=i, kind=ItemEventKind.DELETED, at=at, noticed_at=moment) for i in items
    )
    audit_record(
        actor=None,
        workspace=account.workspace,
        action="inbox.items_deleted_upstream",
        obj=account,
        after={"items": [i.pk for i in items]},
    )
    return len(items)


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
    if assignee is not None and assignee.pk != access.user.pk and before["assignee"] != assignee.pk:
        notify(
            workspace_id=access.workspace.pk,
            recipients=[assignee],
            kind="inbox.thread_assigned",
            params={
                "actor": access.user.get_full_name() or access.user.username,
                "subject": (thread.subject or thread.root_external_id)[:200],
                "thread": thread.pk,
            },
            target=thread_target(thread.pk),
            urgent=thread.acute,
        )
    return thread


BULK_MAX = 200


@transaction.atomic
def threads_bulk(
    *,
    access: Access,
    thread_ids: list[int],
    action: str,
    assignee: User | None = None,
    resolution: str = "",
    reason: str = "",
    tag: str = "",
) -> int:
    """Assign (``assign``, None: back to the queue), close (``resolve``, with resolution and reason) or
    tag (``tag`` / ``untag``, with ``tag``'s name) several conversations at once. All or nothing: an id
    that is not a conversation this person may see in this workspace is a 404 (never a hint that it
    exists elsewhere) and nothing changes. Returns how many changed."""
    from kopiena.inbox.notes import thread_tag
    from kopiena.inbox.selectors import visible_threads

    ids = sorted(set(thread_ids))
    if not ids or len(ids) > BULK_MAX:
        raise DomainError(_("Choose between 1 and %(count)s conversations.") % {"count": BULK_MAX})
    if action not in ("assign", "resolve", "tag", "untag"):
        raise DomainError(_("Unknown action."))
    threads = list(visible_threads(access=access).filter(pk__in=ids).order_by("pk"))
    if len(threads) != len(ids):
        raise Http404
    for thread in threads:
        if action in ("tag", "untag"):
            thread_tag(access=access, thread=thread, name=tag, add=action == "tag")
        elif action == "assign":
            thread_assign(access=access, thread=thread, assignee=assignee)
        elif action == "resolve":
            thread_set_status(
                access=access, thread=thread, status=ThreadStatus.CLOSED, resolution=resolution, reason=reason
            )
        else:
            raise DomainError(_("Unknown action."))
    return len(threads)


RESOLUTION_REASON_MAX = 200


@transaction.atomic
def thread_set_status(
    *, access: Access, thread: Thread, status: str, resolution: str = "", reason: str = ""
) -> Thread:
    """Close a thread or reopen it. Closing takes a ``resolution`` ("resolved" / "no reply needed") and a
    ``reason`` (both reported); an answer still owed is paused with them. Reopening by hand resumes a
    paused answer with the business time it had left. New items reopen a closed thread by themselves."""
    access.require(Perm.INBOX_REPLY)
    _same_workspace(access, thread)
    status = ThreadStatus(status)
    reason = " ".join(reason.split())
    if status == ThreadStatus.CLOSED:
        if resolution not in Resolution.values:
            raise DomainError(_("Choose “Resolved” or “No reply needed”."), field="resolution")
        if not reason:
            raise DomainError(_("Say why the conversation is closed."), field="reason")
        if len(reason) > RESOLUTION_REASON_MAX:
            raise DomainError(
                _("Keep the reason under %(count)s characters.") % {"count": RESOLUTION_REASON_MAX},
                field="reason",
            )
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    before = {"status": thread.status, "resolution": thread.resolution}
    at = now()
    if status == ThreadStatus.CLOSED:
        if thread.status != ThreadStatus.CLOSED:
            sla_clock.sla_pause(thread=thread, at=at, resolution=resolution, reason=reason)
        thread.resolution, thread.resolution_reason, thread.resolved_at = resolution, reason, at
        thread.response_due_at = None
        notices_done(workspace_id=thread.workspace_id, target=thread_target(thread.pk))  # nothing owed now
    else:
        if thread.status == ThreadStatus.CLOSED:
            sla_clock.sla_resume(thread=thread, at=at)
        thread.resolution, thread.resolution_reason = "", ""
    thread.status = status
    thread.save(
        update_fields=[
            "status",
            "resolution",
            "resolution_reason",
            "resolved_at",
            "response_due_at",
            "updated_at",
        ]
    )
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="inbox.thread_close" if status == ThreadStatus.CLOSED else "inbox.thread_reopen",
        obj=thread,
        before=before,
        after={"status": status, "resolution": thread.resolution, "reason": thread.resolution_reason},
    )
    return thread


def hide_reasons_for(*, access: Access) -> list[tuple[str, str]]:
    """The reasons the policy accepts for hiding, as (value, label) in the reader's language."""
    allowed = policy_current(workspace=access.workspace).engagement.moderation.hide_reasons
    return [(value, label) for value, label in HideReason.choices if value in allowed]


def can_hide_item(*, access: Access, item: Item) -> bool:
    """M4 strictly: a person in the policy's ``hide_roles`` may hide an item (with a reason from the
    policy's list) on platforms that can hide. The classifier never decides it: a toxic negative
    comment stays visible until a person hides it for one of those reasons."""
    if not access.can(Perm.INBOX_MODERATE) or item.hidden:
        return False
    moderation = policy_current(workspace=access.workspace).engagement.moderation
    if access.role not in moderation.hide_roles or not moderation.hide_reasons:
        return False
    return Capability.HIDE.value in platforms.capability_names(item.account.platform)


@transaction.atomic
def item_hide(*, access: Access, item: Item, reason: str) -> Item:
    """Hide an item on the platform (a task does the call) for ``reason`` (one of the policy's
    ``hide_reasons``). Never a delete (M4): the text stays here, and the hidden-items list shows who hid
    what, when and why."""
    access.require(Perm.INBOX_MODERATE)
    if item.workspace_id != access.workspace.pk:
        raise DomainError(gettext_noop("No such conversation."))
    if not can_hide_item(access=access, item=item):
        raise DomainError(
            _(
                "Only the roles the policy names may hide a comment, only on platforms that can hide, "
                "and only for one of the policy's reasons. Negative comments are answered, never removed."
            )
        )
    if reason not in dict(hide_reasons_for(access=access)):
        raise DomainError(_("Choose one of the policy's reasons for hiding."), field="reason")
    item.hidden, item.hidden_reason, item.hidden_by, item.hidden_at = True, reason, access.user, now()
    item.save(update_fields=["hidden", "hidden_reason", "hidden_by", "hidden_at", "updated_at"])
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="inbox.item_hide",
        obj=item,
        after={"hidden": True, "reason": reason, "sentiment": item.sentiment, "toxic": item.toxic},
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


# The tone guard's reasons in the reader's language (nlp.tone writes English for the CLI).
TONE_MESSAGES = {
    "sarcasm": gettext_lazy("Sarcasm reads as mockery; say plainly what you mean."),
    "blame": gettext_lazy("Do not blame the customer; describe what will happen next instead."),
    "arguing": gettext_lazy("Do not argue; acknowledge the point and restate the facts calmly."),
    "all_caps": gettext_lazy("Capital letters read as shouting."),
    "exclamations": gettext_lazy("Several exclamation marks read as emotional; use one or none."),
    "insult": gettext_lazy("Insulting or dismissive words are never acceptable in an official reply."),
    "emotional": gettext_lazy("Emotional wording; keep the reply calm and neutral."),
    "missing_apology": gettext_lazy("This is an acute thread: the policy asks you to apologise."),
    "missing_next_step": gettext_lazy("This is an acute thread: say what happens next and when."),
    "informal_address": gettext_lazy("The policy asks for a formal tone: address the person formally."),
    "formal_address": gettext_lazy("The policy asks for an informal tone: this address sounds stiff."),
}


def reply_limit(*, platform: str) -> int:
    """How many characters (as the platform counts them) an answer on ``platform`` may have; 0: no limit."""
    return platforms.connector_class(platform).limits.max_text_length


def reply_length_problem(*, platform: str, text: str) -> ReplyProblem | None:
    """The platform's own count (Mastodon's 23-character links, Bluesky's graphemes …) against its limit.
    ``text_length`` reads only the draft, so no connection (no credentials) is needed to count."""
    limit = reply_limit(platform=platform)
    if not limit:
        return None
    cls = platforms.connector_class(platform)
    length = cls.text_length(object.__new__(cls), PostDraft(text=text))
    if length <= limit:
        return None
    return ReplyProblem(
        "too_long",
        _("The answer is %(length)s characters; this platform allows %(limit)s. Shorten it by %(over)s.")
        % {"length": length, "limit": limit, "over": length - limit},
        hard=True,
    )


def reply_problems(*, access: Access, item: Item, text: str, link_context: str = "") -> list[ReplyProblem]:
    """Everything the tone guard (nlp.check_tone; acute → apology and next step), the policy's banned
    phrases, link rules (M9) and acute playbook (M3) say about ``text`` as an answer to ``item``."""
    thread = item.thread
    policy = policy_current(workspace=access.workspace)
    problems: list[ReplyProblem] = []
    if not text.strip():
        return [ReplyProblem("empty", _("Write the answer first."), hard=True)]
    too_long = reply_length_problem(platform=item.account.platform, text=text.strip())
    if too_long is not None:  # refused here, in the reply box, not later by the platform
        return [too_long]
    playbook = policy.engagement.acute_playbook
    if thread.acute and access.role != Role.OWNER:
        allowed = access.role in playbook.responder_roles or access.user.username in playbook.responder_people
        if not allowed:
            problems.append(
                ReplyProblem(
                    "acute.responder",
                    _("This is an acute conversation: the policy has %(roles)s answer it.")
                    % {"roles": words("role", playbook.responder_roles) or "—"},
                    hard=True,
                )
            )
    language = thread.language if thread.language not in ("", "unknown") else None
    tone_issues = check_tone(
        text,
        language=language,
        acute=thread.acute,
        must_apologise=playbook.must_apologise,
        formality=policy.engagement.tone.formality,
    )
    for issue in tone_issues:
        problems.append(
            ReplyProblem(
                f"tone.{issue.reason}",
                str(TONE_MESSAGES.get(issue.reason, issue.message)),
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


def _problem_key(problem: ReplyProblem) -> tuple[str, str]:
    return problem.code, problem.excerpt


@transaction.atomic
def item_reply(
    *,
    access: Access,
    item: Item,
    text: str,
    confirmed: bool = False,
    link_context: str = "",
    checked_text: str | None = None,
) -> Reply:
    """Answer ``item`` through its account. Raises ReplyBlocked with the problems when any is hard, or
    when there are soft ones and ``confirmed`` is False. The connector call runs in a task after commit;
    the thread's first-response clock stops when the platform accepts the answer.

    ``checked_text`` is the text the person was shown the problems for (the reply form sends it with the
    "send anyway" tick): the tick then covers only those problems, so a text changed since needs a tick
    only for what it still has (nothing, once a saved reply or a link reason fixed it) and a new problem
    is shown before sending."""
    access.require(Perm.INBOX_REPLY)
    if item.workspace_id != access.workspace.pk:
        raise DomainError(gettext_noop("No such conversation."))
    if Capability.REPLY.value not in platforms.capability_names(item.account.platform):
        raise DomainError(_("This platform does not let us answer here."))
    problems = reply_problems(access=access, item=item, text=text, link_context=link_context)
    if confirmed and checked_text is not None and problems:
        seen = {
            _problem_key(p)
            for p in reply_problems(access=access, item=item, text=checked_text, link_context=link_context)
        }
        confirmed = all(_problem_key(p) in seen for p in problems)
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
    reply.remote_id, reply.url, reply.error = remote_id, safe_web_url(url)[:500], error[:2000]
    if reply.state == ReplyState.SENT:
        reply.sent_at = now()
        thread = Thread.objects.select_for_update().get(pk=reply.item.thread_id)
        sla_clock.sla_answer(thread=thread, at=reply.sent_at)
        if thread.first_responded_at is None:
            thread.first_responded_at = reply.sent_at
        thread.response_due_at = None  # answered: the clock stops until they write again
        if thread.status == ThreadStatus.OPEN:
            thread.status = ThreadStatus.WAITING
        thread.save(update_fields=["first_responded_at", "response_due_at", "status", "updated_at"])
        notices_done(workspace_id=thread.workspace_id, target=thread_target(thread.pk))  # answered
    reply.save()
    if reply.state == ReplyState.FAILED and reply.author_id:
        thread = reply.item.thread
        notify(
            workspace_id=reply.item.workspace_id,
            recipients=[reply.author],
            kind="inbox.reply_failed",
            params={
                "subject": (thread.subject or thread.root_external_id)[:200],
                "error": reply.error[:500] or "—",
                "thread": thread.pk,
            },
            target=thread_target(thread.pk),
        )
    audit_record(
        actor=None,
        workspace=reply.item.workspace_id,
        action=f"inbox.reply_{reply.state}",
        obj=reply,
        after={"remote_id": remote_id, "error": reply.error},
    )
    return reply
