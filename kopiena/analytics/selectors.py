"""Reports (reads only): how fast the team answers (M8) and what engages (M6, R12).

Response time is the first answer's delay after the person's first message, counted in business time
when the policy says so (the inbox's SLA clocks count the same way), so "6 hours" means 6 working hours.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Min, OuterRef, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from kopiena.analytics.cadence import CadenceLine, cadence_kept  # noqa: F401  (read from here by the pages)
from kopiena.analytics.models import (
    AccountSnapshot,
    EngagementDay,
    MetricSnapshot,
    PostStat,
    ResponseDay,
    SentimentDay,
)
from kopiena.core import business_time
from kopiena.core.clock import now
from kopiena.core.zones import zone_of
from kopiena.inbox.models import AppliedSla, Reply, ReplyState, Resolution, SlaKind, SlaStatus, Thread
from kopiena.integrations.models import ConnectedAccount
from kopiena.policy.selectors import business_calendar_for, policy_current
from kopiena.publishing.models import Delivery
from kopiena.teams.selectors import Access


def _window(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start's midnight, the midnight after ``end``) in the workspace's zone."""
    since = datetime.combine(start, datetime.min.time(), tzinfo=zone)
    return since, datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=zone)


@dataclass
class ResponseTimes:
    start: date
    end: date
    target_hours: float
    business_time: bool
    answered: int = 0
    average_hours: float | None = None
    median_hours: float | None = None
    p90_hours: float | None = None
    within_target_percent: float | None = None
    weeks: list[tuple[date, float, int]] = field(default_factory=list)  # (Monday, average hours, answered)
    people: list[tuple[str, float, int]] = field(default_factory=list)  # (name, average hours, answered)
    unanswered: int = 0
    # Next answers (the customer wrote again after our answer), from the inbox's SLA records.
    next_target_hours: float | None = None
    next_answered: int = 0
    next_average_hours: float | None = None
    next_within_target_percent: float | None = None
    next_overdue_now: int = 0
    # Conversations closed in the period by how they ended ("resolved" / "no reply needed"), and the
    # reasons given most often: (resolution label, count, [(reason, count), …]).
    closed: list[tuple[str, int, list[tuple[str, int]]]] = field(default_factory=list)


def response_times(*, access: Access, start: date, end: date) -> ResponseTimes:
    """First answers sent in [start, end] (workspace dates)."""
    workspace = access.workspace
    policy = policy_current(workspace=workspace)
    targets = policy.engagement.response_targets
    calendar = business_calendar_for(workspace=workspace)
    zone = ZoneInfo(calendar.timezone)
    since, until = _window(start, end, zone)
    first_reply_author = Subquery(
        Reply.objects.filter(item__thread=OuterRef("pk"), state=ReplyState.SENT)
        .order_by("sent_at")
        .values("author__username")[:1]
    )
    threads = (
        Thread.objects.filter(
            workspace=workspace, first_responded_at__gte=since, first_responded_at__lt=until
        )
        .annotate(first_message_at=Min("items__remote_created_at"), answered_by=first_reply_author)
        .values_list("first_message_at", "first_responded_at", "answered_by")
    )
    report = ResponseTimes(
        start=start,
        end=end,
        target_hours=targets.first_response_seconds / 3600,
        business_time=targets.business_time,
    )
    delays: list[float] = []
    by_week: dict[date, list[float]] = defaultdict(list)
    by_person: dict[str, list[float]] = defaultdict(list)
    for first_message_at, responded_at, answered_by in threads:
        began = min(first_message_at or responded_at, responded_at)
        seconds = (
            business_time.business_seconds_between(calendar, began, responded_at)
            if targets.business_time
            else (responded_at - began).total_seconds()
        )
        hours = seconds / 3600
        delays.append(hours)
        day = responded_at.astimezone(zone).date()
        by_week[day - timedelta(days=day.weekday())].append(hours)
        by_person[answered_by or "—"].append(hours)
    report.unanswered = Thread.objects.filter(
        workspace=workspace, first_responded_at__isnull=True, last_item_at__lt=until
    ).count()
    if delays:
        ordered = sorted(delays)
        report.answered = len(delays)
        report.average_hours = round(statistics.fmean(delays), 2)
        report.median_hours = round(statistics.median(delays), 2)
        report.p90_hours = round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 2)
        within = sum(1 for h in delays if h <= report.target_hours)
        report.within_target_percent = round(100 * within / len(delays), 1)
        report.weeks = [(week, round(statistics.fmean(v), 2), len(v)) for week, v in sorted(by_week.items())]
        report.people = sorted(
            ((name, round(statistics.fmean(v), 2), len(v)) for name, v in by_person.items()),
            key=lambda row: row[1],
        )
    _next_answers(report, workspace, since, until, at_most=targets.next_response_seconds)
    _closed(report, workspace, since, until)
    return report


