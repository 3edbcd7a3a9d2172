"""Home ("Today", issue 13 item 3): what needs doing today for one person in one workspace.

Each card is one kind of work, shown only to roles that can act on it (the permission that the fix needs),
with its count, the first few rows and a link to the page where it is fixed. The whole page costs a handful
of indexed queries: one COUNT plus one short list per card (next week's gaps reuse the planner's selector).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kopiena.core.clock import now
from kopiena.core.zones import zone_of
from kopiena.inbox.models import Thread, ThreadStatus
from kopiena.integrations.models import AccountStatus, ConnectedAccount
from kopiena.integrations.platforms import account_label
from kopiena.listening.models import Spike, SpikeKind
from kopiena.planning.selectors import week_plan
from kopiena.publishing.models import Delivery, DeliveryState, PostState
from kopiena.publishing.selectors import posts_awaiting_review
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access

SHOWN = 5
FAILED_LOOKBACK = timedelta(days=14)  # failed deliveries older than this were dealt with or given up
SPIKE_LOOKBACK = timedelta(hours=24)


@dataclass(frozen=True)
class Row:
    label: str
    detail: str
    url: str
    urgent: bool = False


@dataclass
class Card:
    key: str
    icon: str
    title: str
    count: int
    action_url: str
    action_label: str
    empty: str
    rows: list[Row] = field(default_factory=list)
    note: str = ""

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)


@dataclass
class Today:
    cards: list[Card]

    @property
    def total(self) -> int:
        return sum(card.count for card in self.cards)


def today_for(*, access: Access, at: datetime | None = None) -> Today:
    at = at or now()
    ws = access.workspace.slug
    cards: list[Card] = []
    if access.can(Perm.INBOX_REPLY):
        cards.append(_conversations(access, at, ws))
    if access.can(Perm.POST_APPROVE):
        cards.append(_approvals(access, ws))
    if access.can(Perm.POST_SCHEDULE):
        cards.append(_deliveries(access, at, ws))
        cards.append(_gaps(access, ws))
    if access.can(Perm.LISTENING_MANAGE):
        cards.append(_spikes(access, at, ws))
    if access.can(Perm.ACCOUNT_CONNECT):
        cards.append(_reconnect(access, ws))
    return Today(cards=cards)


def _first_line(text: str, limit: int) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _end_of_today(access: Access, at: datetime) -> datetime:
    zone = zone_of(access.workspace.timezone)
    local = at.astimezone(zone)
    return datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=zone)


def _conversations(access: Access, at: datetime, ws: str) -> Card:
    """Answers owed today on conversations assigned to me, or routed to my role and not taken yet."""
    mine = Q(assignee=access.user) | Q(assigned_role=access.role, assignee__isnull=True)
    due = (
        Thread.objects.filter(workspace=access.workspace, response_due_at__lt=_end_of_today(access, at))
        .exclude(status=ThreadStatus.CLOSED)
        .filter(mine)
    )
    rows = []
    for thread in due.select_related("account").order_by("response_due_at", "pk")[:SHOWN]:
        overdue = thread.response_due_at < at
        when = thread.response_due_at.astimezone(zone_of(access.workspace.timezone)).strftime("%H:%M")
        rows.append(
            Row(
                label=thread.subject or thread.account.name,
                detail=(_("overdue since %(time)s") if overdue else _("due at %(time)s")) % {"time": when},
                url=reverse("inbox_thread", kwargs={"ws": ws, "thread_id": thread.pk}),
                urgent=overdue,
            )
        )
    count = due.count() if len(rows) == SHOWN else len(rows)
    overdue = (
        sum(1 for r in rows if r.urgent) if count == len(rows) else due.filter(response_due_at__lt=at).count()
    )
    return Card(
        key="conversations",
        icon="bi-chat-dots",
        title=_("Conversations to answer today"),
        count=count,
        rows=rows,
        note=(_("%(n)s overdue") % {"n": overdue}) if overdue else "",
        action_url=reverse("inbox", kwargs={"ws": ws}) + "?view=mine",
        action_label=_("Open my conversations"),
        empty=_("No answer is due today on your conversations or your role's queue."),
    )


def _approvals(access: Access, ws: str) -> Card:
    waiting = posts_awaiting_review(access=access)
    posts = list(waiting[:SHOWN])
    rows = [
        Row(
            label=_first_line(post.text or post.content_type, 80),
            detail=_("by %(author)s") % {"author": post.author.get_full_name() or post.author.username},
            url=reverse("post_edit", kwargs={"ws": ws, "post_id": post.pk}),
        )
        for post in posts
    ]
    return Card(
        key="approvals",
        icon="bi-check2-square",
        title=_("Posts waiting for your approval"),
        count=waiting.count() if len(posts) == SHOWN else len(posts),
        rows=rows,
        action_url=reverse("approvals", kwargs={"ws": ws}),
        action_label=_("Review posts"),
        empty=_("No post is waiting for approval."),
    )


def _deliveries(access: Access, at: datetime, ws: str) -> Card:
    troubled = (
        Delivery.objects.filter(
            workspace=access.workspace,
            state__in=[DeliveryState.FAILED, DeliveryState.UNCONFIRMED],
            due_at__gte=at - FAILED_LOOKBACK,
        )
        .exclude(post__state=PostState.CANCELLED)
        .select_related("post", "account")
        .order_by("-due_at", "-pk")
    )
    found = list(troubled[:SHOWN])
    rows = [
        Row(
            label=f"{_first_line(d.post.text or d.post.content_type, 60)} → {d.account.name}",
            detail=(
                _("not confirmed by the platform yet")
                if d.state == DeliveryState.UNCONFIRMED
                else (d.failure_message[:120] or _("failed"))
            ),
            url=reverse("post_edit", kwargs={"ws": ws, "post_id": d.post_id}),
            urgent=d.state == DeliveryState.FAILED,
        )
        for d in found
    ]
    return Card(
        key="deliveries",
        icon="bi-exclamation-triangle",
        title=_("Failed or unconfirmed deliveries"),
        count=troubled.count() if len(found) == SHOWN else len(found),
        rows=rows,
        action_url=reverse("calendar", kwargs={"ws": ws}),
        action_label=_("Open the calendar"),
        empty=_("Every delivery of the last two weeks went through."),
    )


def _gaps(access: Access, ws: str) -> Card:
    plan = week_plan(access=access)
    rows = [
        Row(
            label=week.account.name,
            detail=(
                _("%(n)s empty slots") % {"n": week.empty_slots} if week.has_slots else _("nothing planned")
            ),
            url=reverse("week_plan", kwargs={"ws": ws}),
        )
        for week in plan.accounts
        if week.gaps
    ][:SHOWN]
    themes = len(plan.missing_themes)
    return Card(
        key="gaps",
        icon="bi-calendar2-week",
        title=_("Gaps in next week's calendar"),
        count=plan.gaps,
        rows=rows,
        note=(_("%(n)s weekday themes not planned yet") % {"n": themes}) if themes else "",
        action_url=reverse("week_plan", kwargs={"ws": ws}),
        action_label=_("Plan next week"),
        empty=_("Next week has no gaps."),
    )


KIND_LABELS = {
    SpikeKind.VOLUME: gettext_lazy("more mentions than usual"),
    SpikeKind.NEGATIVE: gettext_lazy("more negative mentions"),
}


def _spikes(access: Access, at: datetime, ws: str) -> Card:
    recent = Spike.objects.filter(query__workspace=access.workspace, hour__gte=at - SPIKE_LOOKBACK)
    spikes = list(recent.select_related("query").order_by("-hour", "-pk")[:SHOWN])
    zone = zone_of(access.workspace.timezone)
    rows = [
        Row(
            label=spike.query.name,
            detail=f"{KIND_LABELS.get(spike.kind, spike.kind)} · {spike.hour.astimezone(zone).strftime('%d.%m. %H:%M')}",
            url=reverse("listening", kwargs={"ws": ws}) + f"?query={spike.query_id}",
            urgent=spike.kind == SpikeKind.NEGATIVE,
        )
        for spike in spikes
    ]
    return Card(
        key="spikes",
        icon="bi-activity",
        title=_("Listening spikes in the last 24 hours"),
        count=recent.count() if len(spikes) == SHOWN else len(spikes),
        rows=rows,
        action_url=reverse("listening", kwargs={"ws": ws}),
        action_label=_("Open listening"),
        empty=_("No unusual jump in mentions in the last 24 hours."),
    )


def _reconnect(access: Access, ws: str) -> Card:
    accounts = list(
        ConnectedAccount.objects.filter(
            workspace=access.workspace, status=AccountStatus.NEEDS_RECONNECT
        ).order_by("name")
    )
    rows = [
        Row(
            label=account_label(a),
            detail=a.last_error[:120] or _("the platform no longer accepts our access"),
            url=reverse("account_detail", kwargs={"ws": ws, "account_id": a.pk}),  # its Reconnect button
            urgent=True,
        )
        for a in accounts[:SHOWN]
    ]
    return Card(
        key="reconnect",
        icon="bi-plug",
        title=_("Accounts that need reconnecting"),
        count=len(accounts),
        rows=rows,
        action_url=reverse("accounts", kwargs={"ws": ws}),
        action_label=_("Reconnect accounts"),
        empty=_("Every account is connected."),
    )
