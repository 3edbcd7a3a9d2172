"""Incremental rollups: the tables every analytics chart reads (``PostStat``, ``EngagementDay``,
``ResponseDay``, ``SentimentDay``), kept up to date from their sources by ``rollups_refresh``.

Each source has a cursor (``RollupCursor``): new metric snapshots and published deliveries, answered SLA
clocks and new inbox items since the last run name the (account, local day) pairs they touch, and only
those days are recomputed from the source — deleting the day's rollup rows and writing them again, so a
run is idempotent and may overlap the previous one. Days are the workspace's local dates (``Workspace.
timezone``), so a post at 00:30 in Riga belongs to that Riga day in winter and in summer alike.
``rollups_rebuild`` recomputes one workspace from scratch (after an import or a deleted post).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum

from kopiena.analytics.models import (
    EngagementDay,
    MetricSnapshot,
    PostStat,
    ResponseDay,
    RollupCursor,
    SentimentDay,
)
from kopiena.core.clock import now
from kopiena.core.zones import zone_of
from kopiena.inbox.models import AppliedSla, Item, Reply, ReplyState, SlaEvent, SlaEventKind
from kopiena.publishing.models import Delivery, DeliveryState
from kopiena.teams.models import Membership, Workspace

CHUNK = 500
OVERLAP = timedelta(minutes=5)  # re-read this much before a time cursor: late commits are not missed


class _Zones(dict):
    """Workspace id → its ZoneInfo, read once per run."""

    def __missing__(self, workspace_id: int) -> ZoneInfo:
        name = Workspace.objects.filter(pk=workspace_id).values_list("timezone", flat=True).first()
        self[workspace_id] = zone = zone_of(name)
        return zone


def day_window(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[local midnight of ``day``, the next local midnight): 23 or 25 hours on DST days."""
    since = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    return since, datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)


def _cursor(name: str) -> RollupCursor:
    cursor, _created = RollupCursor.objects.select_for_update().get_or_create(name=name)
    return cursor


def rollups_refresh(*, batch: int = 20000) -> dict[str, int]:
    """Bring every rollup up to date with what arrived since the last run. Returns how many source rows
    each part read (``snapshots``, ``deliveries``, ``slas``, ``items``: a part that read ``batch`` rows
    has more waiting) and how many days it recomputed."""
    result: dict[str, int] = {}
    result.update(_refresh_posts(batch))
    result.update(_refresh_responses(batch))
    result.update(_refresh_sentiment(batch))
    return result


def _time_keyset(qs, cursor: RollupCursor, batch: int, *fields: str) -> list[tuple]:
    """Rows of ``qs`` after the cursor's (updated_at, pk), oldest first, at most ``batch``; then moves the
    cursor. Once caught up, the cursor stays ``OVERLAP`` behind the present, so a row whose transaction
    committed late (with an earlier ``updated_at``) is still read; recomputing a day is idempotent."""
    if cursor.last_at is not None:
        qs = qs.filter(Q(updated_at__gt=cursor.last_at) | Q(updated_at=cursor.last_at, pk__gt=cursor.last_id))
    rows = list(qs.order_by("updated_at", "pk").values_list("updated_at", "pk", *fields)[:batch])
    if rows:
        cursor.last_at, cursor.last_id = rows[-1][0], rows[-1][1]
        horizon = now() - OVERLAP
        if len(rows) < batch and cursor.last_at > horizon:
            cursor.last_at, cursor.last_id = horizon, 0
        cursor.save(update_fields=["last_at", "last_id"])
    return rows