def _next_answers(report: ResponseTimes, workspace, since: datetime, until: datetime, at_most) -> None:
    """Next answers given in the period: their business time to answer was measured by the SLA clock."""
    rows = list(
        AppliedSla.objects.filter(
            workspace=workspace,
            kind=SlaKind.NEXT,
            stopped_at__gte=since,
            stopped_at__lt=until,
            answer_seconds__isnull=False,
        ).values_list("answer_seconds", "target_seconds")
    )
    report.next_target_hours = at_most / 3600 if at_most else report.target_hours
    report.next_overdue_now = AppliedSla.objects.filter(
        workspace=workspace, kind=SlaKind.NEXT, state=SlaStatus.BREACHED, stopped_at__isnull=True
    ).count()
    if rows:
        report.next_answered = len(rows)
        report.next_average_hours = round(statistics.fmean(seconds for seconds, _t in rows) / 3600, 2)
        within = sum(1 for seconds, target in rows if seconds <= target)
        report.next_within_target_percent = round(100 * within / len(rows), 1)


def _closed(report: ResponseTimes, workspace, since: datetime, until: datetime) -> None:
    counts = (
        Thread.objects.filter(workspace=workspace, resolved_at__gte=since, resolved_at__lt=until)
        .exclude(resolution="")
        .values_list("resolution", "resolution_reason")
    )
    by_resolution: dict[str, Counter] = defaultdict(Counter)
    for resolution, reason in counts:
        by_resolution[resolution][reason] += 1
    labels = dict(Resolution.choices)
    report.closed = [
        (str(labels[key]), sum(reasons.values()), reasons.most_common(5))
        for key, reasons in sorted(by_resolution.items())
        if key in labels
    ]


@dataclass(frozen=True)
class EngagementRow:
    content_type: str
    posts: int
    likes: int
    reposts: int
    replies: int

    @property
    def per_post(self) -> float:
        return round((self.likes + self.reposts + self.replies) / self.posts, 1) if self.posts else 0.0


def engagement_by_content_type(*, access: Access, start: date, end: date) -> list[EngagementRow]:
    """The latest snapshot of each delivery published in [start, end], summed by the post's content type."""
    calendar = business_calendar_for(workspace=access.workspace)
    since, until = _window(start, end, ZoneInfo(calendar.timezone))
    latest = MetricSnapshot.objects.filter(delivery=OuterRef("pk")).order_by("-taken_at")
    rows = (
        Delivery.objects.filter(workspace=access.workspace, published_at__gte=since, published_at__lt=until)
        .annotate(
            likes=Subquery(latest.values("likes")[:1]),
            reposts=Subquery(latest.values("reposts")[:1]),
            replies=Subquery(latest.values("replies")[:1]),
        )
        .values_list("post__content_type", "likes", "reposts", "replies")
    )
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for content_type, likes, reposts, replies in rows:
        total = totals[content_type]
        total[0] += 1
        total[1] += likes or 0
        total[2] += reposts or 0
        total[3] += replies or 0
    result = [EngagementRow(ct, *values) for ct, values in totals.items()]
    return sorted(result, key=lambda row: -row.per_post)


