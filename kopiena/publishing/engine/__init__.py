"""The delivery engine (ARCHITECTURE rule 8): claim due rows, send it once with its idempotency key,
store the remote id the moment the platform accepts, never re-send an unknown outcome, recover from dead
workers, reconcile, and tell a human when something fails.

Entry points: ``deliveries_drain`` (workers), ``deliveries_maintain`` (lease recovery + reconcile),
``metrics_poll`` (engagement snapshots). ``kopiena.publishing.tasks`` wraps them for the clock.
"""

from kopiena.publishing.engine.attempt import delivery_attempt
from kopiena.publishing.engine.claim import deliveries_claim, deliveries_release, delivery_claim, due_count
from kopiena.publishing.engine.config import EngineConfig, engine_config
from kopiena.publishing.engine.metrics import metrics_poll
from kopiena.publishing.engine.recover import deliveries_reconcile, deliveries_recover, delivery_reconcile
from kopiena.publishing.engine.run import deliveries_drain, deliveries_maintain, worker_name

__all__ = [
    "EngineConfig",
    "deliveries_claim",
    "deliveries_drain",
    "deliveries_maintain",
    "deliveries_reconcile",
    "deliveries_recover",
    "deliveries_release",
    "delivery_attempt",
    "delivery_claim",
    "delivery_reconcile",
    "due_count",
    "engine_config",
    "metrics_poll",
    "worker_name",
]
