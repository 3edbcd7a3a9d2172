"""After a crash, and after an unknown outcome: take claims back from dead workers and find out what the
platform really did.

* A row ``claimed`` past its lease was never sent (the worker died before marking it ``publishing``):
  it goes back to ``pending``.
* A row ``publishing`` past its lease may have reached the platform: it becomes ``unconfirmed``.
* An ``unconfirmed`` row is looked up with the connector's ``find_published`` (by idempotency key or
  content). Found → published with its remote id. Absent on ``reconcile_confirm_checks`` look-ups in a
  row → the connector has said it certainly does not exist, so it is safe to send again (same key) —
  unless it is now past the late cutoff, then failed. A connector that cannot reconcile leaves it to a
  person, who is told once.
* Only real answers count: a look-up that failed (connection refused, timeout, 5xx, rate limit) is no
  evidence of absence. It is logged with ``LOOKUP_FAILED`` and neither counts as a "not found" nor
  breaks a run of them; the run is read from the delivery's attempt log (``_not_found_in_a_row``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction

from kopiena.connectors import errors
from kopiena.core.clock import now
from kopiena.publishing import platform
from kopiena.publishing.engine.config import EngineConfig, engine_config
from kopiena.publishing.engine.record import (
    guarded_update,
    log_attempt,
    notify_failure,
    record_failed,
    record_published,
    record_unconfirmed,
)
from kopiena.publishing.models import AttemptOutcome, Delivery, DeliveryState

logger = logging.getLogger("kopiena.publishing.engine")

LOOKUP_FAILED = "lookup_failed"  # DeliveryAttempt.error_code of a look-up that got no answer


def deliveries_recover(*, config: EngineConfig | None = None, limit: int = 500) -> int:
    """Take back expired claims. Returns how many rows were recovered."""
    config = config or engine_config()
    moment = now()
    expired = list(
        Delivery.objects.filter(
            state__in=[DeliveryState.CLAIMED, DeliveryState.PUBLISHING], lease_expires_at__lt=moment
        ).order_by("lease_expires_at")[:limit]
    )
    recovered = 0
    for delivery in expired:
        dead_worker = delivery.claimed_by
        if delivery.state == DeliveryState.CLAIMED:
            with transaction.atomic():
                if guarded_update(
                    delivery,
                    from_states=[DeliveryState.CLAIMED],
                    worker=dead_worker,
                    state=DeliveryState.PENDING,
                    claimed_by="",
                    lease_expires_at=None,
                ):
                    log_attempt(
                        delivery,
                        outcome=AttemptOutcome.RECOVERED,
                        worker=dead_worker,
                        message="Claim expired before sending; back in the queue.",
                    )
                    recovered += 1
        elif record_unconfirmed(
            delivery,
            message="The worker stopped while sending; checking the platform before doing anything else.",
            from_states=[DeliveryState.PUBLISHING],
            worker=dead_worker,
            next_check_at=moment,
            outcome=AttemptOutcome.RECOVERED,
        ):
            recovered += 1
    return recovered


def _reserve(delivery: Delivery, config: EngineConfig) -> bool:
    """Push the next check out by a lease so that a parallel reconciler skips this row meanwhile."""
    return (
        Delivery.objects.filter(
            pk=delivery.pk, state=DeliveryState.UNCONFIRMED, next_attempt_at=delivery.next_attempt_at
        ).update(next_attempt_at=now() + timedelta(seconds=config.lease_seconds), updated_at=now())
        == 1
    )


def deliveries_reconcile(*, config: EngineConfig | None = None, limit: int = 200) -> int:
    """Look up due ``unconfirmed`` deliveries on their platforms. Returns how many were resolved."""
    config = config or engine_config()
    due = list(
        Delivery.objects.filter(state=DeliveryState.UNCONFIRMED, next_attempt_at__lte=now())
        .select_related("account", "post", "variant")
        .order_by("next_attempt_at")[:limit]
    )
    resolved = 0
    for delivery in due:
        if _reserve(delivery, config):
            resolved += delivery_reconcile(delivery=delivery, config=config)
    return resolved


def delivery_reconcile(*, delivery: Delivery, config: EngineConfig) -> bool:
    """One look-up for one unconfirmed delivery; True when it left ``unconfirmed``."""
    unconfirmed = [DeliveryState.UNCONFIRMED]
    if not platform.can_reconcile(delivery.account):
        _park(delivery, "This platform cannot tell us whether the post went out.")
        return False
    try:
        found = platform.find_published(delivery)
    except errors.ConnectorError as exc:
        _check_again(delivery, config, f"Look-up failed: {exc.message}", error_code=LOOKUP_FAILED)
        return False
    if found is not None:
        return record_published(
            delivery,
            remote_id=found.remote_id,
            remote_url=found.url,
            published_at=found.published_at,
            outcome=AttemptOutcome.FOUND,
        )
    checks = delivery.reconcile_attempts + 1
    if _not_found_in_a_row(delivery) + 1 < config.reconcile_confirm_checks:
        _check_again(
            delivery, config, "Not on the platform yet; checking once more.", outcome=AttemptOutcome.NOT_FOUND
        )
        return False
    late_seconds = (now() - delivery.due_at).total_seconds()
    if late_seconds > config.late_cutoff_seconds:
        return record_failed(
            delivery,
            code="late",
            from_states=unconfirmed,
            outcome=AttemptOutcome.NOT_FOUND,
            message="It never reached the platform, and it is now too late to send it.",
        )
    with transaction.atomic():
        if guarded_update(
            delivery,
            from_states=unconfirmed,
            state=DeliveryState.PENDING,
            next_attempt_at=now(),
            claimed_by="",
            failure_code="",
            failure_message="",
            reconcile_attempts=checks,
        ):
            log_attempt(
                delivery,
                outcome=AttemptOutcome.NOT_FOUND,
                message="Confirmed absent on the platform; sending again with the same key.",
            )
            return True
    return False


def _not_found_in_a_row(delivery: Delivery) -> int:
    """The "not found" answers since the delivery last became unconfirmed (failed look-ups skipped).

    The log is read newest first: anything but a "not found" or a failed look-up (the unknown outcome
    or recovery that made it unconfirmed, or an earlier re-send) ends the run."""
    run = 0
    log = delivery.attempt_log.order_by("-id").values_list("outcome", "error_code")
    for outcome, error_code in log.iterator(chunk_size=50):
        if error_code == LOOKUP_FAILED:
            continue
        if outcome != AttemptOutcome.NOT_FOUND:
            break
        run += 1
    return run


def _check_again(
    delivery: Delivery,
    config: EngineConfig,
    message: str,
    outcome=AttemptOutcome.UNKNOWN,
    error_code: str = "",
) -> None:
    with transaction.atomic():
        checks = delivery.reconcile_attempts + 1
        wait = config.reconcile_delay_seconds * min(2 ** (checks - 1), 60)
        if guarded_update(
            delivery,
            from_states=[DeliveryState.UNCONFIRMED],
            reconcile_attempts=checks,
            next_attempt_at=now() + timedelta(seconds=wait),
        ):
            log_attempt(delivery, outcome=outcome, message=message, error_code=error_code)


def _park(delivery: Delivery, message: str) -> None:
    """Leave it to a person (told once): far-future next check so the scan skips it."""
    with transaction.atomic():
        if guarded_update(
            delivery, from_states=[DeliveryState.UNCONFIRMED], next_attempt_at=now() + timedelta(days=3650)
        ):
            log_attempt(delivery, outcome=AttemptOutcome.UNKNOWN, message=message)
            notify_failure(delivery, post=delivery.post, code="unconfirmed", message=message)
