"""The loops that drive the engine: drain due deliveries, and the periodic housekeeping."""

from __future__ import annotations

import os
import socket
import time

from kopiena.publishing.engine.attempt import delivery_attempt
from kopiena.publishing.engine.claim import delivery_claim
from kopiena.publishing.engine.config import EngineConfig, engine_config
from kopiena.publishing.engine.recover import deliveries_reconcile, deliveries_recover


def worker_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


def deliveries_drain(
    *, worker: str | None = None, max_seconds: float = 50.0, config: EngineConfig | None = None
) -> int:
    """Claim and send due deliveries one at a time until none is due or ``max_seconds`` have passed.

    Returns how many were attempted. Safe to run in any number of workers at once."""
    config = config or engine_config()
    worker = worker or worker_name()
    deadline = time.monotonic() + max_seconds
    done = 0
    while time.monotonic() < deadline:
        delivery = delivery_claim(worker=worker, lease_seconds=config.lease_seconds)
        if delivery is None:
            break
        delivery_attempt(delivery=delivery, worker=worker, config=config)
        done += 1
    return done


def deliveries_maintain(*, config: EngineConfig | None = None) -> dict[str, int]:
    """Housekeeping: recover dead workers' claims, then reconcile unconfirmed deliveries."""
    config = config or engine_config()
    return {
        "recovered": deliveries_recover(config=config),
        "reconciled": deliveries_reconcile(config=config),
    }
