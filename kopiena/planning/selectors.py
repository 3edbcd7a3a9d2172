"""The week planner's gap finder — C9: a to-do list so that next week's calendar has no gaps (reads only).

For one week in the workspace's time zone, ``week_plan`` lays out every account's planned posts by day
and what is still missing, in the order a planner fixes it:

* **empty queue slots** — the account's recurring slots (``QueueSlot``) with no post at that time; an
  account without slots that has nothing at all that week counts as one gap;
* **weekday themes** (C1) the policy suggests for a day that no post of that day carries;
* **posts waiting** for review, and approved posts without a time;
* **content mix** (M6) of the week's plan against the policy's targets, when it has drifted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import get_language

from kopiena.core.zones import zone_of
from kopiena.integrations.models import ConnectedAccount
from kopiena.policy import evaluators
from kopiena.policy.evaluators import ThemeSuggestion
from kopiena.policy.selectors import policy_current
from kopiena.publishing.content_types import content_type_colour, content_type_label
from kopiena.publishing.models import ContentType, Post, PostState, Variant
from kopiena.publishing.queues import QueueSlot, account_zone
from kopiena.teams.selectors import Access

NOT_PLANNED = (PostState.CANCELLED, PostState.FAILED)


@dataclass(frozen=True)
class PlannedPost:
    id: int
    at: datetime  # in the account's zone
    title: str
    content_type: str
    theme: str
    state: str

    @property
    def colour(self) -> str:
        return content_type_colour(self.content_type)


@dataclass
class DayPlan:
    day: date
    posts: list[PlannedPost] = field(default_factory=list)
    empty_slots: list[time] = field(default_factory=list)


@dataclass
class AccountWeek:
    account: ConnectedAccount
    days: list[DayPlan]
    has_slots: bool

    @property
    def planned(self) -> int:
        return sum(len(d.posts) for d in self.days)

    @property
    def empty_slots(self) -> int:
        return sum(len(d.empty_slots) for d in self.days)

    @property
    def gaps(self) -> int:
        return self.empty_slots if self.has_slots else int(self.planned == 0)


@dataclass(frozen=True)
class DayHeader:
    day: date
    themes: list[ThemeSuggestion]  # the policy's weekday themes (C1) for that day
    theme_planned: bool  # some post that day carries one of them


@dataclass(frozen=True)
class MixDrift:
    content_type: str
    label: str
    planned_percent: float
    target_percent: int


@dataclass
class WeekPlan:
    start: date
    accounts: list[AccountWeek]
    headers: list[DayHeader]
    in_review: int
    approved_unscheduled: int
    mix_drifts: list[MixDrift]
    planned_posts: int

    @property
    def missing_themes(self) -> list[DayHeader]:
        return [h for h in self.headers if h.themes and not h.theme_planned]

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def gaps(self) -> int:
        return sum(a.gaps for a in self.accounts)

    @property
    def todo_count(self) -> int:
        waiting = int(self.in_review > 0) + int(self.approved_unscheduled > 0)
        return self.gaps + len(self.missing_themes) + waiting + len(self.mix_drifts)


def next_week_start(zone: ZoneInfo, today: date | None = None) -> date:
    today = today or datetime.now(zone).date()
    return today + timedelta(days=7 - today.weekday())


def week_plan(*, access: Access, start: date | None = None) -> WeekPlan:
    """The plan of the week beginning on ``start`` (made a Monday; default: next week)."""
    workspace = access.workspace
    zone = zone_of(workspace.timezone)
    start = start or next_week_start(zone)
    start -= timedelta(days=start.weekday())
    window = (_midnight(start, zone), _midnight(start + timedelta(days=7), zone))
    accounts = list(ConnectedAccount.objects.filter(workspace=workspace).select_related("workspace"))

    variants = (
        Variant.objects.filter(
            post__workspace=workspace, post__scheduled_at__gte=window[0], post__scheduled_at__lt=window[1]
        )
        .exclude(post__state__in=NOT_PLANNED)
        .select_related("post")
        .order_by("post__scheduled_at", "post_id")
    )
    by_account: dict[int, list[Post]] = defaultdict(list)
    posts: dict[int, Post] = {}
    for variant in variants:
        by_account[variant.account_id].append(variant.post)
        posts[variant.post_id] = variant.post
    slots: dict[int, list[tuple[int, time]]] = defaultdict(list)
    for account_id, weekday, local_time in QueueSlot.objects.filter(workspace=workspace).values_list(
        "account_id", "weekday", "local_time"
    ):
        slots[account_id].append((weekday, local_time))

    weeks = [_account_week(a, start, by_account[a.pk], slots[a.pk]) for a in accounts]
    policy = policy_current(workspace=workspace)
    language = (get_language() or "en")[:2]
    in_workspace = Post.objects.filter(workspace=workspace)
    return WeekPlan(
        start=start,
        accounts=weeks,
        headers=_headers(policy, start, posts.values(), zone, language),
        in_review=in_workspace.filter(state=PostState.IN_REVIEW).count(),
        approved_unscheduled=in_workspace.filter(state=PostState.APPROVED, scheduled_at__isnull=True).count(),
        mix_drifts=_mix_drifts(access, policy, posts.values(), language),
        planned_posts=len(posts),
    )


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _account_week(
    account: ConnectedAccount, start: date, posts: list[Post], slots: list[tuple[int, time]]
) -> AccountWeek:
    zone = account_zone(account)
    days = [DayPlan(day=start + timedelta(days=n)) for n in range(7)]
    taken: set[tuple[date, time]] = set()
    for post in posts:
        local = post.scheduled_at.astimezone(zone)
        offset = (local.date() - start).days
        if 0 <= offset < 7:  # the account's zone may put an edge post on the next week's day
            days[offset].posts.append(
                PlannedPost(post.pk, local, str(post)[:60], post.content_type, post.theme, post.state)
            )
            taken.add((local.date(), local.time().replace(second=0, microsecond=0)))
    for day_plan in days:
        day_plan.empty_slots = sorted(
            slot_time
            for weekday, slot_time in slots
            if weekday == day_plan.day.weekday() and (day_plan.day, slot_time) not in taken
        )
    return AccountWeek(account=account, days=days, has_slots=bool(slots))


def _headers(policy, start: date, posts, zone: ZoneInfo, language: str) -> list[DayHeader]:
    themes_by_day: dict[date, set[str]] = defaultdict(set)
    for post in posts:
        if post.theme:
            themes_by_day[post.scheduled_at.astimezone(zone).date()].add(post.theme.strip().casefold())
    headers = []
    for n in range(7):
        day = start + timedelta(days=n)
        suggestions = evaluators.theme_for(policy, day, language)
        headers.append(DayHeader(day, suggestions, _covered(policy, day, themes_by_day[day])))
    return headers


def _covered(policy, day: date, used: set[str]) -> bool:
    """A post carries a day's theme under its key or its name in any language."""
    names = set()
    for language in ("en", "lv", "ru"):
        for suggestion in evaluators.theme_for(policy, day, language):
            names |= {suggestion.key.casefold(), suggestion.name.casefold()}
    return bool(names & used)


