"""Polling connected accounts for new comments, mentions and messages (for platforms without webhooks,
and as the safety net for those with them).

Network calls happen outside transactions; each page is ingested and its cursor advanced in ONE
transaction, so a crash never skips items (at worst a page is read again and deduped).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kopiena.connectors.capabilities import Capability
from kopiena.connectors.errors import AccountDisconnected, AuthExpired, ConnectorError, RateLimited
from kopiena.connectors.types import Page
from kopiena.core.clock import now
from kopiena.inbox.services import items_ingest
from kopiena.integrations import platforms
from kopiena.integrations.connecting import connector_for
from kopiena.integrations.models import AccountStatus, ConnectedAccount, SyncCursor
from kopiena.integrations.services import (
    account_credentials_refresh,
    account_mark_needs_reconnect,
    account_sync_error_clear,
    account_sync_error_record,
)

logger = logging.getLogger(__name__)

POLL_EVERY_SECONDS = 120
SANDBOX_POLL_EVERY_SECONDS = 15  # the demo shows comments coming back within a minute
MAX_PAGES_PER_STREAM = 5
COMMENTS_OF_POSTS_DAYS = 3  # comments under posts published this recently are polled post by post
MAX_POSTS_PER_POLL = 10


@dataclass
class PollReport:
    accounts: int = 0
    items: int = 0
    errors: list[str] = field(default_factory=list)


def _pause_key(account: ConnectedAccount) -> str:
    return f"inbox:poll-paused:{account.pk}"


def inbox_capable(platform: str) -> bool:
    """Accounts whose conversations belong in the inbox: they can be read AND answered (feeds cannot)."""
    names = set(platforms.capability_names(platform))
    readable = {Capability.READ_COMMENTS, Capability.READ_MENTIONS, Capability.READ_MESSAGES}
    return Capability.REPLY.value in names and bool(names & {c.value for c in readable})


def accounts_due(moment=None) -> list[ConnectedAccount]:
    """Active inbox-capable accounts whose last poll is older than their interval (cheap when none)."""
    moment = moment or now()
    shortest = min(POLL_EVERY_SECONDS, SANDBOX_POLL_EVERY_SECONDS)
    candidates = ConnectedAccount.objects.filter(status=AccountStatus.ACTIVE).filter(
        Q(last_synced_at__isnull=True) | Q(last_synced_at__lte=moment - timedelta(seconds=shortest))
    )
    due = []
    for account in candidates.select_related("workspace"):
        every = SANDBOX_POLL_EVERY_SECONDS if account.is_sandbox else POLL_EVERY_SECONDS
        if account.last_synced_at and account.last_synced_at > moment - timedelta(seconds=every):
            continue
        if cache.get(_pause_key(account)) or not inbox_capable(account.platform):
            continue
        due.append(account)
    return due


def _recent_post_ids(account: ConnectedAccount) -> list[str]:
    from kopiena.publishing.models import Delivery, DeliveryState

    since = now() - timedelta(days=COMMENTS_OF_POSTS_DAYS)
    return list(
        Delivery.objects.filter(
            account=account, state=DeliveryState.PUBLISHED, published_at__gte=since, remote_id__gt=""
        )
        .order_by("-published_at")
        .values_list("remote_id", flat=True)[:MAX_POSTS_PER_POLL]
    )


def _streams(connector, account: ConnectedAccount) -> list[tuple[str, Callable[[str], Page]]]:
    streams: list[tuple[str, Callable[[str], Page]]] = []
    if connector.supports(Capability.READ_MENTIONS):
        streams.append(("mentions", lambda cursor: connector.fetch_mentions(cursor=cursor)))
    if connector.supports(Capability.READ_MESSAGES):
        streams.append(("messages", lambda cursor: connector.fetch_messages(cursor=cursor)))
    if connector.supports(Capability.READ_COMMENTS):
        for post_id in _recent_post_ids(account):
            streams.append(
                (
                    f"comments:{post_id}"[:40],
                    lambda cursor, p=post_id: connector.fetch_comments(post_id=p, cursor=cursor),
                )
            )
    return streams


def _cursor(account: ConnectedAccount, stream: str) -> str:
    return (
        SyncCursor.objects.filter(account=account, stream=stream).values_list("cursor", flat=True).first()
        or ""
    )


@transaction.atomic
def _store_page(account: ConnectedAccount, stream: str, page: Page) -> int:
    # Whatever was written before the account was connected (the first poll reads days back) is history:
    # stored, but no response clock (items_ingest).
    result = items_ingest(account=account, remote_items=page.items, history_before=account.created_at)
    SyncCursor.objects.update_or_create(
        account=account, stream=stream, defaults={"cursor": page.cursor[:255]}
    )
    return result.created


def account_poll(account: ConnectedAccount) -> int:
    """Read every stream of ``account`` from its stored cursor; returns how many new items arrived.

    AuthExpired/AccountDisconnected mark the account as needing a reconnect (a human is told);
    RateLimited pauses this account's polling for as long as the platform asks.
    """
    created = 0
    connector = connector_for(account)
    try:
        for stream, fetch in _streams(connector, account):
            for _ in range(MAX_PAGES_PER_STREAM):
                page = fetch(_cursor(account, stream))
                created += _store_page(account, stream, page)
                if not page.has_more:
                    break
    except (AuthExpired, AccountDisconnected) as exc:
        account_mark_needs_reconnect(account=account, error=str(exc))
        raise
    except RateLimited as exc:
        cache.set(_pause_key(account), True, timeout=max(1, int(exc.retry_after_seconds)))
        raise
    finally:
        account_credentials_refresh(account=account, updated=connector.updated_secrets())
        connector.close()
        ConnectedAccount.objects.filter(pk=account.pk).update(last_synced_at=now())
    return created


def accounts_poll() -> PollReport:
    """Poll every account that is due (the periodic task's body).

    One account's trouble never stops the others: its error is recorded on that account (shown in
    Settings → Accounts) and the run goes on. That includes a bug (anything not a ConnectorError): it is
    logged with its traceback for the administrators, and the account says reading failed."""
    report = PollReport()
    for account in accounts_due():
        report.accounts += 1
        try:
            report.items += account_poll(account)
        except (AuthExpired, AccountDisconnected, RateLimited) as exc:
            # Marked for reconnect / paused by account_poll already.
            logger.warning("inbox poll of account %s failed: %s", account.pk, exc)
            report.errors.append(f"{account.pk}: {type(exc).__name__}")
        except ConnectorError as exc:
            logger.warning("inbox poll of account %s failed: %s", account.pk, exc)
            report.errors.append(f"{account.pk}: {type(exc).__name__}")
            account_sync_error_record(account=account, error=exc.message)
        except Exception as exc:
            logger.exception("inbox poll of account %s failed unexpectedly", account.pk)
            report.errors.append(f"{account.pk}: {type(exc).__name__}")
            account_sync_error_record(
                account=account,
                error=_("Reading this account failed unexpectedly; the details are in the worker's log."),
            )
        else:
            account_sync_error_clear(account=account)
    return report
