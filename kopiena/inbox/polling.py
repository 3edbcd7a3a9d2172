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
from kopiena.inbox.models import Item
from kopiena.inbox.services import items_ingest, items_mark_deleted
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
STREAMED_POLL_EVERY_SECONDS = 600  # an account whose streaming connection is live: polling is the net
MAX_PAGES_PER_STREAM = 5
MAX_REMOVED_CHECKS_PER_POST = 40  # comments per post checked for deletion on each poll


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
        if stream_is_live(account):
            every = max(every, STREAMED_POLL_EVERY_SECONDS)
        if account.last_synced_at and account.last_synced_at > moment - timedelta(seconds=every):
            continue
        if cache.get(_pause_key(account)) or not inbox_capable(account.platform):
            continue
        due.append(account)
    return due


def _live_key(account_id: int) -> str:
    return f"inbox:stream-live:{account_id}"


def stream_is_live(account: ConnectedAccount) -> bool:
    """Whether this account's streaming connection (inbox.streaming) answered recently."""
    return bool(cache.get(_live_key(account.pk)))


def stream_mark_live(account_id: int, *, seconds: float) -> None:
    cache.set(_live_key(account_id), True, timeout=max(1, int(seconds)))


def stream_mark_down(account_id: int) -> None:
    cache.delete(_live_key(account_id))


def _own_posts_since(connector, since) -> dict[str, object]:
    """The signed-in account's own posts newer than ``since`` (asked by the platform's id for the account,
    which is what ``me()`` returns: the stored id may be a handle or, in the demo, a made-up name)."""
    posts: dict[str, object] = {}
    own_id = connector.me().external_id
    cursor = ""
    for _page in range(MAX_PAGES_PER_STREAM):  # newest first pages until past the window
        result = connector.fetch_account_posts(own_id, cursor=cursor)
        own = [p for p in result.page.items if p.created_at >= since]
        posts.update((p.external_id, p.created_at) for p in own)
        if not result.page.has_more or len(own) < len(result.page.items):
            break
        cursor = result.page.cursor
    return posts


def recent_post_ids(connector, account: ConnectedAccount) -> list[str]:
    """The account's posts whose comments are read on this poll, newest first: those we published within
    the policy's ``engagement.polling.window_days`` and — where the connector lists the account's own
    posts — those published outside Kopiena too, at most ``max_posts``."""
    from kopiena.policy.selectors import policy_current
    from kopiena.publishing.models import Delivery, DeliveryState

    polling = policy_current(workspace=account.workspace).engagement.polling
    since = now() - timedelta(days=polling.window_days)
    posts: dict[str, object] = dict(
        Delivery.objects.filter(
            account=account, state=DeliveryState.PUBLISHED, published_at__gte=since, remote_id__gt=""
        )
        .order_by("-published_at")
        .values_list("remote_id", "published_at")[: polling.max_posts]
    )
    if connector.supports(Capability.ACCOUNT_POSTS):
        try:
            posts.update(_own_posts_since(connector, since))
        except (AuthExpired, AccountDisconnected, RateLimited):
            raise
        except ConnectorError as exc:
            # The listing only adds posts written outside Kopiena: when it fails, the comments under what
            # we published are still read.
            logger.warning("account %s: its own posts could not be listed: %s", account.pk, exc)
    newest = sorted(posts.items(), key=lambda pair: pair[1], reverse=True)
    return [remote_id for remote_id, _at in newest[: polling.max_posts]]


def _streams(connector, account: ConnectedAccount) -> list[tuple[str, Callable[[str], Page], str]]:
    """(cursor name, fetch, the post whose comments it reads or "")."""
    streams: list[tuple[str, Callable[[str], Page], str]] = []
    if connector.supports(Capability.READ_MENTIONS):
        streams.append(("mentions", lambda cursor: connector.fetch_mentions(cursor=cursor), ""))
    if connector.supports(Capability.READ_MESSAGES):
        streams.append(("messages", lambda cursor: connector.fetch_messages(cursor=cursor), ""))
    if connector.supports(Capability.READ_COMMENTS):
        for post_id in recent_post_ids(connector, account):
            streams.append(
                (
                    f"comments:{post_id}"[:40],
                    lambda cursor, p=post_id: connector.fetch_comments(post_id=p, cursor=cursor),
                    post_id,
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


def _check_removed(connector, account: ConnectedAccount, post_id: str) -> None:
    """Mark comments under ``post_id`` that their authors deleted on the platform (kept, marked)."""
    stored = list(
        Item.objects.filter(
            Q(thread__post_external_id=post_id) | Q(parent_external_id=post_id),
            account=account,
            deleted_at__isnull=True,
        )
        .order_by("-remote_created_at")
        .values_list("external_id", flat=True)[:MAX_REMOVED_CHECKS_PER_POST]
    )
    if stored:
        removed = connector.fetch_removed(post_id=post_id, remote_ids=stored)
        if removed:
            items_mark_deleted(account=account, remote_ids=removed)


def account_poll(account: ConnectedAccount) -> int:
    """Read every stream of ``account`` from its stored cursor; returns how many new items arrived.

    AuthExpired/AccountDisconnected mark the account as needing a reconnect (a human is told);
    RateLimited pauses this account's polling for as long as the platform asks.
    """
    created = 0
    connector = connector_for(account)
    try:
        for stream, fetch, post_id in _streams(connector, account):
            for _ in range(MAX_PAGES_PER_STREAM):
                page = fetch(_cursor(account, stream))
                created += _store_page(account, stream, page)
                if not page.has_more:
                    break
            if post_id and connector.supports(Capability.EDITS):
                _check_removed(connector, account, post_id)
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
