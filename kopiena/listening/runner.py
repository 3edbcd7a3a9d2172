"""Running the sources: read each due feed once for every query, search each due account per query.

Network calls happen outside transactions; each page is stored and its cursor advanced in ONE
transaction (a crash never skips items; a page read twice is deduped). One source's trouble — a dead feed,
a TLS error, a 50 MB answer, garbage XML, a platform answering 429, even a bug — is recorded on that
source (clear error, backoff) and never stops the others.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from kopiena.connectors.errors import (
    AccountDisconnected,
    AddressNotAllowed,
    AuthExpired,
    ConnectorError,
    RateLimited,
)
from kopiena.connectors.rss.connector import RssConnector
from kopiena.connectors.rss.mappers import FeedCursor
from kopiena.connectors.types import AccountCredentials, Page
from kopiena.core.clock import now
from kopiena.listening.models import ListeningQuery, ListeningSource, SourceCursor, SourceKind
from kopiena.listening.query_language import QuerySyntaxError, parse, search_terms
from kopiena.listening.store import compiled_queries, mentions_store

logger = logging.getLogger(__name__)

FEED_EVERY_SECONDS = 15 * 60
SEARCH_EVERY_SECONDS = 5 * 60
SANDBOX_EVERY_SECONDS = 20  # the demo's sandbox feed and platform: mentions arrive within a minute
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 6 * 3600
MAX_PAGES = 3  # per query/term per run
# A query that matches everything (or a feed with 10,000 entries) stores at most this many new mentions
# per source and run; the rest arrives on the next runs (the cursor only advances over stored pages).
MAX_NEW_PER_RUN = 500
SOURCES_PER_RUN = 50


@dataclass
class RunReport:
    sources: int = 0
    created: int = 0
    errors: list[str] = field(default_factory=list)


def _is_sandbox(source: ListeningSource) -> bool:
    """The demo's local sandbox (a feed it serves, or its Mastodon account): polled often, on loopback."""
    from kopiena.sandbox.demo import SANDBOX_URL

    if source.kind == SourceKind.FEED:
        return source.feed_url.startswith(SANDBOX_URL + "/")
    return bool(source.account_id and source.account.is_sandbox)


def _interval(source: ListeningSource) -> int:
    if _is_sandbox(source):
        return SANDBOX_EVERY_SECONDS
    return FEED_EVERY_SECONDS if source.kind == SourceKind.FEED else SEARCH_EVERY_SECONDS


def _allow_loopback(source: ListeningSource) -> bool:
    return _is_sandbox(source) or settings.OUTBOUND_ALLOW_PRIVATE


def sources_due(moment=None) -> list[ListeningSource]:
    moment = moment or now()
    return list(
        ListeningSource.objects.filter(enabled=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=moment))
        .select_related("workspace", "account")
        .order_by("next_attempt_at", "pk")[:SOURCES_PER_RUN]
    )


def queries_for(source: ListeningSource) -> list[ListeningQuery]:
    """The enabled queries of the source's workspace that listen on it (no sources chosen: all)."""
    queries = ListeningQuery.objects.filter(workspace_id=source.workspace_id, enabled=True).prefetch_related(
        "sources"
    )
    return [q for q in queries if not q.sources.all() or any(s.pk == source.pk for s in q.sources.all())]


def human_error(exc: BaseException) -> str:
    """What the source-health list says, in the reader's language, with the platform's own words."""
    if isinstance(exc, AddressNotAllowed):
        return _("The address points into a private or local network; Kopiena does not fetch from there.")
    if isinstance(exc, RateLimited):
        return _("The platform asks us to slow down; next try in %(seconds)d seconds.") % {
            "seconds": exc.retry_after_seconds
        }
    if isinstance(exc, AuthExpired | AccountDisconnected):
        return _("The account needs reconnecting: %(reason)s") % {"reason": exc.message}
    if isinstance(exc, ConnectorError):
        return exc.message[:1000]
    return _("Unexpected error while reading this source (%(kind)s); the team has it in the log.") % {
        "kind": type(exc).__name__
    }


def _cursor_row(source: ListeningSource, query: ListeningQuery | None) -> SourceCursor:
    row, _ = SourceCursor.objects.get_or_create(source=source, query=query)
    return row


@transaction.atomic
def _store_page(source, row: SourceCursor, page: Page, queries, cursor_text: str, budget: int | None):
    result = mentions_store(source=source, items=page.items, queries=queries, limit=budget)
    row.cursor = cursor_text
    row.last_run_at = now()
    row.last_error = ""
    if source.kind == SourceKind.FEED:
        state = FeedCursor.load(page.cursor)
        row.etag, row.last_modified = state.etag[:255], state.modified[:64]
    row.save()
    return result


