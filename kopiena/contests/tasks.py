"""Background jobs of contests (thin: each calls one service)."""

from __future__ import annotations

from django_tasks import task

from kopiena.contests import services


@task(queue_name="default")
def contests_tick() -> dict:
    """Every minute: start approved contests whose start has come, judge new comments under running
    contests' posts, and erase entrants' personal data whose retention has passed."""
    return services.contests_tick()
