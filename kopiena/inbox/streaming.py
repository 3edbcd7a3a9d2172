"""Faster arrival (issue 12 item 10): platforms that push (Mastodon's streaming API) deliver mentions into
the inbox seconds after they are written; polling stays the safety net.

``StreamSupervisor`` runs in the worker process (``core.tasks_runtime.worker.Worker`` starts it when the
worker serves the ``ingest`` queue and ``KOPIENA_INBOX_STREAMING`` is on): one thread per active account
whose connector declares ``STREAMING``. Each thread holds the connection, hands every pushed item to
``items_ingest`` (the same dedupe on ``(account, external_id)`` as polls and webhooks, so an item that
arrives by two roads is stored once), marks removed ones deleted, and — while the connection answers —
marks the account's stream *live*, which stretches its polling interval (``polling.stream_is_live``).
When the connection fails it is opened again after a pause that doubles up to ``MAX_BACKOFF_SECONDS``
and the live mark is dropped at once, so polling takes over at its normal pace. A revoked or expired
token ends that account's stream (and marks the account for reconnecting, as polling does).

Several workers may run: an account's stream is claimed through the cache (``cache.add``, renewed while
it runs), so only one process holds each connection.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.core.cache import cache
from django.db import close_old_connections, connection

from kopiena.connectors.capabilities import Capability
from kopiena.connectors.errors import AccountDisconnected, AuthExpired, ConnectorError, RateLimited
from kopiena.integrations import platforms
from kopiena.integrations.connecting import connector_for
from kopiena.integrations.models import AccountStatus, ConnectedAccount
from kopiena.integrations.services import account_mark_needs_reconnect

logger = logging.getLogger(__name__)

FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 60.0
LIVE_SECONDS = 120.0  # a live mark lasts this long past the last byte (heartbeats come every ~30 s)
CLAIM_SECONDS = 180.0
RESCAN_SECONDS = 60.0  # how often the supervisor looks for newly connected or disconnected accounts


def streamable(platform: str) -> bool:
    return Capability.STREAMING.value in platforms.capability_names(platform)


def _claim_key(account_id: int) -> str:
    return f"inbox:stream-owner:{account_id}"


def stream_account(
    account_id: int,
    *,
    stop: threading.Event,
    on_event: Callable[[], None] | None = None,
    sleep: Callable[[float], bool] | None = None,
    before_connect: Callable[[], None] | None = None,
    on_connect: Callable[[object], None] | None = None,
) -> str:
    """Hold ``account_id``'s stream until ``stop`` is set or the account can no longer stream; returns why
    it ended (``stopped``, ``reconnect_needed``, ``inactive``). Reconnects with backoff on any other
    failure. ``on_event`` is called after each pushed event is stored; ``sleep(seconds)`` waits between
    attempts (returns True to stop); ``before_connect`` runs before each attempt (the supervisor's threads
    drop stale database connections there)."""
    from kopiena.inbox import polling
    from kopiena.inbox.services import items_ingest, items_mark_deleted

    wait = sleep or stop.wait
    backoff = FIRST_BACKOFF_SECONDS
    try:
        while not stop.is_set():
            if before_connect is not None:
                before_connect()
            account = (
                ConnectedAccount.objects.select_related("workspace")
                .filter(pk=account_id, status=AccountStatus.ACTIVE)
                .first()
            )
            if account is None or not streamable(account.platform):
                return "inactive"
            connector = connector_for(account)
            if on_connect is not None:
                on_connect(connector)
            try:
                for event in connector.stream_mentions(stop=stop.is_set):
                    polling.stream_mark_live(account.pk, seconds=LIVE_SECONDS)
                    cache.touch(_claim_key(account.pk), CLAIM_SECONDS)
                    backoff = FIRST_BACKOFF_SECONDS  # the connection works: next failure starts afresh
                    if not (event.items or event.removed_ids):
                        continue  # a heartbeat
                    # Read afresh for each event: the connection lives for hours, the policy (cached on
                    # the workspace object) and the account may change meanwhile.
                    current = ConnectedAccount.objects.select_related("workspace").get(pk=account.pk)
                    if event.items:
                        items_ingest(
                            account=current, remote_items=event.items, history_before=current.created_at
                        )
                    if event.removed_ids:
                        items_mark_deleted(account=current, remote_ids=event.removed_ids)
                    if on_event is not None:
                        on_event()
            except (AuthExpired, AccountDisconnected) as exc:
                polling.stream_mark_down(account.pk)
                account_mark_needs_reconnect(account=account, error=str(exc))
                return "reconnect_needed"
            except RateLimited as exc:
                polling.stream_mark_down(account.pk)
                backoff = max(backoff, exc.retry_after_seconds)
                logger.info("stream of account %s rate limited; again in %.0f s", account_id, backoff)
            except ConnectorError as exc:
                polling.stream_mark_down(account.pk)
                logger.info("stream of account %s ended (%s); again in %.0f s", account_id, exc, backoff)
            except Exception:
                polling.stream_mark_down(account.pk)
                logger.exception(
                    "stream of account %s failed unexpectedly; again in %.0f s", account_id, backoff
                )
            finally:
                connector.close()
            if wait(backoff):
                break
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
        return "stopped"
    finally:
        polling.stream_mark_down(account_id)


class StreamSupervisor:
    """Keeps one streaming thread per streamable active account (see the module docstring)."""

    def __init__(
        self,
        *,
        stop_event: threading.Event,
        rescan_seconds: float = RESCAN_SECONDS,
        runner: Callable[..., str] | None = None,
    ) -> None:
        self.stop_event = stop_event
        self.runner = runner or _stream_in_thread
        self.rescan_seconds = rescan_seconds
        self.threads: dict[int, threading.Thread] = {}
        self.connectors: dict[int, object] = {}  # the connector each thread reads through, to abort at stop

    def run(self) -> None:
        try:
            while not self.stop_event.is_set():
                try:
                    self.rescan()
                except Exception:
                    logger.exception("stream supervisor: looking for accounts failed")
                    _drop_stale_connection(close=True)
                if self.stop_event.wait(self.rescan_seconds):
                    break
        finally:
            for connector in list(self.connectors.values()):
                connector.http.abort_streams()  # wake blocked readers now, not at the next heartbeat
            for thread in self.threads.values():
                thread.join(timeout=5)
            _drop_stale_connection(close=True)

    def rescan(self) -> list[int]:
        """Start a thread for each streamable active account that has none (and no other process holds)."""
        _drop_stale_connection()
        self.threads = {pk: t for pk, t in self.threads.items() if t.is_alive()}
        started = []
        for account_id, platform in ConnectedAccount.objects.filter(status=AccountStatus.ACTIVE).values_list(
            "pk", "platform"
        ):
            if account_id in self.threads or not streamable(platform):
                continue
            if not cache.add(_claim_key(account_id), True, timeout=CLAIM_SECONDS):
                continue  # another worker holds it
            thread = threading.Thread(
                target=self._run_account, args=(account_id,), name=f"kopiena-stream-{account_id}", daemon=True
            )
            self.threads[account_id] = thread
            thread.start()
            started.append(account_id)
        return started

    def _run_account(self, account_id: int) -> None:
        try:
            outcome = self.runner(
                account_id,
                stop=self.stop_event,
                on_connect=lambda c: self.connectors.__setitem__(account_id, c),
            )
            logger.info("stream of account %s ended: %s", account_id, outcome)
        except Exception:
            logger.exception("stream of account %s failed", account_id)
        finally:
            cache.delete(_claim_key(account_id))
            _drop_stale_connection(close=True)


def _drop_stale_connection(*, close: bool = False) -> None:
    """Close this thread's database connection when it is stale (or always, ``close``) — never one that is
    inside a transaction or shared with another thread (tests run the supervisor on the test's own)."""
    if connection.in_atomic_block or connection.allow_thread_sharing:
        return
    if close:
        connection.close()
    else:
        close_old_connections()


def _stream_in_thread(account_id: int, *, stop: threading.Event, on_connect=None) -> str:
    return stream_account(account_id, stop=stop, before_connect=_drop_stale_connection, on_connect=on_connect)


def streaming_enabled() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "INBOX_STREAMING", True))


def supervisor_thread(stop_event: threading.Event) -> threading.Thread:
    supervisor = StreamSupervisor(stop_event=stop_event)
    return threading.Thread(target=supervisor.run, name="kopiena-streams", daemon=True)