def rollups_rebuild(*, workspace: Workspace) -> dict[str, int]:
    """Recompute every rollup of one workspace from its sources."""
    zone = zone_of(workspace.timezone)
    # First catch up with every source, so rows already counted are not added again after the rebuild.
    while any(
        n for key, n in rollups_refresh().items() if key in ("snapshots", "deliveries", "sla_events", "items")
    ):
        pass
    with transaction.atomic():
        PostStat.objects.filter(workspace=workspace).delete()
        EngagementDay.objects.filter(workspace=workspace).delete()
        ids = Delivery.objects.filter(workspace=workspace, state=DeliveryState.PUBLISHED).values_list(
            "pk", flat=True
        )
        keys = _post_stats_update(list(ids))
        _engagement_days_update(keys)
        sla_days = {
            (workspace.pk, at.astimezone(zone).date())
            for at in AppliedSla.objects.filter(workspace=workspace, stopped_at__isnull=False).values_list(
                "stopped_at", flat=True
            )
        }
        ResponseDay.objects.filter(workspace=workspace).delete()
        _response_days_update(sla_days)
        item_days = {
            (workspace.pk, account_id, at.astimezone(zone).date())
            for account_id, at in Item.objects.filter(workspace=workspace).values_list(
                "account_id", "remote_created_at"
            )
        }
        SentimentDay.objects.filter(workspace=workspace).delete()
        _sentiment_days_update(item_days)
    return {"engagement_days": len(keys), "response_days": len(sla_days), "sentiment_days": len(item_days)}


# Posts ---------------------------------------------------------------------------------------------


@transaction.atomic
def _refresh_posts(batch: int) -> dict[str, int]:
    snapshots = _cursor("snapshots")
    new = list(
        MetricSnapshot.objects.filter(pk__gt=snapshots.last_id)
        .order_by("pk")
        .values_list("pk", "delivery_id")[:batch]
    )
    delivery_ids = {delivery_id for _pk, delivery_id in new}
    # Deliveries whose stat must appear (published, none yet: also those a platform never measures) or
    # go (no longer published: taken down, cancelled). Counter changes arrive as snapshots above.
    changed = _time_keyset(
        Delivery.objects.filter(
            Q(state=DeliveryState.PUBLISHED, published_at__isnull=False, stat__isnull=True)
            | (~Q(state=DeliveryState.PUBLISHED) & Q(stat__isnull=False))
        ),
        _cursor("deliveries"),
        batch,
    )
    delivery_ids.update(pk for _at, pk in changed)
    keys = _post_stats_update(sorted(delivery_ids))
    _engagement_days_update(keys)
    if new:
        snapshots.last_id = new[-1][0]
        snapshots.save(update_fields=["last_id"])
    return {"snapshots": len(new), "deliveries": len(changed), "engagement_days": len(keys)}


def _post_stats_update(delivery_ids: list[int]) -> set[tuple[int, int, date]]:
    """Rewrite the ``PostStat`` of these deliveries from their latest snapshot; returns the (workspace,
    account, day) pairs whose ``EngagementDay`` rows are now stale (old and new days alike)."""
    zones = _Zones()
    keys: set[tuple[int, int, date]] = set()
    latest = (
        MetricSnapshot.objects.filter(delivery=OuterRef("pk")).order_by("-taken_at", "-pk").values("pk")[:1]
    )
    for start in range(0, len(delivery_ids), CHUNK):
        chunk = delivery_ids[start : start + CHUNK]
        keys.update(
            PostStat.objects.filter(delivery_id__in=chunk).values_list("workspace_id", "account_id", "day")
        )
        rows = list(
            Delivery.objects.filter(pk__in=chunk, state=DeliveryState.PUBLISHED, published_at__isnull=False)
            .annotate(snapshot_id=Subquery(latest))
            .values(
                "pk", "workspace_id", "account_id", "post_id", "published_at", "snapshot_id",
                "post__content_type", "post__theme",
            )
        )  # fmt: skip
        readings = MetricSnapshot.objects.in_bulk([r["snapshot_id"] for r in rows if r["snapshot_id"]])
        stats = []
        for row in rows:
            local = row["published_at"].astimezone(zones[row["workspace_id"]])
            reading = readings.get(row["snapshot_id"])
            likes, reposts, replies = (
                (reading.likes or 0, reading.reposts or 0, reading.replies or 0) if reading else (0, 0, 0)
            )
            stats.append(
                PostStat(
                    workspace_id=row["workspace_id"],
                    account_id=row["account_id"],
                    delivery_id=row["pk"],
                    post_id=row["post_id"],
                    published_at=row["published_at"],
                    day=local.date(),
                    weekday=local.weekday(),
                    hour=local.hour,
                    content_type=row["post__content_type"],
                    theme=row["post__theme"][:80],
                    likes=likes,
                    reposts=reposts,
                    replies=replies,
                    views=reading.views if reading else None,
                    engagement=likes + reposts + replies,
                    taken_at=reading.taken_at if reading else None,
                )
            )
            keys.add((row["workspace_id"], row["account_id"], local.date()))
        PostStat.objects.filter(delivery_id__in=chunk).delete()
        PostStat.objects.bulk_create(stats)
    return keys


