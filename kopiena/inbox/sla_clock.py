"""Every answer timed (M2/M8): the AppliedSla records behind a thread's deadline, and their events.

A thread owes at most one answer at a time. When the community writes and nothing is owed, ingest starts
one (``slas_start``): the first answer of the thread, or a *next* answer when the customer writes again
after we answered or after the thread was closed. The clock (``slas_tick``, every minute) announces
"due soon" once the policy's share of the target has passed and "overdue" at the deadline — to the person
the thread is routed to (or its role's members) and, when overdue, to the policy's ``overdue_notify_roles``.
Our answer accepted by the platform stops it (``sla_answer``: met, or answered late); closing a thread
with a reason pauses it (``sla_pause``), reopening by hand resumes it with the business time that was left.

Deadlines are computed only through ``core.business_time`` (working windows, holidays, DST). Events are
append-only: this module inserts ``SlaEvent`` rows and never updates or deletes one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from kopiena.audit.services import audit_record
from kopiena.core import business_time
from kopiena.core.clock import now
from kopiena.inbox import bulk
from kopiena.inbox.models import AppliedSla, SlaEvent, SlaEventKind, SlaKind, SlaStatus, Thread
from kopiena.policy import evaluators
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import business_calendar_for, policy_current
from kopiena.teams.selectors import users_in_roles


def target_seconds(policy: PolicyDocument, *, sla_kind: str, item_kind: str, priority: str) -> int:
    """The target of an answer: the first answer's (strictest of priority/kind), or the policy's
    ``next_response_seconds`` for a next answer when it sets one (never looser than the priority's)."""
    first = evaluators.response_target_seconds(policy, kind=item_kind, priority=priority)
    following = policy.engagement.response_targets.next_response_seconds
    if sla_kind == SlaKind.NEXT and following is not None:
        by_priority = policy.engagement.response_targets.by_priority.get(priority)
        return min(following, by_priority) if by_priority is not None else following
    return first


def deadline(
    calendar: business_time.BusinessCalendar, start: datetime, seconds: float, *, business: bool
) -> datetime:
    """``start`` + ``seconds`` of working time (wall-clock time when ``business`` is off, or when the
    calendar never opens — a deadline must exist)."""
    if not business:
        return start + timedelta(seconds=seconds)
    try:
        return business_time.add_business_seconds(calendar, start, seconds)
    except business_time.NeverOpen:
        return start + timedelta(seconds=seconds)


def elapsed(
    calendar: business_time.BusinessCalendar, start: datetime, end: datetime, *, business: bool
) -> float:
    if end <= start:
        return 0.0
    if not business:
        return (end - start).total_seconds()
    return business_time.business_seconds_between(calendar, start, end)


@dataclass(frozen=True)
class SlaStart:
    """One answer to start owing: ``thread`` (saved), when the person wrote, and what they wrote."""

    thread: Thread
    start: datetime
    item_kind: str
    started_by: str = ""


def slas_start(
    *, workspace, starts: list[SlaStart], policy: PolicyDocument | None = None, calendar=None
) -> int:
    """Start an AppliedSla for each of ``starts`` (in ingest's transaction; plain rows written in bulk,
    so a batch of thousands costs a few statements) with its ``started`` event, and set each thread's
    ``response_due_at`` / ``first_response_due_at`` in memory (the caller saves the thread). Returns how
    many were started."""
    if not starts:
        return 0
    policy = policy or policy_current(workspace=workspace)
    calendar = calendar or business_calendar_for(workspace=workspace)
    targets = policy.engagement.response_targets
    share = targets.warn_at_share
    defaults = bulk.defaults(AppliedSla)
    targets_by: dict[tuple, int] = {}
    rows: list[dict] = []
    for s in starts:
        thread = s.thread
        kind = SlaKind.FIRST if thread.first_response_due_at is None else SlaKind.NEXT
        key = (kind, s.item_kind, thread.priority)
        if key not in targets_by:
            targets_by[key] = target_seconds(
                policy, sla_kind=kind, item_kind=s.item_kind, priority=thread.priority
            )
        seconds = targets_by[key]
        due = deadline(calendar, s.start, seconds, business=targets.business_time)
        warn = deadline(calendar, s.start, seconds * share, business=targets.business_time)
        rows.append(
            {
                **defaults,
                "workspace_id": workspace.pk,
                "thread_id": thread.pk,
                "kind": kind,
                "started_by": s.started_by[:255],
                "target_seconds": seconds,
                "business_time": targets.business_time,
                "warn_share": share,
                "started_at": s.start,
                "warn_at": warn,
                "due_at": due,
                "state": SlaStatus.RUNNING,
            }
        )
        thread.response_due_at = due
        if thread.first_response_due_at is None:
            thread.first_response_due_at = due
    bulk.insert(AppliedSla, rows, _SLA_FIELDS, set_pks=True)
    started = SlaEventKind.STARTED
    event_defaults = bulk.defaults(SlaEvent)
    bulk.insert(
        SlaEvent,
        [
            {
                **event_defaults,
                "sla_id": row["id"],
                "kind": started,
                "at": row["started_at"],
                "data": {
                    "kind": row["kind"],
                    "target_seconds": row["target_seconds"],
                    "due_at": row["due_at"].isoformat(),
                },
            }
            for row in rows
        ],
        _EVENT_FIELDS,
    )
    return len(rows)


_SLA_FIELDS = bulk.fields_of(AppliedSla)
_EVENT_FIELDS = bulk.fields_of(SlaEvent)


def _running(thread: Thread) -> AppliedSla | None:
    return (
        AppliedSla.objects.select_for_update()
        .filter(thread=thread, state__in=[SlaStatus.RUNNING, SlaStatus.BREACHED], stopped_at__isnull=True)
        .order_by("-started_at", "-pk")
        .first()
    )


def sla_answer(*, thread: Thread, at: datetime) -> AppliedSla | None:
    """Our answer was accepted at ``at``: the owed answer is met (or answered late). Inside the caller's
    transaction; the caller clears ``thread.response_due_at``."""
    sla = _running(thread)
    if sla is None:
        return None
    calendar = business_calendar_for(workspace=thread.workspace)
    used = sla.elapsed_seconds + elapsed(calendar, sla.started_at, at, business=sla.business_time)
    late = sla.due_at is not None and at > sla.due_at
    sla.answer_seconds = used
    sla.stopped_at = at
    if late:
        if sla.breached_at is None:  # the clock had not noticed yet: the breach happened at the deadline
            sla.breached_at = sla.due_at
            SlaEvent.objects.create(sla=sla, kind=SlaEventKind.BREACHED, at=sla.due_at, data={})
        sla.state = SlaStatus.BREACHED
        SlaEvent.objects.create(sla=sla, kind=SlaEventKind.ANSWERED_LATE, at=at, data={"seconds": used})
    else:
        sla.state = SlaStatus.MET
        SlaEvent.objects.create(sla=sla, kind=SlaEventKind.MET, at=at, data={"seconds": used})
    sla.save(update_fields=["answer_seconds", "stopped_at", "state", "breached_at", "updated_at"])
    return sla


def sla_pause(*, thread: Thread, at: datetime, resolution: str, reason: str) -> AppliedSla | None:
    """A person closed the thread ("resolved" / "no reply needed") while an answer was owed: the clock
    stops without an answer, and the reason is kept on the event (the report counts these)."""
    sla = _running(thread)
    if sla is None:
        return None
    calendar = business_calendar_for(workspace=thread.workspace)
    sla.elapsed_seconds += elapsed(calendar, sla.started_at, at, business=sla.business_time)
    sla.state = SlaStatus.PAUSED
    sla.stopped_at = at
    sla.save(update_fields=["elapsed_seconds", "state", "stopped_at", "updated_at"])
    SlaEvent.objects.create(
        sla=sla, kind=SlaEventKind.PAUSED, at=at, data={"resolution": resolution, "reason": reason}
    )
    return sla


def sla_resume(*, thread: Thread, at: datetime) -> AppliedSla | None:
    """A person reopened a thread whose answer was paused: the clock runs again with what was left
    (at least none: an answer already overdue when paused is overdue again at once)."""
    sla = (
        AppliedSla.objects.select_for_update()
        .filter(thread=thread, state=SlaStatus.PAUSED)
        .order_by("-started_at", "-pk")
        .first()
    )
    if sla is None or sla.pk != _latest_pk(thread):
        return None
    calendar = business_calendar_for(workspace=thread.workspace)
    left = max(0.0, sla.target_seconds - sla.elapsed_seconds)
    warn_left = max(0.0, sla.target_seconds * sla.warn_share - sla.elapsed_seconds)
    # From here the record counts from ``at`` with elapsed_seconds already used.
    sla.started_at = at
    sla.due_at = deadline(calendar, at, left, business=sla.business_time)
    sla.warn_at = deadline(calendar, at, warn_left, business=sla.business_time)
    sla.state = SlaStatus.BREACHED if sla.breached_at else SlaStatus.RUNNING
    sla.stopped_at = None
    sla.save(update_fields=["started_at", "due_at", "warn_at", "state", "stopped_at", "updated_at"])
    SlaEvent.objects.create(
        sla=sla, kind=SlaEventKind.RESUMED, at=at, data={"due_at": sla.due_at.isoformat()}
    )
    thread.response_due_at = sla.due_at
    return sla


def _latest_pk(thread: Thread) -> int | None:
    return (
        AppliedSla.objects.filter(thread=thread)
        .order_by("-started_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )


# ------------------------------------------------------------------ the clock


def slas_tick(*, at: datetime | None = None) -> dict[str, int]:
    """Announce every running answer that became due soon or overdue by ``at`` (once each)."""
    at = at or now()
    warned = _announce(at, due_soon=True)
    breached = _announce(at, due_soon=False)
    return {"warned": warned, "breached": breached}


def _announce(at: datetime, *, due_soon: bool) -> int:
    if due_soon:
        pending = AppliedSla.objects.filter(state=SlaStatus.RUNNING, warned_at__isnull=True, warn_at__lte=at)
    else:
        pending = AppliedSla.objects.filter(state=SlaStatus.RUNNING, breached_at__isnull=True, due_at__lte=at)
    by_workspace: dict[int, list[int]] = defaultdict(list)
    for pk, workspace_id in pending.values_list("pk", "workspace_id")[:5000]:
        by_workspace[workspace_id].append(pk)
    done = 0
    for pks in by_workspace.values():
        done += _announce_batch(pks, at, due_soon=due_soon)
    return done


@transaction.atomic
def _announce_batch(pks: list[int], at: datetime, *, due_soon: bool) -> int:
    from kopiena.notifications.services import notify, thread_target

    pending = AppliedSla.objects.select_for_update(of=("self",)).filter(pk__in=pks, state=SlaStatus.RUNNING)
    # Re-checked under the lock: a concurrent tick (or an answer just accepted) leaves the row alone.
    pending = pending.filter(warned_at__isnull=True) if due_soon else pending.filter(breached_at__isnull=True)
    rows = list(pending.select_related("thread__assignee", "workspace"))
    if not rows:
        return 0
    workspace = rows[0].workspace
    policy = policy_current(workspace=workspace)
    watchers = users_in_roles(
        workspace=workspace, roles=policy.engagement.response_targets.overdue_notify_roles
    )
    role_members: dict[str, list] = {}
    for sla in rows:
        thread = sla.thread
        if due_soon:
            sla.warned_at = at
            sla.save(update_fields=["warned_at", "updated_at"])
            SlaEvent.objects.create(sla=sla, kind=SlaEventKind.WARNED, at=sla.warn_at, data={})
        else:
            sla.breached_at = sla.due_at
            sla.state = SlaStatus.BREACHED
            sla.save(update_fields=["breached_at", "state", "updated_at"])
            SlaEvent.objects.create(sla=sla, kind=SlaEventKind.BREACHED, at=sla.due_at, data={})
            audit_record(
                actor=None,
                workspace=workspace,
                action="inbox.sla_breach",
                obj=thread,
                after={"sla": sla.pk, "kind": sla.kind, "due_at": sla.due_at.isoformat()},
            )
        if thread.assignee_id:
            people = [thread.assignee]
        else:
            if thread.assigned_role not in role_members:
                role_members[thread.assigned_role] = (
                    users_in_roles(workspace=workspace, roles=[thread.assigned_role])
                    if thread.assigned_role
                    else []
                )
            people = list(role_members[thread.assigned_role])
        if not due_soon:
            people += watchers
        # Stored as kind + params and worded when shown (the reader's language, the workspace's zone);
        # done once the thread is answered or closed (``notices_done`` in the reply and status services).
        notify(
            workspace_id=workspace.pk,
            recipients=people,
            kind="inbox.sla_due_soon" if due_soon else "inbox.sla_overdue",
            params={
                "subject": (thread.subject or thread.root_external_id)[:200],
                "due_at": sla.due_at.isoformat(),
                "thread": thread.pk,
            },
            target=thread_target(thread.pk),
            urgent=thread.acute,
        )
    return len(rows)
