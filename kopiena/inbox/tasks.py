"""Background jobs of the inbox (thin: each calls one function)."""

from __future__ import annotations

from django_tasks import task

from kopiena.inbox import escalation, polling, sending, sla_clock


@task(queue_name="ingest")
def inbox_poll() -> dict:
    """Enqueued by the clock every few seconds; polls only the accounts that are due."""
    report = polling.accounts_poll()
    return {"accounts": report.accounts, "items": report.items, "errors": report.errors}


@task(queue_name="default")
def reply_send(reply_id: int) -> str:
    return sending.reply_deliver(reply_id=reply_id)


@task(queue_name="default")
def item_hide_remote(item_id: int) -> str:
    return sending.item_hide_deliver(item_id=item_id)


@task(queue_name="default")
def acute_escalate() -> int:
    """M3: tell the acute playbook's escalation roles about acute conversations left unanswered."""
    return escalation.acute_threads_escalate()


@task(queue_name="default")
def sla_tick() -> dict:
    """M2/M8: announce answers that became due soon or overdue (every thread, not only acute ones)."""
    return sla_clock.slas_tick()