# =====================================================================================================
# Numbers for the analytics pages, the REST API, exports and client reports.
#
# Every function below takes ``workspace`` (a ``teams.Workspace``), a period ``start``..``end`` (workspace
# local dates, both included) and optionally ``account_id`` (one connected account; an id of another
# workspace's account simply matches nothing). They read only the rollups (``analytics.rollups``), never
# raw snapshots or inbox items, so each is a handful of indexed queries whatever the history's size.
# Empty periods give empty lists / ``None`` figures, never errors; ``None`` means "not known" (no post,
# or the platform does not report it), which the pages show as "—" with a reason.
# =====================================================================================================

MAX_PERIOD_DAYS = 366 * 10 + 3  # ten years: longer periods are cut to this (the pages say so)


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before ``start`` (what every number is compared with)."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def bucket_of(start: date, end: date) -> str:
    """How a time series over the period is grouped: ``day`` up to 3 months, ``week`` up to 2 years,
    else ``month`` — a chart keeps at most ~120 points."""
    days = (end - start).days + 1
    return "day" if days <= 92 else "week" if days <= 731 else "month"


def bucket_start(day: date, bucket: str) -> date:
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def change_percent(current: float | None, previous: float | None) -> float | None:
    """Relative change in percent, ``None`` when either side is unknown or the previous one is 0."""
    if current is None or previous is None or previous == 0:
        return None
    return round(100 * (current - previous) / previous, 1)


@dataclass(frozen=True)
class Figure:
    """One headline number with the previous period's for comparison."""

    value: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        return change_percent(self.value, self.previous)


def _days(qs, workspace, start: date, end: date, account_id: int | None):
    qs = qs.filter(workspace=workspace, day__gte=start, day__lte=end)
    return qs.filter(account_id=account_id) if account_id else qs


def _total_days(qs, workspace, start: date, end: date, account_id: int | None):
    """``_days`` for the rollups that keep workspace totals (``ResponseDay``, ``SentimentDay``): one
    account's rows, or the rows without an account — never both, which would count everything twice."""
    if account_id:
        return _days(qs, workspace, start, end, account_id)
    return _days(qs, workspace, start, end, None).filter(account__isnull=True)


@dataclass(frozen=True)
class EngagementTotals:
    posts: int = 0  # published posts (deliveries)
    measured: int = 0  # of which the platform gave counters
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    engagement: int = 0
    views: int = 0
    posts_with_views: int = 0  # posts whose platform gives reach (views)

    @property
    def per_post(self) -> float | None:
        """Average engagement per measured post; ``None`` when no post was measured."""
        return round(self.engagement / self.measured, 1) if self.measured else None

    @property
    def views_per_post(self) -> float | None:
        """Average reach per post among posts whose platform reports it; ``None`` when none does."""
        return round(self.views / self.posts_with_views, 1) if self.posts_with_views else None

    @property
    def rate_percent(self) -> float | None:
        """Engagement per view (percent) over the posts that report views."""
        return round(100 * self.engagement / self.views, 2) if self.views else None


_SUMS = {
    "n_posts": Sum("posts"),
    "n_measured": Sum("measured"),
    "n_likes": Sum("likes"),
    "n_reposts": Sum("reposts"),
    "n_replies": Sum("replies"),
    "n_engagement": Sum("engagement"),
    "n_views": Sum("views"),
    "n_with_views": Sum("posts_with_views"),
}


def _totals(row: dict) -> EngagementTotals:
    return EngagementTotals(*(int(row.get(k) or 0) for k in _SUMS))


def engagement_totals(
    *, workspace, start: date, end: date, account_id: int | None = None
) -> EngagementTotals:
    """Posts published in the period and their engagement (latest counters of each post)."""
    return _totals(_days(EngagementDay.objects, workspace, start, end, account_id).aggregate(**_SUMS))


@dataclass(frozen=True)
class EngagementGroup:
    key: str | int | date
    totals: EngagementTotals
    previous: EngagementTotals | None = None


ENGAGEMENT_DIMENSIONS = ("content_type", "theme", "account", "weekday", "hour", "day")


