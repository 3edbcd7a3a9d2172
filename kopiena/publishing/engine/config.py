"""Engine knobs, read from Django settings when used (never at import), with the defaults below.

``PUBLISH_LATE_CUTOFF_SECONDS``  a delivery this late is failed instead of posted (default 2 h)
``PUBLISH_LEASE_SECONDS``        a claim not finished by then belongs to a dead worker (default 300 s;
                                 must exceed the connector's longest publish call)
``PUBLISH_MAX_ATTEMPTS``         sends that certainly did not arrive, before giving up (default 8)
``PUBLISH_RETRY_BASE_SECONDS``   first retry backoff, doubled each time (default 30 s, capped at 1 h)
``PUBLISH_RECONCILE_DELAY_SECONDS``  wait between reconcile look-ups of an unconfirmed post (default 60 s)
``PUBLISH_RECONCILE_CONFIRM_CHECKS`` look-ups that must agree "not there" before re-sending (default 2)
``PUBLISH_METRICS_INTERVAL_SECONDS`` how often a published post's engagement is read (default 1 h)
``PUBLISH_METRICS_WINDOW_SECONDS``   for how long after publishing (default 7 days)
``PUBLISH_CLAIM_BATCH``          due deliveries a worker claims in one statement (default 4; 1 = one by one)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

_DEFAULTS = {
    "PUBLISH_LATE_CUTOFF_SECONDS": 2 * 3600,
    "PUBLISH_LEASE_SECONDS": 300,
    "PUBLISH_MAX_ATTEMPTS": 8,
    "PUBLISH_RETRY_BASE_SECONDS": 30,
    "PUBLISH_RECONCILE_DELAY_SECONDS": 60,
    "PUBLISH_RECONCILE_CONFIRM_CHECKS": 2,
    "PUBLISH_METRICS_INTERVAL_SECONDS": 3600,
    "PUBLISH_METRICS_WINDOW_SECONDS": 7 * 24 * 3600,
    "PUBLISH_CLAIM_BATCH": 4,
}
RETRY_CAP_SECONDS = 3600


@dataclass(frozen=True)
class EngineConfig:
    late_cutoff_seconds: float
    lease_seconds: float
    max_attempts: int
    retry_base_seconds: float
    reconcile_delay_seconds: float
    reconcile_confirm_checks: int
    metrics_interval_seconds: float
    metrics_window_seconds: float
    claim_batch: int = 4


def engine_config() -> EngineConfig:
    values = {name: getattr(settings, name, default) for name, default in _DEFAULTS.items()}
    return EngineConfig(**{name.removeprefix("PUBLISH_").lower(): value for name, value in values.items()})
