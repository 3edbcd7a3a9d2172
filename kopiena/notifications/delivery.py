"""The worker's side: send the e-mails, digests and webhook POSTs that are due, with retries.

A due delivery is *claimed* in a short transaction (its ``due_at`` moved a lease ahead and the attempt
counted, under ``SKIP LOCKED`` on PostgreSQL), sent outside any transaction, and its outcome recorded:
sent; or pending again after a back-off (1 min, 5 min, 30 min, 2 h, 6 h); or failed for good after the
last try, with the reason kept and shown on the person's notification settings page. A delivery whose
notice is already done, or whose person left the workspace, is skipped instead of sent.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.translation import gettext as _

from kopiena.connectors.errors import ConnectorError
from kopiena.core.clock import now
from kopiena.core.logging import redact
from kopiena.integrations.crypto import CredentialDecryptError
from kopiena.notifications.channels import email as email_channel
from kopiena.notifications.channels import webhook as webhook_channel
from kopiena.notifications.messages import MESSAGES
from kopiena.notifications.models import Channel, DeliveryState, Notice, NoticeDelivery, WebhookEndpoint
from kopiena.notifications.rendering import Rendered, format_moment, render_for
from kopiena.notifications.selectors import person_settings_for
from kopiena.notifications.services import _zone
from kopiena.teams.models import Membership

RETRY_SECONDS = (60, 300, 1800, 7200, 21600)
MAX_ATTEMPTS = len(RETRY_SECONDS) + 1
LEASE_SECONDS = 300
BATCH = 100


def _due(at: datetime, ids: list[int] | None):
    rows = NoticeDelivery.objects.filter(state=DeliveryState.PENDING, due_at__lte=at)
    return rows.filter(pk__in=ids) if ids is not None else rows


@transaction.atomic
def _claim(at: datetime, ids: list[int] | None, channels: list[str]) -> list[int]:
    rows = _due(at, ids).filter(channel__in=channels).order_by("due_at", "pk")
    claimed = list(rows.select_for_update(skip_locked=True).values_list("pk", flat=True)[:BATCH])
    if claimed:
        NoticeDelivery.objects.filter(pk__in=claimed).update(due_at=at + timedelta(seconds=LEASE_SECONDS))
    return claimed


def _still_wanted(deliveries: list[NoticeDelivery]) -> tuple[list[NoticeDelivery], list[int]]:
    member = Membership.objects.filter(workspace=OuterRef("workspace"), user=OuterRef("recipient"))
    notice_ids = {d.notice_id for d in deliveries}
    ok = set(
        Notice.objects.filter(pk__in=notice_ids, done_at__isnull=True)
        .filter(Exists(member))
        .values_list("pk", flat=True)
    )
    return [d for d in deliveries if d.notice_id in ok], [d.pk for d in deliveries if d.notice_id not in ok]


def _record(delivery: NoticeDelivery, error: str | None, at: datetime) -> None:
    attempts = delivery.attempts + 1
    if error is None:
        NoticeDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.SENT, sent_at=at, attempts=attempts, last_error="", updated_at=at
        )
        if delivery.channel == Channel.EMAIL:
            Notice.objects.filter(pk=delivery.notice_id).update(emailed_at=at)
        if delivery.endpoint_id:
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(last_success_at=at)
        return
    error = redact(error)[:500]
    if attempts >= MAX_ATTEMPTS:
        state, due = DeliveryState.FAILED, at
    else:
        state, due = DeliveryState.PENDING, at + timedelta(seconds=RETRY_SECONDS[attempts - 1])
    NoticeDelivery.objects.filter(pk=delivery.pk).update(
        state=state, due_at=due, attempts=attempts, last_error=error, updated_at=at
    )
    if delivery.endpoint_id:
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(last_failure_at=at, last_error=error)


def _send_webhook(endpoint: WebhookEndpoint, rendered: Rendered, *, delivery_id: str, kind: str) -> None:
    with translation.override(endpoint.user.language or settings.LANGUAGE_CODE):
        body = webhook_channel.payload(fmt=endpoint.format, rendered=rendered, chat_id=endpoint.chat_id)
    keys = endpoint.secrets()
    webhook_channel.post(
        url=keys["url"],
        secret=keys["secret"],
        body=body,
        delivery_id=delivery_id,
        endpoint_key=str(endpoint.pk),
        kind=kind,
    )


def _send_one(delivery: NoticeDelivery) -> str | None:
    notice = delivery.notice
    user = notice.recipient
    rendered = render_for(notice, user)
    try:
        if delivery.channel == Channel.EMAIL:
            with translation.override(user.language or settings.LANGUAGE_CODE):
                email_channel.send_one(to=user.email, workspace_name=notice.workspace.name, rendered=rendered)
        elif delivery.channel == Channel.WEBHOOK:
            if delivery.endpoint is None or not delivery.endpoint.enabled:
                return _("The endpoint was removed or turned off.")
            _send_webhook(delivery.endpoint, rendered, delivery_id=f"kopiena-{delivery.pk}", kind=notice.kind)
    except ConnectorError as exc:
        return str(exc) or type(exc).__name__
    except CredentialDecryptError:  # a key was removed from KOPIENA_SECRET_KEYS too early
        return _("The endpoint's address can no longer be decrypted; add it again.")
    except OSError as exc:  # the mail server did not take it
        return f"{type(exc).__name__}: {exc}"
    return None


def deliveries_send(*, ids: list[int] | None = None, at: datetime | None = None) -> dict[str, int]:
    """Send the e-mails and webhook POSTs that are due (only ``ids`` when given). Safe to run twice."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    at = at or now()
    while True:
        claimed = _claim(at, ids, [Channel.EMAIL, Channel.WEBHOOK])
        if not claimed:
            return counts
        deliveries = list(
            NoticeDelivery.objects.filter(pk__in=claimed).select_related(
                "notice__recipient", "notice__workspace", "endpoint__user"
            )
        )
        wanted, unwanted = _still_wanted(deliveries)
        NoticeDelivery.objects.filter(pk__in=unwanted).update(state=DeliveryState.SKIPPED, updated_at=at)
        counts["skipped"] += len(unwanted)
        for delivery in wanted:
            error = _send_one(delivery)
            _record(delivery, error, now())
            counts["sent" if error is None else "failed"] += 1
        if ids is not None:
            return counts