def _engagement_days_update(keys: Iterable[tuple[int, int, date]]) -> None:
    by_account: dict[tuple[int, int], list[date]] = defaultdict(list)
    for workspace_id, account_id, day in keys:
        by_account[(workspace_id, account_id)].append(day)
    for (workspace_id, account_id), days in by_account.items():
        days = sorted(set(days))
        for start in range(0, len(days), CHUNK):
            some = days[start : start + CHUNK]
            EngagementDay.objects.filter(account_id=account_id, day__in=some).delete()
            grouped = (
                PostStat.objects.filter(account_id=account_id, day__in=some)
                .values("day", "weekday", "hour", "content_type", "theme")
                .annotate(
                    n=Count("pk"),
                    n_measured=Count("pk", filter=Q(taken_at__isnull=False)),
                    n_likes=Sum("likes"),
                    n_reposts=Sum("reposts"),
                    n_replies=Sum("replies"),
                    n_engagement=Sum("engagement"),
                    n_views=Sum("views"),
                    n_with_views=Count("pk", filter=Q(views__isnull=False)),
                )
                .order_by()
            )
            EngagementDay.objects.bulk_create(
                EngagementDay(
                    workspace_id=workspace_id,
                    account_id=account_id,
                    day=g["day"],
                    weekday=g["weekday"],
                    week=g["day"] - timedelta(days=g["weekday"]),
                    hour=g["hour"],
                    content_type=g["content_type"],
                    theme=g["theme"],
                    posts=g["n"],
                    measured=g["n_measured"],
                    likes=g["n_likes"] or 0,
                    reposts=g["n_reposts"] or 0,
                    replies=g["n_replies"] or 0,
                    engagement=g["n_engagement"] or 0,
                    views=g["n_views"] or 0,
                    posts_with_views=g["n_with_views"],
                )
                for g in grouped
            )


# Response times --------------------------------------------------------------------------------------


@transaction.atomic
def _refresh_responses(batch: int) -> dict[str, int]:
    """Answers are read from the SLA clocks' append-only event log (``met`` / ``answered_late``, one per
    answer), so each is added once to its day's row."""
    cursor = _cursor("sla_events")
    events = list(
        SlaEvent.objects.filter(pk__gt=cursor.last_id, kind__in=[SlaEventKind.MET, SlaEventKind.ANSWERED_LATE])
        .order_by("pk")
        .annotate(person=Subquery(_answerer("sla__thread_id", "sla__started_at")))
        .values_list(
            "pk", "sla__workspace_id", "sla__thread__account_id", "sla__kind", "person", "sla__thread__language",
            "sla__thread__kind", "sla__answer_seconds", "sla__target_seconds", "at",
        )[:batch]
    )  # fmt: skip
    zones = _Zones()
    roles: dict[int, dict[str, str]] = {}
    totals: dict[tuple, list[float]] = defaultdict(lambda: [0, 0.0, 0])
    for _pk, ws, account_id, kind, person, language, item_kind, seconds, target, at in events:
        if seconds is None:
            continue
        if ws not in roles:
            roles[ws] = _roles(ws)
        person = (person or "")[:150]
        key = (ws, account_id, at.astimezone(zones[ws]).date(), kind, person, roles[ws].get(person, ""),
               language or "", item_kind or "")  # fmt: skip
        total = totals[key]
        total[0] += 1
        total[1] += seconds
        total[2] += seconds <= target
    _response_days_add(totals)
    _response_totals_update({(key[0], key[2]) for key in totals})
    if events:
        cursor.last_id = events[-1][0]
        cursor.save(update_fields=["last_id"])
    return {"sla_events": len(events), "response_days": len({key[:3] for key in totals})}


