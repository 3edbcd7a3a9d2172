"""Background jobs of listening (thin: each calls one function)."""

from __future__ import annotations

from django_tasks import task

from kopiena.listening import runner, spikes, trends


@task(queue_name="default")
def listening_spikes_detect() -> int:
    """Enqueued by the clock every few minutes: storms in the current and the previous hour."""
    return spikes.spikes_detect()


@task(queue_name="ingest")
def listening_run() -> dict:
    """Enqueued by the clock every few seconds; reads only the sources that are due (each has its own
    interval and backoff), so a quiet tick costs one small query."""
    report = runner.sources_run()
    return {"sources": report.sources, "mentions": report.created, "errors": report.errors}


@task(queue_name="ingest")
def listening_competitors_fetch() -> int:
    """Enqueued by the clock; reads only the competitor feeds that are due (each with its backoff)."""
    from kopiena.listening.competitors import competitors_fetch

    return competitors_fetch()


@task(queue_name="default")
def listening_trends_refresh() -> int:
    """Enqueued by the clock: the Trends page then reads trends computed at most a few minutes ago."""
    return trends.trends_refresh_active()
