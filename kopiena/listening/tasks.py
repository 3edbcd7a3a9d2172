"""Background jobs of listening (thin: each calls one function)."""

from __future__ import annotations

from django_tasks import task

from kopiena.listening import spikes


@task(queue_name="default")
def listening_spikes_detect() -> int:
    """Enqueued by the clock every few minutes: storms in the current and the previous hour."""
    return spikes.spikes_detect()
