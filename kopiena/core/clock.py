"""The one place that asks what time it is, so tests can move time explicitly."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    """Aware UTC now."""
    return timezone.now()