def engagement_by(
    *, workspace, start: date, end: date, by: str, account_id: int | None = None, compare: bool = True
) -> list[EngagementGroup]:
    """Engagement grouped ``by`` one of ``ENGAGEMENT_DIMENSIONS`` (``account`` groups by account id; ``day``
    by the period's bucket, see ``bucket_of``), best engagement per post first (``day``: in time order).
    With ``compare`` each group carries the previous period's totals for the same key."""
    if by not in ENGAGEMENT_DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    field_name = "account_id" if by == "account" else by

    def grouped(first: date, last: date) -> dict:
        rows = (
            _days(EngagementDay.objects, workspace, first, last, account_id)
            .values(field_name)
            .annotate(**_SUMS)
            .order_by()
        )
        if by != "day":
            return {row[field_name]: _totals(row) for row in rows}
        bucket = bucket_of(start, end)
        merged: dict[date, EngagementTotals] = {}
        for row in rows:
            key = bucket_start(row["day"], bucket)
            merged[key] = _add(merged.get(key), _totals(row))
        return merged

    current = grouped(start, end)
    if by == "day":
        return [EngagementGroup(key, totals) for key, totals in sorted(current.items())]
    previous = grouped(*previous_period(start, end)) if compare else {}
    groups = [EngagementGroup(key, totals, previous.get(key)) for key, totals in current.items()]
    return sorted(groups, key=lambda g: (-(g.totals.per_post or -1), -g.totals.posts, str(g.key)))


def _add(a: EngagementTotals | None, b: EngagementTotals) -> EngagementTotals:
    if a is None:
        return b
    return EngagementTotals(*(getattr(a, f) + getattr(b, f) for f in EngagementTotals.__dataclass_fields__))


WEEKDAYS = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday"))


@dataclass(frozen=True)
class HeatCell:
    weekday: int  # 0 = Monday
    hour: int  # 0-23, workspace local time
    posts: int
    measured: int
    engagement: int

    @property
    def per_post(self) -> float | None:
        return round(self.engagement / self.measured, 1) if self.measured else None

    @property
    def weekday_label(self) -> str:
        return str(WEEKDAYS[self.weekday])


def engagement_heatmap(*, workspace, start: date, end: date, account_id: int | None = None) -> list[HeatCell]:
    """Weekday × hour cells (local time of publishing) with how many posts each rests on and their average
    engagement — only cells that had posts. The best time to post is read from here."""
    rows = (
        _days(EngagementDay.objects, workspace, start, end, account_id)
        .values("weekday", "hour")
        .annotate(n_posts=Sum("posts"), n_measured=Sum("measured"), n_engagement=Sum("engagement"))
        .order_by("weekday", "hour")
    )
    return [
        HeatCell(r["weekday"], r["hour"], r["n_posts"] or 0, r["n_measured"] or 0, r["n_engagement"] or 0)
        for r in rows
    ]


BEST_TIME_LOOKBACK_DAYS = 365
BEST_TIME_MIN_POSTS = 2  # a cell resting on a single post is luck, not a pattern


def best_times(
    *,
    workspace,
    account_id: int | None = None,
    today: date | None = None,
    lookback_days: int = BEST_TIME_LOOKBACK_DAYS,
    min_posts: int = BEST_TIME_MIN_POSTS,
    top: int = 3,
) -> list[HeatCell]:
    """The ``top`` weekday × hour cells with the highest average engagement over the last ``lookback_days``
    (own history, local time), among cells with at least ``min_posts`` measured posts. Empty when the
    history is too thin to say."""
    today = today or now().astimezone(zone_of(workspace.timezone)).date()
    cells = engagement_heatmap(
        workspace=workspace, start=today - timedelta(days=lookback_days), end=today, account_id=account_id
    )
    usable = [c for c in cells if c.measured >= min_posts]
    return sorted(usable, key=lambda c: (-(c.per_post or 0), -c.measured, c.weekday, c.hour))[:top]


