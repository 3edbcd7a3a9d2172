"""Engagement polling: published deliveries' counters read into append-only ``MetricSnapshot`` rows."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import Q

from kopiena.analytics.models import MetricSnapshot
from kopiena.connectors import errors
from kopiena.core.clock import now
from kopiena.integrations.models import AccountStatus
from kopiena.publishing import platform
from kopiena.publishing.engine.config import EngineConfig, engine_config
from kopiena.publishing.models import Delivery, DeliveryState

logger = logging.getLogger("kopiena.publishing.metrics")

BATCH = 40  # ids per platform call (Mastodon's limit for statuses?id[]=)


def metrics_poll(*, config: EngineConfig | None = None, limit: int = 2000) -> int:
    """Read counters for published deliveries that are due a reading. Returns snapshots written.

    One failing account is logged and skipped; the others are still read."""
    config = config or engine_config()
    moment = now()
    due = (
        Delivery.objects.filter(
            state=DeliveryState.PUBLISHED,
            published_at__gte=moment - timedelta(seconds=config.metrics_window_seconds),
            account__status=AccountStatus.ACTIVE,
        )
        .exclude(remote_id="")
        .filter(
            Q(metrics_polled_at__isnull=True)
            | Q(metrics_polled_at__lte=moment - timedelta(seconds=config.metrics_interval_seconds))
        )
        .select_related("account")
        .order_by("metrics_polled_at", "published_at")[:limit]
    )
    by_account: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in due:
        by_account[delivery.account_id].append(delivery)
    written = 0
    for deliveries in by_account.values():
        account = deliveries[0].account
        if not platform.can_measure(account):
            Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(metrics_polled_at=moment)
            continue
        for start in range(0, len(deliveries), BATCH):
            written += _poll_batch(account, deliveries[start : start + BATCH])
    return written


def _poll_batch(account, deliveries: list[Delivery]) -> int:
    try:
        counters = platform.fetch_metrics(account, [d.remote_id for d in deliveries])
    except errors.ConnectorError as exc:
        logger.warning("metrics for account %s not read: %s", account.pk, exc.message)
        return 0
    snapshots = [
        MetricSnapshot(
            workspace_id=d.workspace_id,
            account_id=d.account_id,
            delivery_id=d.pk,
            taken_at=m.collected_at,
            likes=m.likes,
            reposts=m.reposts,
            replies=m.replies,
            views=m.views,
            extra={k: v for k, v in {"quotes": m.quotes, "bookmarks": m.bookmarks}.items() if v is not None},
        )
        for d in deliveries
        if (m := counters.get(d.remote_id)) is not None
    ]
    with transaction.atomic():
        MetricSnapshot.objects.bulk_create(snapshots)
        Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(metrics_polled_at=now())
    return len(snapshots)
