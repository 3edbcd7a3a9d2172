"""CSV export of queries and mentions.

Every cell that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return)
gets a leading apostrophe: a mention's text is written by strangers, and "=HYPERLINK(…)" in a cell opened
in Excel is an attack (CSV/formula injection). Mentions stream in keyset batches, so exporting a million
rows holds one batch in memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db.models import Q

from kopiena.core import spreadsheets
from kopiena.listening.models import ListeningQuery, Mention
from kopiena.listening.selectors import MentionFilter, mentions_filtered

BATCH = 2000

QUERY_COLUMNS = ["id", "name", "expression", "languages", "excluded_authors", "excluded_domains", "sources",
                 "enabled", "alerts_enabled", "created_at"]  # fmt: skip
MENTION_COLUMNS = ["id", "published_at", "platform", "source", "author_handle", "author_name", "author_followers",
                   "is_follower", "language", "sentiment", "intents", "acute", "spam", "title", "text", "url",
                   "domain", "queries"]  # fmt: skip


def cell_safe(value) -> str:
    """The value as CSV text that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    return spreadsheets.cell_safe(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _rows_to_csv(header: list[str], rows: Iterator[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # Excel opens UTF-8 (Latvian and Russian text) correctly only with a BOM
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([cell_safe(v) for v in row])


def queries_csv(queries: list[ListeningQuery]) -> Iterator[str]:
    def rows():
        for q in queries:
            yield [q.pk, q.name, q.expression, q.languages, q.excluded_authors, q.excluded_domains,
                   [s.name for s in q.sources.all()], q.enabled, q.alerts_enabled, q.created_at.isoformat()]  # fmt: skip

    return _rows_to_csv(QUERY_COLUMNS, rows())


def mentions_csv(
    *, workspace, filters: MentionFilter | None = None, limit: int | None = None
) -> Iterator[str]:
    names = dict(ListeningQuery.objects.filter(workspace=workspace).values_list("pk", "name"))

    def rows():
        base = mentions_filtered(workspace=workspace, filters=filters or MentionFilter()).order_by(
            "-published_at", "-pk"
        )
        last = None
        sent = 0
        while True:
            batch = base
            if last is not None:
                at = last.published_at  # "<= at" bounds the index range; the OR alone scans everything above
                batch = base.filter(Q(published_at__lte=at) & (Q(published_at__lt=at) | Q(pk__lt=last.pk)))
            chunk: list[Mention] = list(
                batch.select_related("source")
                .prefetch_related("matches")
                .order_by("-published_at", "-pk")[:BATCH]
            )
            if not chunk:
                return
            for m in chunk:
                if limit is not None and sent >= limit:
                    return
                sent += 1
                yield [m.pk, m.published_at.isoformat(), m.platform, m.source.name, m.author_handle, m.author_name,
                       m.author_followers, m.is_follower, m.language, m.sentiment, m.intents, m.acute, m.spam,
                       m.title, m.text, m.url, m.domain,
                       [names.get(match.query_id, "") for match in m.matches.all()]]  # fmt: skip
            last = chunk[-1]

    return _rows_to_csv(MENTION_COLUMNS, rows())