def _mix_drifts(access: Access, policy, posts, language: str) -> list[MixDrift]:
    counts = Counter(post.content_type for post in posts)
    if not counts:
        return []
    report = evaluators.check_mix(policy, "", dict(counts), ContentType.TEXT)  # the candidate is unused here
    if not report.drifted:
        return []
    return [
        MixDrift(
            row.content_type,
            content_type_label(access.workspace, row.content_type, language),
            round(row.planned_percent, 1),
            row.target_percent,
        )
        for row in report.rows
        if abs(row.drift_percent) > report.tolerance_percent
    ]


# ---------------------------------------------------------------- proposals and ideas


@dataclass(frozen=True)
class ProposalRow:
    pk: int
    account: str
    at: datetime
    kind: str
    kind_label: str
    content_type: str
    theme: str
    text: str
    explanation: str
    status: str
    post_id: int | None
    content_type_label: str = ""


def proposals_for_week(*, access: Access, start: date) -> list[ProposalRow]:
    """The week's proposals, explained in the active language, in the workspace's time zone."""
    from kopiena.planning.models import IdeaKind, Proposal
    from kopiena.planning.planner import explain

    zone = zone_of(access.workspace.timezone)
    labels = dict(IdeaKind.choices)
    rows = Proposal.objects.filter(workspace=access.workspace, week_start=start).select_related("account")
    return [
        ProposalRow(
            p.pk,
            p.account.name,
            p.slot_at.astimezone(zone),
            p.kind,
            str(labels.get(p.kind, p.kind)),
            p.content_type,
            p.theme,
            p.text,
            explain(p.reasons),
            p.status,
            p.post_id,
            content_type_label(access.workspace, p.content_type) if p.content_type else "",
        )
        for p in rows.order_by("slot_at", "account_id", "id")
    ]


def ideas_of(*, access: Access, status: str | None = "open", kind: str | None = None):
    from django.db.models import Count

    from kopiena.planning.models import Idea

    ideas = Idea.objects.filter(workspace=access.workspace)
    if status:
        ideas = ideas.filter(status=status)
    if kind:
        ideas = ideas.filter(kind=kind)
    return ideas.annotate(promo_uses_count=Count("promo_uses")).order_by("-count", "-created_at", "id")
