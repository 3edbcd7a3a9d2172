"""Writing what happened to a delivery: one short transaction per outcome.

Every outcome appends a ``DeliveryAttempt`` row, moves the delivery with a *guarded* UPDATE (only from
the states the writer expects, so a late or duplicate writer changes nothing), refreshes the post's state
and, for final outcomes, writes an audit event and tells the people who can act.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopiena.audit.models import PendingAuditEvent
from kopiena.audit.services import audit_fields, audit_record
from kopiena.core.clock import now
from kopiena.core.weblinks import safe_web_url
from kopiena.notifications.services import notify
from kopiena.publishing.engine.sql import Write, update_row, write_together
from kopiena.publishing.models import (
    AttemptOutcome,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    Post,
    PostState,
)
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import users_with_perm

MESSAGE_MAX_CHARS = 4000

# What a person should do about each failure code (shown under the platform's own message).
WHAT_TO_DO = {
    "rejected": gettext_lazy(
        "Edit the post for this account so the platform accepts it, then schedule it again."
    ),
    "auth": gettext_lazy("Reconnect the account in Settings → Accounts, then schedule the post again."),
    "account_inactive": gettext_lazy("Reconnect or re-enable the account, then schedule the post again."),
    "not_permitted": gettext_lazy(
        "The author or approver no longer has access; a manager should review and reschedule."
    ),
    "late": gettext_lazy("Kopiena could not publish in time (were the workers running?). Choose a new time."),
    "gave_up": gettext_lazy(
        "The platform kept failing. Check its status page and schedule the post again later."
    ),
    "permanent": gettext_lazy(
        "The platform refused the request. Check the account, then schedule the post again."
    ),
    "unconfirmed": gettext_lazy(
        "Open the account on the platform: if the post is missing, publish it again."
    ),
}


def _attempt_values(
    delivery: Delivery,
    *,
    outcome: str,
    worker: str = "",
    started_at: datetime | None = None,
    error_code: str = "",
    message: str = "",
) -> dict:
    moment = now()
    return {
        "delivery_id": delivery.pk,
        "number": delivery.attempts,
        "outcome": outcome,
        "worker": worker,
        "started_at": started_at or moment,
        "finished_at": moment,
        "error_code": error_code,
        "message": message[:MESSAGE_MAX_CHARS],
    }


def log_attempt(delivery: Delivery, **attempt) -> None:
    """Append one ``DeliveryAttempt`` row (outcome, worker, started_at, error_code, message)."""
    DeliveryAttempt.objects.create(**_attempt_values(delivery, **attempt))


def mark_publishing(delivery: Delivery, *, worker: str, lease_expires_at: datetime) -> bool:
    """Claimed → publishing (only if still ours); the post shows "publishing" from its first send, with
    a guarded UPDATE in the same statement (PostgreSQL) — no lock on the hot path. False: our lease was
    taken back meanwhile, and whoever holds the row now decides."""
    post = delivery.post
    fields = {"state": DeliveryState.PUBLISHING, "lease_expires_at": lease_expires_at, "updated_at": now()}
    writes = [
        Write(
            Delivery,
            fields,
            pk=delivery.pk,
            where=(("state", "in", [DeliveryState.CLAIMED]), ("claimed_by", "=", worker)),
        )
    ]
    if post.state == PostState.SCHEDULED:
        writes.append(
            Write(
                Post,
                {"state": PostState.PUBLISHING},
                pk=post.pk,
                where=(("state", "=", PostState.SCHEDULED),),
                after=0,
            )
        )
    changed = write_together(writes, atomic=False)
    if not changed[0]:
        return False
    for name, value in fields.items():
        setattr(delivery, name, value)
    if len(changed) > 1 and changed[1]:
        post.state = PostState.PUBLISHING
    return True


def guarded_update(
    delivery: Delivery, *, from_states: list[str], worker: str | None = None, **fields
) -> bool:
    """UPDATE the row only if it is still in ``from_states`` (and claimed by ``worker``, if given)."""
    where = [("state", "in", from_states)]
    if worker is not None:
        where.append(("claimed_by", "=", worker))
    fields["updated_at"] = now()
    changed = update_row(Delivery, delivery.pk, fields, where=where) == 1
    if changed:
        for name, value in fields.items():
            setattr(delivery, name, value)
    return changed


def _post_state_from(states: list[str]) -> str:
    live = {DeliveryState.PENDING, DeliveryState.CLAIMED, DeliveryState.PUBLISHING}
    if all(s == DeliveryState.CANCELLED for s in states):
        return PostState.CANCELLED
    if any(s in live for s in states):
        started = any(s != DeliveryState.PENDING and s != DeliveryState.CANCELLED for s in states)
        return PostState.PUBLISHING if started else PostState.SCHEDULED
    if DeliveryState.UNCONFIRMED in states:
        return PostState.UNCONFIRMED
    if DeliveryState.FAILED in states:
        return PostState.FAILED
    return PostState.PUBLISHED


@transaction.atomic(savepoint=False)
def refresh_post_state(post_id: int, *, sole: Delivery | None = None) -> Post:
    """Derive the post's state from its deliveries; audit the post's final states.

    ``sole``: the post's only delivery, as the claim found it (``post_has_siblings`` false) — its state is
    the post's, so one guarded UPDATE does. Otherwise the post row is locked, so that workers finishing
    sibling deliveries at the same moment serialise and the last one sees every sibling's outcome."""
    if sole is not None:
        return _refresh_sole_post(sole)
    post = (
        Post.objects.select_for_update().only("id", "state", "workspace_id", "published_at").get(pk=post_id)
    )
    rows = list(Delivery.objects.filter(post_id=post_id).values_list("state", "published_at"))
    state = _post_state_from([s for s, _ in rows])
    if state != post.state:
        before = post.state
        post.state = state
        if state == PostState.PUBLISHED:
            post.published_at = max(p for s, p in rows if p is not None)
        post.save(update_fields=["state", "published_at", "updated_at"])
        _audit_post_state(post, before)
    return post


