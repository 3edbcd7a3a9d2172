"""M3: an acute conversation left unanswered is escalated — after the acute playbook's
``escalate_after_seconds`` (wall-clock time since the community's latest message), the people in its
``escalate_to_roles`` are told, once per unanswered message. Run by the clock every minute.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q

from kopiena.audit.services import audit_record
from kopiena.core.clock import now
from kopiena.inbox.models import Thread
from kopiena.policy.selectors import policy_current
from kopiena.teams.selectors import users_in_roles


def acute_threads_escalate(*, at: datetime | None = None) -> int:
    """Escalate every acute conversation whose owed answer is overdue; returns how many were escalated."""
    at = at or now()
    owed = Thread.objects.filter(
        acute=True, response_due_at__isnull=False, last_item_at__isnull=False
    ).filter(Q(escalated_at__isnull=True) | Q(escalated_at__lt=F("last_item_at")))
    by_workspace: dict[int, list[Thread]] = defaultdict(list)
    for thread in owed.select_related("workspace"):
        by_workspace[thread.workspace_id].append(thread)
    escalated = 0
    for threads in by_workspace.values():
        workspace = threads[0].workspace
        playbook = policy_current(workspace=workspace).engagement.acute_playbook
        cutoff = at - timedelta(seconds=playbook.escalate_after_seconds)
        overdue = [t for t in threads if t.last_item_at <= cutoff]
        if overdue:
            escalated += _escalate(workspace, playbook, overdue, at)
    return escalated


@transaction.atomic
def _escalate(workspace, playbook, threads: list[Thread], at: datetime) -> int:
    from kopiena.notifications.services import notify, thread_target

    people = users_in_roles(workspace=workspace, roles=playbook.escalate_to_roles)
    minutes = playbook.escalate_after_seconds // 60
    changed = 0
    for thread in threads:
        # Guarded: a concurrent run (or an answer that just went out) leaves the thread alone.
        updated = (
            Thread.objects.filter(pk=thread.pk, response_due_at__isnull=False)
            .filter(Q(escalated_at__isnull=True) | Q(escalated_at__lt=F("last_item_at")))
            .update(escalated_at=at)
        )
        if not updated:
            continue
        changed += 1
        subject = thread.subject or thread.root_external_id
        audit_record(
            actor=None,
            workspace=workspace,
            action="inbox.thread_escalate",
            obj=thread,
            after={"roles": list(playbook.escalate_to_roles), "waited_minutes": minutes},
        )
        notify(
            workspace_id=workspace.pk,
            recipients=people,
            kind="inbox.acute_escalation",
            params={"minutes": minutes, "subject": subject[:200], "thread": thread.pk},
            target=thread_target(thread.pk),
            urgent=True,
        )
    return changed
