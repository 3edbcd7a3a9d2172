"""The loops that drive the engine: drain due deliveries, and the periodic housekeeping."""

from __future__ import annotations

import os
import socket
import time

from kopiena.publishing.engine.attempt import delivery_attempt
from kopiena.publishing.engine.claim import deliveries_claim, deliveries_release
from kopiena.publishing.engine.config import EngineConfig, engine_config
from kopiena.publishing.engine.recover import deliveries_reconcile, deliveries_recover


def worker_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


# A claimed batch is sent one row after another. Rows still waiting this long after the claim go back to
# the queue for other workers (threads, processes): a slow or hanging account delays the rest of its
# batch by at most this plus its own send, never by a whole batch of sends.
BATCH_HOLD_SECONDS = 0.5


def deliveries_drain(
    *, worker: str | None = None, max_seconds: float = 50.0, config: EngineConfig | None = None
) -> int:
    """Claim due deliveries (``config.claim_batch`` per statement) and send them one at a time until none
    is due or ``max_seconds`` have passed.

    Returns how many were attempted. Safe to run in any number of workers at once."""
    config = config or engine_config()
    worker = worker or worker_name()
    deadline = time.monotonic() + max_seconds
    done = 0
    while time.monotonic() < deadline:
        batch = deliveries_claim(
            worker=worker, lease_seconds=config.lease_seconds, limit=max(1, config.claim_batch)
        )
        if not batch:
            break
        claimed_at = time.monotonic()
        for index, delivery in enumerate(batch):
            if index and time.monotonic() - claimed_at > BATCH_HOLD_SECONDS:
                deliveries_release(batch[index:], worker=worker)
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
