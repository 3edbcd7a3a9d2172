"""Sending one claimed delivery, and deciding from the connector's answer what happens next.

========================  ===================================================================
the connector says        the delivery becomes
========================  ===================================================================
PublishResult             published; remote id and URL stored in their own transaction at once
TransientError            pending again after a backoff (the platform certainly did not get it)
RateLimited               pending again after max(retry_after, backoff)
OutcomeUnknown / crash    unconfirmed; reconcile looks it up later; NEVER re-sent blindly
ContentRejected           failed, with the platform's words
AuthExpired               one more try with a fresh connector (session refresh); then the account
                          is marked "needs reconnect" and the delivery failed
AccountDisconnected       account marked "needs reconnect"; failed
PermanentError            failed
========================  ===================================================================

Before sending, the worker re-checks what may have changed since scheduling: the account is still
active, the author (and approver) still have access, and the post is not later than the late cutoff.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import timedelta

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kopiena.connectors import errors
from kopiena.core.clock import now
from kopiena.integrations.models import AccountStatus
from kopiena.integrations.services import account_mark_needs_reconnect
from kopiena.publishing import platform
from kopiena.publishing.engine.config import RETRY_CAP_SECONDS, EngineConfig, engine_config
from kopiena.publishing.engine.record import (
    guarded_update,
    mark_publishing,
    record_failed,
    record_published,
    record_retry,
    record_unconfirmed,
    refresh_post_state,
)
from kopiena.publishing.models import AttemptOutcome, Delivery, DeliveryState, PostState
from kopiena.teams.models import Membership
from kopiena.teams.permissions import Perm, role_can

logger = logging.getLogger("kopiena.publishing.engine")

_CLAIMED = [DeliveryState.CLAIMED]
_SENDING = [DeliveryState.PUBLISHING]


def retry_delay_seconds(attempts: int, config: EngineConfig) -> float:
    """Exponential backoff with ±20 % jitter so a recovering platform is not hit by every worker at once."""
    base = min(config.retry_base_seconds * 2 ** max(attempts - 1, 0), RETRY_CAP_SECONDS)
    return base * random.uniform(0.8, 1.2)


# The author/approver re-check answers the same for every delivery of a busy workspace: a worker keeps
# each answer for a few seconds instead of asking the database per delivery. A membership change in this
# process clears it at once; other processes see it within PERMISSION_CACHE_SECONDS.
PERMISSION_CACHE_SECONDS = 5.0
_PERMITTED: dict[tuple[int, int, int | None], tuple[float, bool]] = {}
_PERMITTED_LOCK = threading.Lock()


@receiver([post_save, post_delete], sender=Membership, dispatch_uid="publishing-engine-permissions")
def _forget_permissions(**_kwargs) -> None:
    with _PERMITTED_LOCK:
        _PERMITTED.clear()


def _ask_permitted(workspace_id: int, author_id: int, approver_id: int | None) -> bool:
    roles = dict(
        Membership.objects.filter(
            workspace_id=workspace_id, user_id__in=[author_id, approver_id]
        ).values_list("user_id", "role")
    )
    if not role_can(roles.get(author_id, ""), Perm.POST_DRAFT):
        return False
    return approver_id is None or role_can(roles.get(approver_id, ""), Perm.POST_APPROVE)


def _still_permitted(delivery: Delivery) -> bool:
    post = delivery.post
    key = (post.workspace_id, post.author_id, post.approved_by_id)
    moment = time.monotonic()
    with _PERMITTED_LOCK:
        cached = _PERMITTED.get(key)
    if cached is not None and cached[0] > moment:
        return cached[1]
    permitted = _ask_permitted(*key)
    with _PERMITTED_LOCK:
        if len(_PERMITTED) > 10_000:  # bounded: a worker serving many workspaces stays small
            _PERMITTED.clear()
        _PERMITTED[key] = (moment + PERMISSION_CACHE_SECONDS, permitted)
    return permitted


def _precheck_failure(delivery: Delivery, config: EngineConfig) -> tuple[str, str] | None:
    """(code, message) when the delivery must not be sent now; None when it may."""
    if delivery.post.state == PostState.CANCELLED:
        return "cancelled", "The post was cancelled."
    if delivery.account.status != AccountStatus.ACTIVE:
        return "account_inactive", f"The account is {delivery.account.get_status_display().lower()}."
    if not _still_permitted(delivery):
        return "not_permitted", "The author or approver of this post no longer has access to the workspace."
    late_seconds = (now() - delivery.due_at).total_seconds()
    if late_seconds > config.late_cutoff_seconds:
        return (
            "late",
            f"It was {late_seconds / 60:.0f} minutes late; the cutoff is {config.late_cutoff_seconds / 60:.0f}.",
        )
    return None


def delivery_attempt(*, delivery: Delivery, worker: str, config: EngineConfig | None = None) -> str:
    """Send a delivery this worker has claimed and record the outcome. Returns the new delivery state."""
    config = config or engine_config()
    started = now()
    refusal = _precheck_failure(delivery, config)
    if refusal is not None:
        code, message = refusal
        outcome = AttemptOutcome.LATE if code == "late" else AttemptOutcome.SKIPPED
        if code == "cancelled":
            guarded_update(delivery, from_states=_CLAIMED, worker=worker, state=DeliveryState.CANCELLED)
            refresh_post_state(delivery.post_id)  # a cancelled post: the generic path, off the hot path
        else:
            record_failed(
                delivery,
                code=code,
                message=message,
                outcome=outcome,
                from_states=_CLAIMED,
                worker=worker,
                started_at=started,
            )
        return delivery.state
    # From here on the platform may receive the post: a crash leaves 'publishing', which recovery turns
    # into 'unconfirmed', never back into 'pending'.
    # The lease restarts here so that it covers the whole send: recovery may only call this row
    # unconfirmed once the connector call has certainly ended (its timeouts are shorter than a lease).
    lease_end = now() + timedelta(seconds=config.lease_seconds)
    if not mark_publishing(delivery, worker=worker, lease_expires_at=lease_end):
        return delivery.state  # our lease was taken back meanwhile; whoever holds it now decides
    return _send(delivery, worker=worker, config=config, started=started)


def _send(delivery: Delivery, *, worker: str, config: EngineConfig, started, auth_retry: bool = True) -> str:
    try:
        result = platform.publish(delivery)
    except errors.AuthExpired as exc:
        if auth_retry:  # a fresh connector refreshes its session once
            return _send(delivery, worker=worker, config=config, started=started, auth_retry=False)
        account_mark_needs_reconnect(account=delivery.account, error=exc.message)
        _fail(delivery, worker, started, "auth", exc, AttemptOutcome.AUTH)
    except errors.AccountDisconnected as exc:
        account_mark_needs_reconnect(account=delivery.account, error=exc.message)
        _fail(delivery, worker, started, "auth", exc, AttemptOutcome.AUTH)
    except errors.ContentRejected as exc:
        _fail(delivery, worker, started, "rejected", exc, AttemptOutcome.REJECTED)
    except errors.RateLimited as exc:
        wait = max(exc.retry_after_seconds, retry_delay_seconds(delivery.attempts, config))
        _retry(delivery, worker, started, config, wait, "rate_limited", exc, AttemptOutcome.RATE_LIMITED)
    except errors.TransientError as exc:
        wait = retry_delay_seconds(delivery.attempts, config)
        _retry(delivery, worker, started, config, wait, "transient", exc, AttemptOutcome.RETRY)
    except errors.OutcomeUnknown as exc:
        _unconfirmed(delivery, worker, started, config, exc.message)
    except errors.ConnectorError as exc:  # PermanentError and anything else in the taxonomy
        _fail(delivery, worker, started, "permanent", exc, AttemptOutcome.REJECTED)
    except Exception as exc:
        # A bug on our side after the send may have started: treat the outcome as unknown, never resend.
        logger.exception("delivery %s: unexpected error while publishing", delivery.pk)
        _unconfirmed(delivery, worker, started, config, f"Internal error: {type(exc).__name__}")
    else:
        record_published(
            delivery,
            remote_id=result.remote_id,
            remote_url=result.url,
            published_at=result.published_at,
            worker=worker,
            started_at=started,
        )
    return delivery.state


def _words(exc: errors.ConnectorError) -> str:
    return exc.platform_message or exc.message


def _fail(delivery, worker, started, code, exc, outcome) -> None:
    record_failed(
        delivery,
        code=code,
        message=_words(exc),
        outcome=outcome,
        from_states=_SENDING,
        worker=worker,
        started_at=started,
    )


def _retry(delivery, worker, started, config, wait_seconds, code, exc, outcome) -> None:
    at = now() + timedelta(seconds=wait_seconds)
    if delivery.attempts >= config.max_attempts:
        _fail(delivery, worker, started, "gave_up", exc, outcome)
    elif (at - delivery.due_at).total_seconds() > config.late_cutoff_seconds:
        record_failed(
            delivery,
            code="late",
            message=_words(exc),
            outcome=AttemptOutcome.LATE,
            from_states=_SENDING,
            worker=worker,
            started_at=started,
        )
    else:
        record_retry(
            delivery,
            at=at,
            code=code,
            message=_words(exc),
            outcome=outcome,
            worker=worker,
            started_at=started,
        )


def _unconfirmed(delivery, worker, started, config, message) -> None:
    record_unconfirmed(
        delivery,
        message=message,
        from_states=_SENDING,
        worker=worker,
        started_at=started,
        next_check_at=now() + timedelta(seconds=config.reconcile_delay_seconds),
    )