def digests_send(*, at: datetime | None = None) -> int:
    """One e-mail per person whose digest is due, listing their notices not yet done; returns how many."""
    at = at or now()
    sent = 0
    while True:
        claimed = _claim(at, None, [Channel.DIGEST])
        if not claimed:
            return sent
        deliveries = list(
            NoticeDelivery.objects.filter(pk__in=claimed).select_related(
                "notice__recipient", "notice__workspace"
            )
        )
        wanted, unwanted = _still_wanted(deliveries)
        NoticeDelivery.objects.filter(pk__in=unwanted).update(state=DeliveryState.SKIPPED, updated_at=at)
        by_person: dict[int, list[NoticeDelivery]] = defaultdict(list)
        for delivery in wanted:
            by_person[delivery.notice.recipient_id].append(delivery)
        for group in by_person.values():
            group.sort(key=lambda d: (d.notice.created_at, d.notice_id))
            user = group[0].notice.recipient
            entries = [(d.notice.workspace.name, render_for(d.notice, user)) for d in group]
            try:
                with translation.override(user.language or settings.LANGUAGE_CODE):
                    email_channel.send_digest(to=user.email, entries=entries)
                error = None
            except OSError as exc:
                error = f"{type(exc).__name__}: {exc}"
            for delivery in group:
                _record(delivery, error, now())
            sent += error is None


def webhook_endpoint_test(*, user, endpoint_id: int) -> str | None:
    """Send a test message to one of ``user``'s endpoints now; returns None on success, else the reason
    (also kept on the endpoint, like a real delivery's)."""
    endpoint = WebhookEndpoint.objects.filter(user=user, pk=endpoint_id).select_related("user").first()
    if endpoint is None:
        from django.http import Http404

        raise Http404
    at = now()
    message = MESSAGES["notifications.test"]
    with translation.override(user.language or settings.LANGUAGE_CODE):
        zone = _zone(person_settings_for(user=user).timezone)
        args = {"endpoint": endpoint.name, "sent_at": format_moment(at, zone)}
        rendered = Rendered(
            title=_(message.title), body=_(message.body) % args, path="", when=format_moment(at, zone)
        )
    try:
        _send_webhook(
            endpoint, rendered, delivery_id=f"kopiena-test-{endpoint.pk}-{int(at.timestamp())}", kind="test"
        )
    except ConnectorError as exc:
        error = redact(str(exc) or type(exc).__name__)[:500]
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(last_failure_at=at, last_error=error)
        return error
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(last_success_at=at)
    return None