def _refresh_sole_post(delivery: Delivery) -> Post:
    post = delivery.post
    state = _post_state_from([delivery.state])
    fields = {"state": state, "updated_at": now()}
    if state == PostState.PUBLISHED:
        fields["published_at"] = delivery.published_at
    if update_row(Post, post.pk, fields, where=[("state", "<>", state)]):
        before = post.state
        for name, value in fields.items():
            setattr(post, name, value)
        _audit_post_state(post, before)
    return post


def _audit_post_state(post: Post, before: str) -> None:
    if post.state in (PostState.PUBLISHED, PostState.FAILED, PostState.UNCONFIRMED):
        # Deferred: a lock-free insert here, chained by audit_flush (kopiena.audit.services explains why).
        audit_record(
            actor=None,
            workspace=post.workspace_id,
            action=f"post.{post.state}",
            obj=post,
            before={"state": before},
            after={"state": post.state},
            defer=True,
        )


def _sole(delivery: Delivery) -> Delivery | None:
    """The delivery itself when the claim found no other delivery of its post (see ``refresh_post_state``)."""
    return delivery if getattr(delivery, "post_has_siblings", True) is False else None


_NOT_FINAL = [DeliveryState.PUBLISHING, DeliveryState.UNCONFIRMED, DeliveryState.CLAIMED]


def record_published(
    delivery: Delivery,
    *,
    remote_id: str,
    remote_url: str,
    published_at: datetime | None,
    outcome: str = AttemptOutcome.ACCEPTED,
    worker: str = "",
    started_at=None,
) -> bool:
    """The platform has the post: store its id at once. Accepted from any not-yet-final state."""
    fields = {
        "state": DeliveryState.PUBLISHED,
        "remote_id": remote_id,
        "remote_url": safe_web_url(remote_url),
        "published_at": published_at or now(),
        "failure_code": "",
        "failure_message": "",
        "lease_expires_at": None,
    }
    attempt = {"outcome": outcome, "worker": worker, "started_at": started_at, "message": remote_url}
    if _sole(delivery) is not None:
        return _published_sole(delivery, fields, attempt)
    return _published_shared(delivery, fields, attempt)


def _published_sole(delivery: Delivery, fields: dict, attempt: dict) -> bool:
    """A post with this one delivery: the delivery, its attempt row, the post's state and the post's
    audit event in one atomic write — a single statement on PostgreSQL."""
    post = delivery.post
    fields["updated_at"] = now()
    post_fields = {"state": PostState.PUBLISHED, "published_at": fields["published_at"], "updated_at": now()}
    event = audit_fields(
        actor=None,
        workspace=post.workspace_id,
        action=f"post.{PostState.PUBLISHED}",
        obj=post,
        before={"state": post.state},
        after={"state": PostState.PUBLISHED},
    )
    changed = write_together(
        [
            Write(Delivery, fields, pk=delivery.pk, where=(("state", "in", _NOT_FINAL),)),
            Write(DeliveryAttempt, _attempt_values(delivery, **attempt), after=0),
            Write(Post, post_fields, pk=post.pk, where=(("state", "<>", PostState.PUBLISHED),), after=0),
            Write(PendingAuditEvent, event, after=2),
        ]
    )
    if not changed[0]:
        return False
    for name, value in fields.items():
        setattr(delivery, name, value)
    if changed[2]:
        for name, value in post_fields.items():
            setattr(post, name, value)
    return True