def _answerer(thread_ref: str, started_ref: str):
    """The person whose sent reply stopped the clock: the first reply sent in the thread after it started."""
    return (
        Reply.objects.filter(
            item__thread=OuterRef(thread_ref), state=ReplyState.SENT, sent_at__gte=OuterRef(started_ref)
        )
        .order_by("sent_at")
        .values("author__username")[:1]
    )


def _roles(workspace_id: int) -> dict[str, str]:
    return dict(Membership.objects.filter(workspace_id=workspace_id).values_list("user__username", "role"))


_RESPONSE_KEY = ("workspace_id", "account_id", "day", "sla_kind", "person", "role", "language", "item_kind")


def _response_days_add(totals: dict[tuple, list[float]]) -> None:
    if not totals:
        return
    accounts = {key[1] for key in totals}
    days = {key[2] for key in totals}
    existing = {
        tuple(getattr(row, f) for f in _RESPONSE_KEY): row
        for row in ResponseDay.objects.filter(account_id__in=accounts, day__in=days)
    }
    changed, new = [], []
    for key, (answered, seconds, within) in totals.items():
        row = existing.get(key)
        if row is None:
            new.append(ResponseDay(**dict(zip(_RESPONSE_KEY, key, strict=True)), answered=answered,
                                   seconds=seconds, within_target=within))  # fmt: skip
        else:
            row.answered += answered
            row.seconds += seconds
            row.within_target += within
            changed.append(row)
    # batch_size: PostgreSQL takes at most 65,535 parameters a statement (a 20,000-event batch went over)
    ResponseDay.objects.bulk_update(changed, ["answered", "seconds", "within_target"], batch_size=1000)
    ResponseDay.objects.bulk_create(new)


def _response_days_update(keys: Iterable[tuple[int, date]]) -> None:
    keys = sorted(set(keys))
    zones = _Zones()
    roles: dict[int, dict[str, str]] = {}
    answerer = _answerer("thread_id", "started_at")
    for workspace_id, day in keys:
        if workspace_id not in roles:
            roles[workspace_id] = _roles(workspace_id)
        since, until = day_window(day, zones[workspace_id])
        rows = (
            AppliedSla.objects.filter(
                workspace_id=workspace_id,
                stopped_at__gte=since,
                stopped_at__lt=until,
                answer_seconds__isnull=False,
            )
            .annotate(person=Subquery(answerer))
            .values_list(
                "thread__account_id", "kind", "person", "thread__language", "thread__kind",
                "answer_seconds", "target_seconds",
            )
        )  # fmt: skip
        totals: dict[tuple, list[float]] = defaultdict(lambda: [0, 0.0, 0])
        for account_id, kind, person, language, item_kind, seconds, target in rows:
            person = person or ""
            total = totals[
                (account_id, kind, person, roles[workspace_id].get(person, ""), language, item_kind)
            ]
            total[0] += 1
            total[1] += seconds
            total[2] += seconds <= target
        ResponseDay.objects.filter(workspace_id=workspace_id, day=day).delete()
        ResponseDay.objects.bulk_create(
            ResponseDay(
                workspace_id=workspace_id,
                account_id=account_id,
                day=day,
                sla_kind=kind,
                person=person[:150],
                role=role,
                language=language or "",
                item_kind=item_kind or "",
                answered=answered,
                seconds=seconds,
                within_target=within,
            )
            for (account_id, kind, person, role, language, item_kind), (
                answered,
                seconds,
                within,
            ) in totals.items()
        )
    _response_totals_update(keys)


# Sentiment -----------------------------------------------------------------------------------------------