def suggest_time(
    *, workspace, after: datetime, account_id: int | None = None, top: int = 3
) -> tuple[datetime, HeatCell] | None:
    """The first moment after ``after`` that falls on one of the best cells (``best_times``), at the start
    of that local hour — or ``None`` when the history is too thin. Falls back to the workspace's history
    when the account's own is too thin."""
    zone = zone_of(workspace.timezone)
    local = after.astimezone(zone)
    cells = best_times(workspace=workspace, account_id=account_id, today=local.date(), top=top)
    if not cells and account_id:
        cells = best_times(workspace=workspace, today=local.date(), top=top)
    if not cells:
        return None
    candidates = []
    for cell in cells:
        for week in range(2):
            day = local.date() + timedelta(days=(cell.weekday - local.weekday()) % 7 + 7 * week)
            moment = datetime.combine(day, datetime.min.time().replace(hour=cell.hour), tzinfo=zone)
            # A local hour that does not exist (spring DST gap) is normalised through UTC.
            moment = moment.astimezone(UTC).astimezone(zone)
            if moment > local:
                candidates.append((moment, cell))
                break
    moment, cell = min(candidates, key=lambda pair: pair[0])
    return moment, cell


@dataclass(frozen=True)
class GrowthSeries:
    account_id: int
    points: list[tuple[date, int]]  # (bucket start, followers at the bucket's last reading)

    @property
    def first(self) -> int | None:
        return self.points[0][1] if self.points else None

    @property
    def last(self) -> int | None:
        return self.points[-1][1] if self.points else None

    @property
    def change(self) -> int | None:
        return self.last - self.first if self.points else None


def follower_growth(
    *, workspace, start: date, end: date, account_id: int | None = None
) -> list[GrowthSeries]:
    """Followers per account over the period from the daily ``AccountSnapshot`` (bucketed like the other
    series). Accounts without a reading in the period are left out (the page lists them as "no data")."""
    bucket = bucket_of(start, end)
    readings = _days(AccountSnapshot.objects, workspace, start, end, account_id)
    if bucket != "day":  # only each bucket's last day (and the period's first): a point per bucket
        ends = {start, end}
        day = start
        while day <= end:
            following = day + timedelta(days=1)
            if bucket_start(following, bucket) != bucket_start(day, bucket):
                ends.add(day)
            day = following
        readings = readings.filter(day__in=sorted(ends))
    rows = (
        readings.filter(followers__isnull=False)
        .order_by("account_id", "day")
        .values_list("account_id", "day", "followers")
    )
    series: dict[int, dict[date, int]] = defaultdict(dict)
    for account, day, followers in rows:
        series[account][bucket_start(day, bucket)] = followers  # the bucket's last reading wins
    return [GrowthSeries(account, sorted(points.items())) for account, points in sorted(series.items())]


def followers_total(*, workspace, start: date, end: date, account_id: int | None = None) -> Figure:
    """Followers gained over the period (sum over accounts of last − first reading) vs the previous one."""

    def gained(first: date, last: date) -> int | None:
        series = follower_growth(workspace=workspace, start=first, end=last, account_id=account_id)
        known = [s.change for s in series if s.change is not None]
        return sum(known) if known else None

    return Figure(gained(start, end), gained(*previous_period(start, end)))


@dataclass(frozen=True)
class MixLine:
    content_type: str
    published: int
    percent: float
    target_percent: float | None  # None: the policy sets no target for this type
    off: bool  # further from the target than the policy's tolerance


def content_mix_published(
    *, workspace, start: date, end: date, account_id: int | None = None
) -> list[MixLine]:
    """The content types actually published in the period against the policy's mix targets (M6); the
    account's own targets when one is chosen and the policy has them."""
    from kopiena.policy import evaluators

    policy = policy_current(workspace=workspace)
    key = ""
    if account_id:
        platform_name = (
            ConnectedAccount.objects.filter(workspace=workspace, pk=account_id)
            .values_list("platform", flat=True)
            .first()
        )
        key = f"{platform_name}:{account_id}" if platform_name else ""
    target, _path = evaluators.mix_for(policy, key)
    counts = dict(
        _days(EngagementDay.objects, workspace, start, end, account_id)
        .values_list("content_type")
        .annotate(n=Sum("posts"))
        .order_by()
    )
    total = sum(counts.values())
    types = list(dict.fromkeys([*target.targets, *sorted(counts)]))
    lines = []
    for content_type in types:
        published = counts.get(content_type, 0)
        percent = round(100 * published / total, 1) if total else 0.0
        goal = target.targets.get(content_type)
        off = total > 0 and goal is not None and abs(percent - goal) > target.tolerance_percent
        lines.append(MixLine(content_type, published, percent, goal, off))
    return lines


