"""The process heap of the long-running processes (web server, worker), shared by their entry points."""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Move everything loaded at start-up (Django, our modules, URL patterns) out of the garbage
    collector's sight. Without it a full collection re-scans those few hundred thousand objects and stalls
    a request for ~100 ms now and then (seen as the calendar's p95 in bench/calendar.py)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports every view module now rather than on first request)
    gc.collect()
    gc.freeze()
