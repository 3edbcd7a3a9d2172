"""Reports (reads only): how fast the team answers (M8) and what engages (M6, R12).

Response time is the first answer's delay after the person's first message, counted in business time
when the policy says so (the inbox's SLA clocks count the same way), so "6 hours" means 6 working hours.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Min, OuterRef, Subquery

from kopiena.analytics.models import MetricSnapshot
from kopiena.core import business_time
from kopiena.inbox.models import AppliedSla, Reply, ReplyState, Resolution, SlaKind, SlaStatus, Thread
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
