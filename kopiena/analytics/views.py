"""Analytics pages (``analytics.read``): one page per workspace, narrowed to one account with ``?account=``,
for a period (``?days=`` or ``?start=&end=``) compared with the period before; CSV / XLSX export of every
table; the composer's "suggest a time" answer. Views only parse input and call selectors."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _

from kopiena.analytics import selectors as s
from kopiena.analytics.periods import PERIODS, period_from
from kopiena.analytics.tables import TABLES, WEEKDAYS, table_csv, table_rows, table_xlsx
from kopiena.audit.services import audit_record
from kopiena.core.clock import now
from kopiena.core.words import word
from kopiena.core.zones import zone_of
from kopiena.publishing.content_types import content_type_label
from kopiena.teams.permissions import Perm
from kopiena.teams.views import workspace_view


def _account_id(request: HttpRequest, accounts: dict[int, str]) -> int | None:
    """``?account=`` must name an account of this workspace: anything else is a 404 (never another
    workspace's numbers, never a hint that the id exists elsewhere)."""
    raw = request.GET.get("account", "")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) not in accounts:
        raise Http404
    return int(raw)


def _period(request: HttpRequest):
    today = now().astimezone(zone_of(request.access.workspace.timezone)).date()
    return period_from(request.GET, today=today)


def _label(day, bucket: str) -> str:
    return formats.date_format(day, "M Y" if bucket == "month" else "j M")