@transaction.atomic
def _published_shared(delivery: Delivery, fields: dict, attempt: dict) -> bool:
    changed = guarded_update(delivery, from_states=_NOT_FINAL, **fields)
    if changed:
        # The attempt log keeps the remote id per delivery; the audit event is written once per post
        # (refresh_post_state, which locks the post so the last sibling to finish sees every outcome).
        log_attempt(delivery, **attempt)
        refresh_post_state(delivery.post_id)
    return changed


@transaction.atomic
def record_failed(
    delivery: Delivery,
    *,
    code: str,
    message: str,
    outcome: str,
    from_states: list[str],
    worker: str | None = None,
    started_at=None,
) -> bool:
    """Final failure with the platform's words; the author and managers are told what to do."""
    changed = guarded_update(
        delivery,
        from_states=from_states,
        worker=worker,
        state=DeliveryState.FAILED,
        failure_code=code,
        failure_message=message[:MESSAGE_MAX_CHARS],
        lease_expires_at=None,
    )
    if changed:
        log_attempt(
            delivery,
            outcome=outcome,
            worker=worker or "",
            started_at=started_at,
            error_code=code,
            message=message,
        )
        audit_record(
            actor=None,
            workspace=delivery.workspace_id,
            action="delivery.failed",
            obj=delivery,
            after={"account": delivery.account_id, "code": code, "message": message[:MESSAGE_MAX_CHARS]},
            defer=True,
        )
        post = refresh_post_state(delivery.post_id, sole=_sole(delivery))
        notify_failure(delivery, post=post, code=code, message=message)
    return changed


@transaction.atomic
def record_retry(
    delivery: Delivery, *, at: datetime, code: str, message: str, outcome: str, worker: str, started_at=None
) -> bool:
    """The platform certainly did not get it: back to pending, eligible again at ``at``."""
    changed = guarded_update(
        delivery,
        from_states=[DeliveryState.PUBLISHING, DeliveryState.CLAIMED],
        worker=worker,
        state=DeliveryState.PENDING,
        next_attempt_at=at,
        failure_code=code,
        failure_message=message[:MESSAGE_MAX_CHARS],
        lease_expires_at=None,
        claimed_by="",
    )
    if changed:
        log_attempt(
            delivery, outcome=outcome, worker=worker, started_at=started_at, error_code=code, message=message
        )
    return changed


@transaction.atomic
def record_unconfirmed(
    delivery: Delivery,
    *,
    message: str,
    from_states: list[str],
    worker: str | None,
    next_check_at: datetime,
    outcome: str = AttemptOutcome.UNKNOWN,
    started_at=None,
) -> bool:
    """It may have been published: never re-send; reconcile looks it up from ``next_check_at``."""
    changed = guarded_update(
        delivery,
        from_states=from_states,
        worker=worker,
        state=DeliveryState.UNCONFIRMED,
        unconfirmed_since=now(),
        next_attempt_at=next_check_at,
        reconcile_attempts=0,
        failure_code="unconfirmed",
        failure_message=message[:MESSAGE_MAX_CHARS],
        lease_expires_at=None,
    )
    if changed:
        log_attempt(
            delivery,
            outcome=outcome,
            worker=worker or "",
            started_at=started_at,
            error_code="unconfirmed",
            message=message,
        )
        audit_record(
            actor=None,
            workspace=delivery.workspace_id,
            action="delivery.unconfirmed",
            obj=delivery,
            after={"account": delivery.account_id, "message": message[:MESSAGE_MAX_CHARS]},
            defer=True,
        )
        refresh_post_state(delivery.post_id, sole=_sole(delivery))
    return changed


def notify_failure(delivery: Delivery, *, post: Post, code: str, message: str) -> None:
    """Tell the author and everyone who approves posts: which account, the platform's words, what to do."""
    recipients = [*users_with_perm(workspace=post.workspace, perm=Perm.POST_APPROVE), post.author]
    account_name = delivery.account.name
    notify(
        workspace_id=post.workspace_id,
        recipients=recipients,
        kind=f"delivery.{code}",
        title=lambda: _("Not published to %(account)s") % {"account": account_name},
        body=lambda: (
            _("The platform said: %(message)s\nWhat to do: %(advice)s")
            % {
                "message": message or _("(no message)"),
                "advice": str(WHAT_TO_DO.get(code, WHAT_TO_DO["permanent"])),
            }
        ),
        post=post,
    )
