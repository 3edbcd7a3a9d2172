"""Reads for client reports: the numbers of one workspace over one period, and the report rows themselves.

Every function takes the workspace explicitly and filters on it, so a report (and a share link, which
carries no person) can never show another workspace's numbers. Response times and engagement by content
type come from ``kopiena.analytics.selectors``; the other aggregates are small queries here, written as
separate functions so they can later be pointed at the analytics rollups without touching the templates.

What a period lacks is never an error: ``ReportData.missing`` lists, in the reader's words, each thing the
report could not show and why (no posts, an account without metrics, no reach figures, a period too long
for days, …), and the templates print it instead of an empty chart.
"""

from __future__ import annotations

import calendar as calendar_module
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kopiena.analytics import selectors as analytics
from kopiena.core.clock import now
from kopiena.core.zones import zone_of
from kopiena.inbox.models import Sentiment
from kopiena.integrations.models import AccountStatus, ConnectedAccount
from kopiena.publishing.content_types import content_types
from kopiena.reports.models import Branding, ClientReport, Period, ShareLink
from kopiena.teams.models import Workspace
from kopiena.teams.selectors import Access, access_scoped

TOP_POSTS = 5


@dataclass(frozen=True)
class WorkspaceOnly:
    """What the analytics selectors read from an ``Access`` (its workspace), for reports that run without a
    person: the e-mail schedule and share links."""

    workspace: Workspace


@dataclass(frozen=True)
class TopPost:
    title: str
    account: str
    published_at: datetime
    engagement: int
    likes: int | None
    reposts: int | None
    replies: int | None
    views: int | None
    url: str


@dataclass
class MixRow:
    key: str
    label: str
    posts: int
    percent: float
    target_percent: float | None
    per_post: float | None
    off: bool = False  # further from the target than the policy's tolerance


@dataclass(frozen=True)
class CadenceRow:
    account: str
    posts: int
    busiest_day: int
    days_over: int
    weeks_over: int
    max_per_day: int | None
    max_per_week: int | None


@dataclass(frozen=True)
class FollowerRow:
    account: str
    series: analytics.GrowthSeries


@dataclass
class ReportData:
    workspace: Workspace
    start: date
    end: date
    zone: str
    bucket: str  # day / week / month (``analytics.selectors.bucket_of``)
    engagement_totals: analytics.EngagementTotals = field(default_factory=analytics.EngagementTotals)
    engagement_previous: analytics.EngagementTotals = field(default_factory=analytics.EngagementTotals)
    received: int = 0
    received_previous: int = 0
    activity: list[tuple[date, int, int]] = field(default_factory=list)  # (bucket start, posts, engagement)
    top_posts: list[TopPost] = field(default_factory=list)
    bottom_posts: list[TopPost] = field(default_factory=list)
    response: analytics.ResponseHeadline | None = None  # first answers
    response_next: analytics.ResponseHeadline | None = None  # next answers
    sentiment: dict[str, int] = field(default_factory=dict)
    sentiment_series: list[tuple[date, int, int, int]] = field(
        default_factory=list
    )  # (bucket, neg, neu, pos)
    mix: list[MixRow] = field(default_factory=list)
    cadence: list[CadenceRow] = field(default_factory=list)
    followers: list[FollowerRow] = field(default_factory=list)
    followers_gained: analytics.Figure = field(default_factory=lambda: analytics.Figure(None, None))
    missing: list[str] = field(default_factory=list)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous_start(self) -> date:
        return analytics.previous_period(self.start, self.end)[0]

    @property
    def previous_end(self) -> date:
        return analytics.previous_period(self.start, self.end)[1]

    # Headline numbers (kept as plain attributes for the REST schema and the templates).
    @property
    def posts(self) -> int:
        return self.engagement_totals.posts

    @property
    def deliveries(self) -> int:  # every published delivery is a post on one account
        return self.engagement_totals.posts

    @property
    def engagement(self) -> int:
        return self.engagement_totals.engagement

    @property
    def views(self) -> int | None:
        return self.engagement_totals.views if self.engagement_totals.posts_with_views else None

    @property
    def engagement_per_post(self) -> float | None:
        return self.engagement_totals.per_post

    @property
    def negative_percent(self) -> float | None:
        total = sum(self.sentiment.values())
        return round(100 * self.sentiment.get(Sentiment.NEGATIVE, 0) / total, 1) if total else None

    @property
    def figures(self) -> dict[str, analytics.Figure]:
        """The headline numbers with the previous period's (same length, just before) for comparison."""
        now_, before = self.engagement_totals, self.engagement_previous
        response = self.response
        return {
            "posts": analytics.Figure(now_.posts, before.posts),
            "engagement": analytics.Figure(now_.engagement, before.engagement),
            "per_post": analytics.Figure(now_.per_post, before.per_post),
            "views": analytics.Figure(
                now_.views if now_.posts_with_views else None,
                before.views if before.posts_with_views else None,
            ),
            "received": analytics.Figure(self.received, self.received_previous),
            "first_answer": analytics.Figure(
                response.current.average_hours if response else None,
                response.previous.average_hours if response else None,
            ),
            "followers": self.followers_gained,
        }


