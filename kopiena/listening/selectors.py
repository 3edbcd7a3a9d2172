"""Reads of listening: tenant rows only through ``access_*``; the page's lists and charts.

The charts read the rollups (``HourlyVolume``, ``AuthorStat``, ``DomainStat``) the store step keeps, and the
mentions list pages by keyset on (published_at, id) — never OFFSET — so the first and the 500th page cost
the same at a million mentions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Trunc
from django.utils import timezone

from kopiena.core.clock import now
from kopiena.listening.models import (
    AuthorStat,
    DomainStat,
    HourlyVolume,
    ListeningQuery,
    ListeningSource,
    Mention,
    SpamReview,
)
from kopiena.teams.models import Workspace
from kopiena.teams.selectors import Access, access_scoped

PAGE_SIZE = 50


def access_query(*, access: Access, pk) -> ListeningQuery:
    return access_scoped(access=access, queryset=ListeningQuery.objects.all(), pk=pk)


def access_source(*, access: Access, pk) -> ListeningSource:
    return access_scoped(access=access, queryset=ListeningSource.objects.all(), pk=pk)


def access_mention(*, access: Access, pk) -> Mention:
    return access_scoped(access=access, queryset=Mention.objects.select_related("source"), pk=pk)


def queries_of(*, workspace: Workspace) -> QuerySet[ListeningQuery]:
    return ListeningQuery.objects.filter(workspace=workspace).prefetch_related("sources")


@dataclass(frozen=True)
class MentionFilter:
    query_id: int | None = None
    source_id: int | None = None
    language: str = ""
    sentiment: str = ""
    since: datetime | None = None
    until: datetime | None = None
    spam: bool = False  # True: only the spam review list


def mentions_filtered(*, workspace: Workspace, filters: MentionFilter = MentionFilter()) -> QuerySet[Mention]:
    mentions = Mention.objects.filter(workspace=workspace)
    if filters.spam:
        mentions = mentions.filter(spam_review=SpamReview.PENDING)
    else:
        mentions = mentions.exclude(spam_review__in=[SpamReview.PENDING, SpamReview.CONFIRMED])
    if filters.query_id:
        mentions = mentions.filter(matches__query_id=filters.query_id)
    if filters.source_id:
        mentions = mentions.filter(source_id=filters.source_id)
    if filters.language:
        mentions = mentions.filter(language=filters.language)
    if filters.sentiment:
        mentions = mentions.filter(sentiment=filters.sentiment)
    if filters.since:
        mentions = mentions.filter(published_at__gte=filters.since)
    if filters.until:
        mentions = mentions.filter(published_at__lt=filters.until)
    return mentions


def encode_cursor(mention: Mention) -> str:
    return f"{mention.published_at.timestamp():.6f}_{mention.pk}"


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        stamp, pk = cursor.split("_", 1)
        return datetime.fromtimestamp(float(stamp), tz=UTC), int(pk)
    except (ValueError, OverflowError, OSError):
        return None


def mentions_page(
    *, workspace: Workspace, filters: MentionFilter = MentionFilter(), after: str = "", size: int = PAGE_SIZE
) -> tuple[list[Mention], str]:
    """One page newest first, and the cursor of the next page ("" at the end). A bad cursor: page one."""
    mentions = mentions_filtered(workspace=workspace, filters=filters)
    position = decode_cursor(after) if after else None
    if position is not None:
        at, pk = position
        # The first condition alone bounds the index range scan (workspace, published_at, id); the OR on
        # its own made PostgreSQL read every row above the cursor (450 ms for a deep page at 280k).
        mentions = mentions.filter(Q(published_at__lte=at) & (Q(published_at__lt=at) | Q(pk__lt=pk)))
    rows = list(mentions.select_related("source").order_by("-published_at", "-pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, encode_cursor(rows[-1]) if more and rows else ""


def volume_series(
    *, workspace: Workspace, query_ids: Iterable[int], days: int = 90, at: datetime | None = None
) -> dict[int, list[dict]]:
    """Per query (0: all mentions) one point per local day (the current time zone): mentions and how many
    were negative/neutral/positive, summed from the hourly rollup (at most 24 × days rows per query,
    whatever the number of mentions).

    PostgreSQL groups by day itself (native date_trunc). On SQLite date truncation is a Python function
    called per row through Django's converters (80 ms for 8,640 hours), so the hours are read as text
    and summed here."""
    since = (at or now()) - timedelta(days=days)
    zone = timezone.get_current_timezone()
    hours = HourlyVolume.objects.filter(workspace=workspace, query_key__in=list(query_ids), hour__gte=since)
    series: dict[int, list[dict]] = {}
    if connection.vendor == "postgresql":
        rows = (
            hours.annotate(day=Trunc("hour", "day", tzinfo=zone))
            .values("query_key", "day")
            .annotate(mentions=Sum("mentions"), negative=Sum("negative"), neutral=Sum("neutral"),
                      positive=Sum("positive"))
            .order_by("query_key", "day")
        )  # fmt: skip
        for row in rows:
            series.setdefault(row["query_key"], []).append(row)
        return series
    sql, params = hours.values_list(
        "query_key", "hour", "mentions", "negative", "neutral", "positive"
    ).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = cursor.fetchall()
    buckets: dict[tuple[int, datetime], list[int]] = {}
    day_of: dict[str, datetime] = {}
    for key, hour, mentions, negative, neutral, positive in raw:
        day = day_of.get(hour)
        if day is None:
            moment = hour if isinstance(hour, datetime) else datetime.fromisoformat(hour)
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            day = day_of[hour] = moment.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        sums = buckets.setdefault((key, day), [0, 0, 0, 0])
        sums[0] += mentions
        sums[1] += negative
        sums[2] += neutral
        sums[3] += positive
    for (key, day), (mentions, negative, neutral, positive) in sorted(buckets.items()):
        series.setdefault(key, []).append(
            {"query_key": key, "day": day, "mentions": mentions, "negative": negative, "neutral": neutral,
             "positive": positive}
        )  # fmt: skip
    return series


def share_of_voice(
    *, workspace: Workspace, days: int = 30, at: datetime | None = None
) -> list[tuple[str, int]]:
    """(query name, mentions) over the period, loudest first."""
    names = dict(ListeningQuery.objects.filter(workspace=workspace).values_list("pk", "name"))
    since = (at or now()) - timedelta(days=days)
    totals = (
        HourlyVolume.objects.filter(workspace=workspace, query_key__in=list(names), hour__gte=since)
        .values("query_key")
        .annotate(total=Sum("mentions"))
        .order_by("-total")
    )
    return [(names[row["query_key"]], row["total"]) for row in totals]


def top_authors(*, workspace: Workspace, limit: int = 10) -> list[AuthorStat]:
    return list(AuthorStat.objects.filter(workspace=workspace).order_by("-mentions", "handle")[:limit])


def top_domains(*, workspace: Workspace, limit: int = 10) -> list[DomainStat]:
    return list(DomainStat.objects.filter(workspace=workspace).order_by("-mentions", "domain")[:limit])
