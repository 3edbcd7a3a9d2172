"""Daily account snapshots: followers, following and posts of every active account whose platform gives
them (``Capability.ACCOUNT_STATS``), one ``AccountSnapshot`` per account and workspace-local day."""

from __future__ import annotations

import logging

from django.db import transaction

from kopiena.analytics.models import AccountSnapshot
from kopiena.connectors import errors, registry
from kopiena.connectors.capabilities import Capability
from kopiena.core.clock import now
from kopiena.core.zones import zone_of
from kopiena.integrations.models import AccountStatus, ConnectedAccount
from kopiena.publishing import platform

logger = logging.getLogger("kopiena.analytics.accounts")


def account_snapshots_poll(*, limit: int = 500) -> int:
    """Read today's audience figures of active accounts that have no snapshot for today yet. One failing
    account is logged and skipped (it is tried again on the next run). Returns snapshots written."""
    written = 0
    accounts = ConnectedAccount.objects.filter(status=AccountStatus.ACTIVE).select_related("workspace")
    for account in accounts.order_by("pk")[:limit]:
        try:
            if not platform.connector_class(account).supports(Capability.ACCOUNT_STATS):
                continue
        except registry.RegistryError:
            logger.warning("account %s: no connector for platform %r", account.pk, account.platform)
            continue
        today = now().astimezone(zone_of(account.workspace.timezone)).date()
        if AccountSnapshot.objects.filter(account=account, day=today).exists():
            continue
        try:
            stats = platform.connector_for(account).fetch_account_stats()
        except errors.ConnectorError as exc:
            logger.warning("audience of account %s not read: %s", account.pk, exc.message)
            continue
        account_snapshot_record(
            account=account, day=today, taken_at=stats.collected_at,
            followers=stats.followers, following=stats.following, posts=stats.posts,
        )  # fmt: skip
        written += 1
    return written


@transaction.atomic
def account_snapshot_record(
    *,
    account: ConnectedAccount,
    day,
    taken_at,
    followers: int | None,
    following: int | None,
    posts: int | None,
) -> AccountSnapshot:
    """Store the day's reading (a second reading the same day replaces the first)."""
    snapshot, _created = AccountSnapshot.objects.update_or_create(
        account=account,
        day=day,
        defaults={
            "workspace_id": account.workspace_id,
            "taken_at": taken_at,
            "followers": followers,
            "following": following,
            "posts": posts,
        },
    )
    return snapshot