# Periods ----------------------------------------------------------------------------------------------


def period_dates(period: str, today: date) -> tuple[date, date]:
    """[start, end] of a named period ending before or on ``today`` (workspace dates)."""
    if period == Period.LAST_7:
        return today - timedelta(days=6), today
    if period == Period.LAST_90:
        return today - timedelta(days=89), today
    if period == Period.PREVIOUS_WEEK:
        monday = today - timedelta(days=today.weekday() + 7)
        return monday, monday + timedelta(days=6)
    if period == Period.PREVIOUS_MONTH:
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    return today - timedelta(days=29), today


def today_in(workspace: Workspace) -> date:
    return now().astimezone(zone_of(workspace.timezone)).date()


def _buckets(start: date, end: date, kind: str) -> list[date]:
    """Every bucket start from ``start`` to ``end`` (so quiet days show as zero, not as a missing bar)."""
    out, cursor = [], analytics.bucket_start(start, kind)
    while cursor <= end:
        out.append(cursor)
        if kind == "day":
            cursor += timedelta(days=1)
        elif kind == "week":
            cursor += timedelta(days=7)
        else:
            cursor += timedelta(days=calendar_module.monthrange(cursor.year, cursor.month)[1])
    return out


# The report's numbers ----------------------------------------------------------------------------------
#
# Every number comes from ``kopiena.analytics.selectors`` (which read the rollups kept by
# ``analytics.rollups``), so a report says exactly what the analytics pages say for the same period.


def report_data(*, workspace: Workspace, start: date, end: date, language: str = "en") -> ReportData:
    """Every section's numbers for ``workspace`` in [start, end] (workspace dates, both included)."""
    if end < start:
        start, end = end, start
    zone = zone_of(workspace.timezone)
    bucket = analytics.bucket_of(start, end)
    data = ReportData(workspace=workspace, start=start, end=end, zone=str(zone), bucket=bucket)
    if bucket != "day":
        message = (
            _("The period is %(days)s days long: charts show one bar per week instead of per day.")
            if bucket == "week"
            else _("The period is %(days)s days long: charts show one bar per month instead of per day.")
        )
        data.missing.append(message % {"days": data.days})
    labels = analytics.accounts_of(workspace=workspace)
    names = dict(ConnectedAccount.objects.filter(workspace=workspace).values_list("pk", "name"))
    span = {"workspace": workspace, "start": start, "end": end}
    _published(data, span, names, zone)
    _received(data, span)
    data.response = analytics.response_headline(**span, kind="first")
    data.response_next = analytics.response_headline(**span, kind="next")
    if not data.response.current.answered:
        data.missing.append(_("No first answers were given in this period, so there are no response times."))
    _mix(data, span, language, labels)
    _followers(data, span, labels)
    return data


def _top(line: analytics.PostLine, names: dict, zone) -> TopPost:
    return TopPost(
        title=_title(line.text) or _("(a post without text)"),
        account=names.get(line.account_id) or "—",
        published_at=line.published_at.astimezone(zone),
        engagement=line.engagement,
        likes=line.likes,
        reposts=line.reposts,
        replies=line.replies,
        views=line.views,
        url=line.url,
    )


def _published(data: ReportData, span: dict, names: dict, zone) -> None:
    data.engagement_totals = analytics.engagement_totals(**span)
    data.engagement_previous = analytics.engagement_totals(
        workspace=data.workspace, start=data.previous_start, end=data.previous_end
    )
    by_bucket = {g.key: g.totals for g in analytics.engagement_by(**span, by="day")}
    empty = analytics.EngagementTotals()
    data.activity = [
        (key, by_bucket.get(key, empty).posts, by_bucket.get(key, empty).engagement)
        for key in _buckets(data.start, data.end, data.bucket)
    ]
    data.top_posts = [_top(line, names, zone) for line in analytics.top_posts(**span, limit=TOP_POSTS)]
    if len(data.top_posts) >= TOP_POSTS:  # with fewer posts the bottom ones are the top ones again
        shown = {(p.title, p.published_at) for p in data.top_posts}
        bottom = analytics.top_posts(**span, limit=TOP_POSTS, bottom=True)
        data.bottom_posts = [
            post
            for post in (_top(line, names, zone) for line in bottom)
            if (post.title, post.published_at) not in shown
        ]
    if not data.engagement_totals.posts:
        data.missing.append(_("Nothing was published in this period."))
        return
    unmeasured = sorted(names.get(a) or "—" for a in analytics.accounts_without_metrics(**span))
    if unmeasured:
        data.missing.append(
            _("No engagement figures yet for posts on: %(accounts)s.") % {"accounts": ", ".join(unmeasured)}
        )
    no_reach = sorted(
        names.get(group.key) or "—"
        for group in analytics.engagement_by(**span, by="account", compare=False)
        if group.totals.measured and not group.totals.posts_with_views
    )
    if no_reach:
        data.missing.append(
            _("These accounts' platforms do not report reach (views): %(accounts)s.")
            % {"accounts": ", ".join(no_reach)}
        )