@dataclass(frozen=True)
class ResponseFigures:
    answered: int
    average_hours: float | None
    within_target_percent: float | None


def _response_figures(rows: dict) -> ResponseFigures:
    answered = int(rows.get("n_answered") or 0)
    if not answered:
        return ResponseFigures(0, None, None)
    return ResponseFigures(
        answered,
        round(float(rows["n_seconds"]) / answered / 3600, 2),
        round(100 * int(rows["n_within"] or 0) / answered, 1),
    )


_RESPONSE_SUMS = {
    "n_answered": Sum("answered"),
    "n_seconds": Sum("seconds"),
    "n_within": Sum("within_target"),
}
RESPONSE_DIMENSIONS = ("person", "role", "account", "language", "item_kind")


@dataclass(frozen=True)
class ResponseHeadline:
    """The seed's M8 headline: average answer time (business hours when the policy counts them) against
    the policy's target, with the previous period and a trend per bucket."""

    kind: str  # "first" or "next"
    target_hours: float
    business_time: bool
    current: ResponseFigures
    previous: ResponseFigures
    trend: list[tuple[date, ResponseFigures]]

    @property
    def change(self) -> float | None:
        return change_percent(self.current.average_hours, self.previous.average_hours)

    @property
    def met(self) -> bool | None:
        avg = self.current.average_hours
        return None if avg is None else avg <= self.target_hours


def response_headline(
    *, workspace, start: date, end: date, account_id: int | None = None, kind: str = "first"
) -> ResponseHeadline:
    """First (``kind="first"``) or next answers given in the period, from the SLA clocks' rollup."""
    targets = policy_current(workspace=workspace).engagement.response_targets
    target_seconds = targets.first_response_seconds
    if kind == "next" and targets.next_response_seconds:
        target_seconds = targets.next_response_seconds
    base = ResponseDay.objects.filter(sla_kind=kind)
    current = _total_days(base, workspace, start, end, account_id).aggregate(**_RESPONSE_SUMS)
    previous = _total_days(base, workspace, *previous_period(start, end), account_id).aggregate(
        **_RESPONSE_SUMS
    )
    bucket = bucket_of(start, end) if (end - start).days > 31 else "week"
    by_bucket: dict[date, dict] = defaultdict(lambda: {"n_answered": 0, "n_seconds": 0.0, "n_within": 0})
    for row in (
        _total_days(base, workspace, start, end, account_id)
        .values("day")
        .annotate(**_RESPONSE_SUMS)
        .order_by()
    ):
        total = by_bucket[bucket_start(row["day"], bucket)]
        for key in total:
            total[key] += row[key] or 0
    trend = [(key, _response_figures(total)) for key, total in sorted(by_bucket.items())]
    return ResponseHeadline(
        kind=kind,
        target_hours=target_seconds / 3600,
        business_time=targets.business_time,
        current=_response_figures(current),
        previous=_response_figures(previous),
        trend=trend,
    )


def response_breakdown(
    *, workspace, start: date, end: date, by: str, account_id: int | None = None, kind: str = "first"
) -> list[tuple[str | int, ResponseFigures, ResponseFigures]]:
    """Answers grouped ``by`` one of ``RESPONSE_DIMENSIONS`` (``account`` by account id): (key, this
    period, previous period), most answers first."""
    if by not in RESPONSE_DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    field_name = "account_id" if by == "account" else by
    base = ResponseDay.objects.filter(sla_kind=kind)

    if by == "account":  # by account: the account rows, whose sum the workspace rows hold
        base = base.filter(account__isnull=False)
    days = _days if by == "account" else _total_days

    def grouped(first: date, last: date) -> dict:
        rows = days(base, workspace, first, last, account_id).values(field_name).annotate(**_RESPONSE_SUMS)
        return {row[field_name]: _response_figures(row) for row in rows.order_by()}

    current = grouped(start, end)
    previous = grouped(*previous_period(start, end))
    empty = ResponseFigures(0, None, None)
    rows = [(key, figures, previous.get(key, empty)) for key, figures in current.items()]
    return sorted(rows, key=lambda row: (-row[1].answered, str(row[0])))