@transaction.atomic
def _refresh_sentiment(batch: int) -> dict[str, int]:
    """New inbox items (by id) are counted into their day's row: each item is added once, as it was
    classified when it arrived (a later reclassification shows after ``rollups_rebuild``)."""
    cursor = _cursor("items")
    rows = list(
        Item.objects.filter(pk__gt=cursor.last_id)
        .order_by("pk")
        .values_list("pk", "workspace_id", "account_id", "remote_created_at", "sentiment")[:batch]
    )
    zones = _Zones()
    counts: Counter = Counter(
        (ws, account, at.astimezone(zones[ws]).date(), sentiment or "")
        for _pk, ws, account, at, sentiment in rows
    )
    if counts:
        existing = {
            (row.workspace_id, row.account_id, row.day, row.sentiment): row
            for row in SentimentDay.objects.filter(
                account_id__in={key[1] for key in counts}, day__in={key[2] for key in counts}
            )
        }
        changed = []
        for key, n in counts.items():
            if key in existing:
                existing[key].items += n
                changed.append(existing[key])
        SentimentDay.objects.bulk_update(changed, ["items"], batch_size=1000)
        SentimentDay.objects.bulk_create(
            SentimentDay(workspace_id=ws, account_id=account, day=day, sentiment=sentiment, items=n)
            for (ws, account, day, sentiment), n in counts.items()
            if (ws, account, day, sentiment) not in existing
        )
        _sentiment_totals_update({(key[0], key[2]) for key in counts})
        cursor.last_id = rows[-1][0]
        cursor.save(update_fields=["last_id"])
    return {"items": len(rows), "sentiment_days": len({key[:3] for key in counts})}


def _sentiment_days_update(keys: Iterable[tuple[int, int, date]]) -> None:
    keys = sorted(set(keys))
    zones = _Zones()
    for workspace_id, account_id, day in keys:
        since, until = day_window(day, zones[workspace_id])
        counts = (
            Item.objects.filter(
                account_id=account_id, remote_created_at__gte=since, remote_created_at__lt=until
            )
            .values("sentiment")
            .annotate(n=Count("pk"))
            .order_by()
        )
        SentimentDay.objects.filter(account_id=account_id, day=day).delete()
        SentimentDay.objects.bulk_create(
            SentimentDay(
                workspace_id=workspace_id,
                account_id=account_id,
                day=day,
                sentiment=c["sentiment"],
                items=c["n"],
            )
            for c in counts
        )
    _sentiment_totals_update({(workspace_id, day) for workspace_id, _account_id, day in keys})


# Workspace totals ----------------------------------------------------------------------------------------
# The rows without an account: a whole-workspace chart reads one row per day and dimension instead of
# summing every account's rows (SQLite needs 0.3–0.5 s to sum 300,000 of them).

_RESPONSE_DIMENSIONS = ("sla_kind", "person", "role", "language", "item_kind")


def _response_totals_update(keys: Iterable[tuple[int, date]]) -> None:
    _totals_update(ResponseDay, _RESPONSE_DIMENSIONS, ("answered", "seconds", "within_target"), keys)


def _sentiment_totals_update(keys: Iterable[tuple[int, date]]) -> None:
    _totals_update(SentimentDay, ("sentiment",), ("items",), keys)


def _totals_update(
    model, dimensions: tuple[str, ...], sums: tuple[str, ...], keys: Iterable[tuple[int, date]]
):
    """Recompute the workspace rows of the given (workspace, day) pairs from that day's account rows."""
    days_of: dict[int, set[date]] = defaultdict(set)
    for workspace_id, day in keys:
        days_of[workspace_id].add(day)
    for workspace_id, days in days_of.items():
        ordered = sorted(days)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            of_days = model.objects.filter(workspace_id=workspace_id, day__in=chunk)
            of_days.filter(account__isnull=True).delete()
            rows = (
                of_days.filter(account__isnull=False)
                .values("day", *dimensions)
                .annotate(**{f"sum_{name}": Sum(name) for name in sums})
                .order_by()
            )
            model.objects.bulk_create(
                model(
                    workspace_id=workspace_id,
                    account=None,
                    day=row["day"],
                    **{name: row[name] for name in dimensions},
                    **{name: row[f"sum_{name}"] for name in sums},
                )
                for row in rows
            )