def _run_feed(source: ListeningSource, queries) -> int:
    row = _cursor_row(source, None)
    credentials = AccountCredentials(base_url=source.feed_url, account_key=f"listening-feed:{source.pk}")
    with RssConnector(credentials, allow_loopback=_allow_loopback(source)) as connector:
        page = connector.fetch_mentions(cursor=row.cursor)
    # No cap here: one feed answer is already bounded (RssConnector.MAX_FEED_BYTES) and its cursor moves
    # past every entry it held.
    result = _store_page(source, row, page, queries, page.cursor, None)
    return result.created


def _run_search(source: ListeningSource, queries: list[ListeningQuery]) -> int:
    from kopiena.integrations.connecting import connector_for
    from kopiena.integrations.services import account_credentials_refresh, account_mark_needs_reconnect

    created = 0
    compiled = compiled_queries(queries)
    connector = connector_for(source.account)
    try:
        for query, one in zip(queries, compiled, strict=True):
            try:
                terms = search_terms(parse(query.expression))
            except QuerySyntaxError:
                continue  # saved queries are checked when saved; an old one that no longer parses is skipped
            row = _cursor_row(source, query)
            try:
                cursors = json.loads(row.cursor) if row.cursor else {}
            except ValueError:
                cursors = {}
            for term in terms:
                for _ in range(MAX_PAGES):
                    page = connector.search(term, cursor=cursors.get(term, ""))
                    cursors[term] = page.cursor
                    budget = max(MAX_NEW_PER_RUN - created, 0)
                    result = _store_page(source, row, page, [one], json.dumps(cursors), budget)
                    created += result.created
                    if result.skipped:
                        _note_cap(row, result.skipped)
                    if not page.has_more or created >= MAX_NEW_PER_RUN:
                        break
    except (AuthExpired, AccountDisconnected) as exc:
        account_mark_needs_reconnect(account=source.account, error=str(exc))
        raise
    finally:
        account_credentials_refresh(account=source.account, updated=connector.updated_secrets())
        connector.close()
    return created


def _note_cap(row: SourceCursor, skipped: int) -> None:
    """A query that matches (nearly) everything: say so where the team looks, instead of storing it all."""
    row.last_error = _(
        "This query matched more than %(limit)d new posts in one run; %(skipped)d were skipped. "
        "Make it narrower (add words, or NOT …)."
    ) % {"limit": MAX_NEW_PER_RUN, "skipped": skipped}
    row.save(update_fields=["last_error", "updated_at"])


def source_record_success(source: ListeningSource, created: int) -> None:
    moment = now()
    ListeningSource.objects.filter(pk=source.pk).update(
        last_run_at=moment,
        last_success_at=moment,
        last_error="",
        consecutive_failures=0,
        next_attempt_at=moment + timedelta(seconds=_interval(source)),
    )


def source_record_failure(source: ListeningSource, exc: BaseException) -> None:
    """Clear error, exponential backoff (RateLimited: exactly as long as the platform asks, at least)."""
    moment = now()
    failures = source.consecutive_failures + 1
    wait = min(BACKOFF_BASE_SECONDS * 2 ** min(failures - 1, 16), BACKOFF_MAX_SECONDS)
    if isinstance(exc, RateLimited):
        wait = max(exc.retry_after_seconds, 1.0)
    ListeningSource.objects.filter(pk=source.pk).update(
        last_run_at=moment,
        last_error=human_error(exc),
        last_error_at=moment,
        consecutive_failures=failures,
        next_attempt_at=moment + timedelta(seconds=wait),
    )


def _workspace_language(workspace) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    return next((code for code in workspace.languages or () if code in supported), settings.LANGUAGE_CODE)


def source_run(source: ListeningSource) -> int:
    """Read ``source`` for its queries; returns how many new mentions were stored. Raises on failure
    (after recording it on the source)."""
    queries = queries_for(source)
    try:
        if not queries:
            created = 0
        elif source.kind == SourceKind.FEED:
            created = _run_feed(source, queries)
        else:
            created = _run_search(source, queries)
    except Exception as exc:
        # Stored for the source-health list: written in the workspace's first language, whatever language
        # the worker thread last served.
        with translation.override(_workspace_language(source.workspace)):
            source_record_failure(source, exc)
        raise
    source_record_success(source, created)
    return created


def sources_run() -> RunReport:
    """Run every due source (the periodic task's body). Nothing one source does stops the others."""
    report = RunReport()
    for source in sources_due():
        report.sources += 1
        try:
            report.created += source_run(source)
        except ConnectorError as exc:
            logger.warning("listening source %s failed: %s", source.pk, exc)
            report.errors.append(f"{source.pk}: {type(exc).__name__}")
        except Exception as exc:  # a bug or a parser crash on one source: recorded, logged, the run goes on
            logger.exception("listening source %s crashed", source.pk)
            report.errors.append(f"{source.pk}: {type(exc).__name__}")
    return report