@workspace_view(perm=Perm.ANALYTICS_READ)
def analytics(request: HttpRequest, ws: str) -> HttpResponse:
    workspace = request.access.workspace
    accounts = s.accounts_of(workspace=workspace)
    account_id = _account_id(request, accounts)
    period = _period(request)
    start, end = period.start, period.end
    previous_start, previous_end = s.previous_period(start, end)
    args = {"workspace": workspace, "start": start, "end": end, "account_id": account_id}
    before = {"workspace": workspace, "start": previous_start, "end": previous_end, "account_id": account_id}
    bucket = s.bucket_of(start, end)

    totals, totals_before = s.engagement_totals(**args), s.engagement_totals(**before)
    followers = s.followers_total(**args)
    first = s.response_headline(**args, kind="first")
    nxt = s.response_headline(**args, kind="next")
    sentiment, sentiment_before = s.sentiment_totals(**args), s.sentiment_totals(**before)
    headline = [
        ("posts", _("Posts published"), s.Figure(totals.posts, totals_before.posts), ""),
        ("engagement", _("Engagement per post"), s.Figure(totals.per_post, totals_before.per_post), ""),
        ("views", _("Reach (views) per post"), s.Figure(totals.views_per_post, totals_before.views_per_post), ""),
        ("followers", _("Followers gained"), followers, ""),
        ("negative", _("Negative comments"), s.Figure(sentiment.negative_percent, sentiment_before.negative_percent), "%"),
    ]  # fmt: skip

    by_type = s.engagement_by(**args, by="content_type")
    by_theme = s.engagement_by(**args, by="theme")
    by_account = s.engagement_by(**args, by="account")
    over_time = s.engagement_by(**args, by="day")
    cells = s.engagement_heatmap(**args)
    best = s.best_times(workspace=workspace, account_id=account_id, today=end)
    growth = s.follower_growth(**args)
    mix = s.content_mix_published(**args)
    cadence = s.cadence_kept(**args)
    breakdowns = [
        (dim, title, s.response_breakdown(**args, by=dim))
        for dim, title in (
            ("person", _("Person")),
            ("role", _("Role")),
            ("account", _("Account")),
            ("language", _("Language")),
            ("item_kind", _("Kind")),
        )
    ]
    points = s.sentiment_series(**args)
    top = s.top_posts(**args, limit=5)
    bottom = s.top_posts(**args, limit=5, bottom=True)

    def content(key):
        return content_type_label(workspace, key)

    top_engagement = max((c.per_post or 0 for c in cells), default=0) or 1
    grid = []
    by_cell = {(c.weekday, c.hour): c for c in cells}
    for weekday in range(7):
        row = []
        for hour in range(24):
            cell = by_cell.get((weekday, hour))
            share = (cell.per_post or 0) / top_engagement if cell else 0
            row.append({"cell": cell, "alpha": round(0.08 + 0.82 * share, 2) if cell else 0})
        grid.append((WEEKDAYS[weekday], row))

    growth_days = sorted({day for series in growth for day, _followers in series.points})
    charts = {
        "engagement-time": {
            "type": "bar",
            "labels": [_label(g.key, bucket) for g in over_time],
            "datasets": [
                {"label": _("Engagement"), "data": [g.totals.engagement for g in over_time]},
                {"label": _("Posts"), "data": [g.totals.posts for g in over_time], "kind": "line"},
            ],
        },
        "engagement-type": {
            "type": "bar",
            "labels": [str(content(g.key)) for g in by_type],
            "datasets": [
                {"label": _("Engagement per post"), "data": [g.totals.per_post for g in by_type]},
                {
                    "label": _("Previous period"),
                    "data": [g.previous.per_post if g.previous else None for g in by_type],
                },
            ],
        },
        "followers": {
            "type": "line",
            "labels": [_label(d, bucket) for d in growth_days],
            "datasets": [
                {
                    "label": accounts.get(series.account_id, str(series.account_id)),
                    "data": [dict(series.points).get(d) for d in growth_days],
                }
                for series in growth
            ],
            "fromData": True,
        },
        "mix": {
            "type": "bar",
            "labels": [str(content(m.content_type)) for m in mix],
            "datasets": [
                {"label": _("Published, %"), "data": [m.percent for m in mix]},
                {"label": _("Target, %"), "data": [m.target_percent for m in mix]},
            ],
            "unit": "%",
        },
        "response-trend": {
            "type": "bar",
            "labels": [_label(day, "week") for day, _f in first.trend],
            "datasets": [
                {
                    "label": _("Average first answer, hours"),
                    "data": [f.average_hours for _d, f in first.trend],
                },
                {
                    "label": _("Target"),
                    "data": [first.target_hours for _d in first.trend],
                    "kind": "line",
                    "dashed": True,
                    "colour": "#b4472f",
                },
            ],
            "unit": "h",
        },
        "sentiment": {
            "type": "bar",
            "stacked": True,
            "labels": [_label(p.start, bucket) for p in points],
            "datasets": [
                {"label": label, "data": [p.counts.get(key, 0) for p in points], "colour": colour}
                for key, label, colour in (
                    ("positive", _("Positive"), "positive"),
                    ("neutral", _("Neutral"), "neutral"),
                    ("negative", _("Negative"), "negative"),
                    ("", _("Not classified"), "none"),
                )
            ],
        },
    }

    missing = []
    if period.note:
        missing.append(period.note)
    if not totals.posts:
        missing.append(_("No post was published in this period, so there is no engagement to show."))
    elif not totals.measured:
        missing.append(_("The posts of this period have no engagement figures yet (they are read every 10 minutes for a week after publishing)."))  # fmt: skip
    elif not totals.posts_with_views:
        missing.append(_("No platform gave reach (views) for these posts; reach is left out rather than shown as 0."))  # fmt: skip
    silent = s.accounts_without_metrics(**args)
    if silent:
        names = ", ".join(accounts.get(pk, str(pk)) for pk in silent)
        missing.append(_("These accounts published but their platform gave no engagement figures: %(names)s.") % {"names": names})  # fmt: skip
    if not growth:
        missing.append(_("No follower counts in this period: accounts whose platform gives them are read once a day."))  # fmt: skip

    competitors = leaders = []
    try:
        from kopiena.listening.competitors import cadence_and_mix
        from kopiena.listening.leaders import leaders_ranked

        competitors = [row for row in cadence_and_mix(workspace=workspace, days=min(period.length, 366))]
        if len(competitors) <= 1:
            competitors = []
        leaders = leaders_ranked(workspace=workspace, limit=10)
    except ImportError:  # listening is optional
        pass

    return render(
        request,
        "analytics/index.html",
        {
            "period": period,
            "periods": PERIODS,
            "previous_start": previous_start,
            "previous_end": previous_end,
            "accounts": sorted(accounts.items(), key=lambda kv: kv[1]),
            "account_id": account_id,
            "account_label": accounts.get(account_id, ""),
            "headline": headline,
            "totals": totals,
            "first": first,
            "next": nxt,
            "by_type": [(content(g.key), g) for g in by_type],
            "by_theme": by_theme,
            "by_account": [(accounts.get(g.key, g.key), g) for g in by_account],
            "grid": grid,
            "hours": range(24),
            "best": [(WEEKDAYS[c.weekday], c) for c in best],
            "growth": [(accounts.get(g.account_id, g.account_id), g) for g in growth],
            "mix": [(content(m.content_type), m) for m in mix],
            "cadence": [(accounts.get(c.account_id, c.account_id), c) for c in cadence],
            "breakdowns": [
                (
                    dim,
                    title,
                    [(_breakdown_label(dim, k, accounts), a, b) for k, a, b in rows],
                )
                for dim, title, rows in breakdowns
            ],
            "sentiment": sentiment,
            "top": [(accounts.get(p.account_id, ""), content(p.content_type), p) for p in top],
            "bottom": [(accounts.get(p.account_id, ""), content(p.content_type), p) for p in bottom],
            "competitors": competitors,
            "leaders": leaders,
            "missing": missing,
            "charts": charts,
            "query": request.GET.urlencode(),
        },
    )


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@workspace_view(perm=Perm.ANALYTICS_READ)
def analytics_export(request: HttpRequest, ws: str, table: str, fmt: str) -> HttpResponse:
    """One table of the page as CSV or XLSX, for the same period and account."""
    if table not in TABLES or fmt not in EXPORT_TYPES:
        raise Http404
    workspace = request.access.workspace
    account_id = _account_id(request, s.accounts_of(workspace=workspace))
    period = _period(request)
    rows = table_rows(table, workspace=workspace, start=period.start, end=period.end, account_id=account_id)
    audit_record(
        actor=request.user, workspace=workspace, action="analytics.export", object_type="analytics.table",
        object_id=table, after={"format": fmt, "start": period.start.isoformat(), "end": period.end.isoformat(),
                                "account": account_id},
        defer=True,
    )  # fmt: skip
    body = table_csv(rows) if fmt == "csv" else table_xlsx(rows)
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    name = f"{table}-{period.start.isoformat()}-{period.end.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@workspace_view(perm=Perm.POST_DRAFT)
def suggest_time_view(request: HttpRequest, ws: str) -> JsonResponse:
    """The composer's "suggest a time": the next best weekday × hour from our own history, as JSON
    ``{"at": ISO datetime in the workspace zone, "local": "YYYY-MM-DDTHH:MM", "reason": text}`` or
    ``{"at": null, "reason": …}`` when the history is too thin."""
    workspace = request.access.workspace
    accounts = s.accounts_of(workspace=workspace)
    account_id = _account_id(request, accounts)
    after = now()
    raw = request.GET.get("after", "")
    if raw:
        try:
            parsed = datetime.fromisoformat(raw)
            after = parsed if parsed.tzinfo else parsed.replace(tzinfo=zone_of(workspace.timezone))
        except ValueError:
            pass
    found = s.suggest_time(workspace=workspace, after=after, account_id=account_id)
    if found is None:
        return JsonResponse(
            {"at": None, "reason": _("Not enough published posts with engagement yet to suggest a time.")}
        )
    moment, cell = found
    return JsonResponse(
        {
            "at": moment.isoformat(),
            "local": moment.strftime("%Y-%m-%dT%H:%M"),
            "reason": _("%(weekday)s around %(hour)02d:00: %(per_post)s engagement per post over %(posts)s posts.")
            % {"weekday": WEEKDAYS[cell.weekday], "hour": cell.hour, "per_post": cell.per_post, "posts": cell.measured},
        }
    )  # fmt: skip


def _breakdown_label(dim: str, key, accounts: dict) -> str:
    """A breakdown row's name as a reader sees it: the account's name, a role or a kind of item in words."""
    if dim == "account":
        return accounts.get(key, key)
    if not key:
        return "—"
    if dim == "role":
        return word("role", key)
    if dim == "item_kind":
        from kopiena.inbox.models import ItemKind

        return str(ItemKind(key).label) if key in ItemKind.values else str(key)
    return key