def _title(text: str, limit: int = 100) -> str:
    line = (text or "").strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _received(data: ReportData, span: dict) -> None:
    totals = analytics.sentiment_totals(**span)
    previous = analytics.sentiment_totals(
        workspace=data.workspace, start=data.previous_start, end=data.previous_end
    )
    data.received, data.received_previous = totals.total, previous.total
    data.sentiment = {key: totals.counts.get(key, 0) for key in Sentiment.values}
    by_bucket = {point.start: point.counts for point in analytics.sentiment_series(**span)}
    data.sentiment_series = [
        (
            key,
            by_bucket.get(key, {}).get(Sentiment.NEGATIVE, 0),
            by_bucket.get(key, {}).get(Sentiment.NEUTRAL, 0),
            by_bucket.get(key, {}).get(Sentiment.POSITIVE, 0),
        )
        for key in _buckets(data.start, data.end, data.bucket)
    ]
    if not data.received:
        data.missing.append(_("No comments, messages or mentions arrived in this period."))
    elif not sum(data.sentiment.values()):
        data.missing.append(_("The comments of this period have no sentiment yet (not classified)."))


def _mix(data: ReportData, span: dict, language: str, labels: dict) -> None:
    names = dict(content_types(data.workspace, language))
    per_post = {
        group.key: group.totals.per_post
        for group in analytics.engagement_by(**span, by="content_type", compare=False)
    }
    data.mix = [
        MixRow(
            key=line.content_type,
            label=names.get(line.content_type, line.content_type),
            posts=line.published,
            percent=line.percent,
            target_percent=line.target_percent,
            per_post=per_post.get(line.content_type),
            off=line.off,
        )
        for line in analytics.content_mix_published(**span)
    ]
    data.mix.sort(key=lambda r: (-r.posts, r.label))
    data.cadence = [
        CadenceRow(
            account=labels.get(line.account_id, "—"),
            posts=line.posts,
            busiest_day=line.busiest_day,
            days_over=line.days_over,
            weeks_over=line.weeks_over,
            max_per_day=line.max_per_day,
            max_per_week=line.max_per_week,
        )
        for line in analytics.cadence_kept(**span)
    ]


def _followers(data: ReportData, span: dict, labels: dict) -> None:
    """Follower growth from the daily account snapshots; says which accounts have none in the period."""
    series = analytics.follower_growth(**span)
    data.followers = [FollowerRow(labels.get(s.account_id, "—"), s) for s in series]
    data.followers_gained = analytics.followers_total(**span)
    active = dict(
        ConnectedAccount.objects.filter(workspace=data.workspace, status=AccountStatus.ACTIVE).values_list(
            "pk", "name"
        )
    )
    if not series:
        data.missing.append(
            _(
                "No follower counts for this period yet: the accounts' audience is read once a day, where the "
                "platform gives it, and no reading falls in this period."
            )
        )
        return
    without = sorted(
        labels.get(pk, name) for pk, name in active.items() if pk not in {s.account_id for s in series}
    )
    if without:
        data.missing.append(
            _("No follower counts in this period for: %(accounts)s.") % {"accounts": ", ".join(without)}
        )


# The report rows --------------------------------------------------------------------------------------


def reports_of(*, access: Access) -> QuerySet[ClientReport]:
    return ClientReport.objects.filter(workspace=access.workspace).order_by("title", "id")


def access_report(*, access: Access, pk) -> ClientReport:
    return access_scoped(access=access, queryset=ClientReport.objects.all(), pk=pk)


def access_share_link(*, access: Access, pk) -> ShareLink:
    return access_scoped(access=access, queryset=ShareLink.objects.select_related("report"), pk=pk)


def links_of(*, report: ClientReport) -> QuerySet[ShareLink]:
    return ShareLink.objects.filter(workspace_id=report.workspace_id, report=report)


def branding_of(*, workspace: Workspace) -> Branding:
    """The workspace's branding (an unsaved default when none was set)."""
    return Branding.objects.filter(workspace=workspace).first() or Branding(workspace=workspace)


def share_link_by_token(token: str) -> ShareLink:
    """The live link a token names, or 404 (bad signature, unknown, revoked or expired all look alike)."""
    from kopiena.reports.sharing import unsign

    found = unsign(token)
    if found is None:
        raise Http404
    pk, nonce = found
    link = ShareLink.objects.select_related("report", "workspace").filter(pk=pk, nonce=nonce).first()
    if link is None or link.revoked_at is not None or link.expires_at <= now():
        raise Http404
    return link


def reports_due(*, at: datetime | None = None) -> QuerySet[ClientReport]:
    return ClientReport.objects.exclude(schedule="none").filter(next_send_at__lte=at or now())