SENTIMENTS = ("positive", "neutral", "negative", "")


@dataclass(frozen=True)
class SentimentPoint:
    start: date
    counts: dict[str, int]  # sentiment ('' = not classified) → items

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def negative_percent(self) -> float | None:
        return round(100 * self.counts.get("negative", 0) / self.total, 1) if self.total else None


def sentiment_series(
    *, workspace, start: date, end: date, account_id: int | None = None
) -> list[SentimentPoint]:
    """Incoming comments, replies, messages and mentions per bucket by sentiment (summed in the database)."""
    bucket = bucket_of(start, end)
    # Summed per day in the database (at most 4 rows a day), bucketed here: a date function per row is a
    # Python call on SQLite.
    rows = (
        _total_days(SentimentDay.objects, workspace, start, end, account_id)
        .values_list("day", "sentiment")
        .annotate(n=Sum("items"))
        .order_by()
    )
    merged: dict[date, Counter] = defaultdict(Counter)
    for day, sentiment, items in rows:
        merged[bucket_start(day, bucket)][sentiment] += items
    return [SentimentPoint(key, dict(counts)) for key, counts in sorted(merged.items())]


def sentiment_totals(*, workspace, start: date, end: date, account_id: int | None = None) -> SentimentPoint:
    counts = dict(
        _total_days(SentimentDay.objects, workspace, start, end, account_id)
        .values_list("sentiment")
        .annotate(n=Sum("items"))
        .order_by()
    )
    return SentimentPoint(start, counts)


@dataclass(frozen=True)
class PostLine:
    delivery_id: int
    post_id: int
    account_id: int
    published_at: datetime
    content_type: str
    theme: str
    text: str
    url: str
    likes: int
    reposts: int
    replies: int
    engagement: int
    views: int | None


def top_posts(
    *, workspace, start: date, end: date, account_id: int | None = None, limit: int = 5, bottom: bool = False
) -> list[PostLine]:
    """The posts with the most (``bottom``: the least) engagement among posts with counters."""
    order = ("engagement", "published_at", "pk") if bottom else ("-engagement", "-published_at", "-pk")
    # Ranked first, joined after: joining each post's text before the sort cost 140 ms over two years.
    ranked = list(
        _days(PostStat.objects, workspace, start, end, account_id)
        .filter(taken_at__isnull=False)
        .order_by(*order)
        .values_list("pk", flat=True)[: max(1, min(limit, 100))]
    )
    rows = (
        PostStat.objects.filter(pk__in=ranked)
        .order_by(*order)
        .values_list(
            "delivery_id", "post_id", "account_id", "published_at", "content_type", "theme",
            "post__text", "delivery__remote_url", "likes", "reposts", "replies", "engagement", "views",
        )
    )  # fmt: skip
    return [PostLine(*row[:6], (row[6] or "")[:200], *row[7:]) for row in rows]


def accounts_of(*, workspace) -> dict[int, str]:
    """Account id → a label ("Kafija · Mastodon") for every account of the workspace, also disconnected."""
    labels = {}
    for pk, platform_name, handle, name in ConnectedAccount.objects.filter(workspace=workspace).values_list(
        "pk", "platform", "handle", "name"
    ):
        labels[pk] = f"{name or handle or pk} · {platform_name.title()}"
    return labels


def accounts_without_metrics(
    *, workspace, start: date, end: date, account_id: int | None = None
) -> list[int]:
    """Accounts that published in the period but whose platform gave no counters for any post."""
    rows = (
        _days(EngagementDay.objects, workspace, start, end, account_id)
        .values("account_id")
        .annotate(n_posts=Sum("posts"), n_measured=Sum("measured"))
        .order_by()
    )
    return [row["account_id"] for row in rows if row["n_posts"] and not row["n_measured"]]
