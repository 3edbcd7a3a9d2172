"""REST: the analytics numbers (``analytics.read``) — the headline figures with the previous period, every
table of the analytics page (the same rows as its CSV/XLSX export), and the best time to post.

Periods: ``days`` (7, 28, 90, 365) or ``start``/``end`` ISO dates, as on the page; ``account`` narrows to
one account of the token's workspace (another id is a 404). Exports are audited.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import Http404, HttpResponse
from ninja import Router, Schema

from kopiena.analytics import selectors as s
from kopiena.analytics.periods import period_from
from kopiena.analytics.tables import TABLES, table_csv, table_rows, table_xlsx
from kopiena.audit.services import audit_record
from kopiena.core.auth_api import request_access
from kopiena.core.clock import now
from kopiena.core.params import IsoDatetime
from kopiena.core.zones import zone_of
from kopiena.teams.permissions import Perm

router = Router(tags=["analytics"])

Cell = str | int | float | bool | None


class FigureOut(Schema):
    value: float | None
    previous: float | None
    change_percent: float | None


class SummaryOut(Schema):
    start: date
    end: date
    previous_start: date
    previous_end: date
    posts: FigureOut
    engagement_per_post: FigureOut
    views_per_post: FigureOut
    followers_gained: FigureOut
    first_answer_average_hours: FigureOut
    first_answer_target_hours: float
    first_answer_within_target_percent: float | None
    next_answer_average_hours: FigureOut
    negative_percent: FigureOut


class TableOut(Schema):
    name: str
    title: str
    start: date
    end: date
    columns: list[str]
    rows: list[list[Cell]]


class SlotOut(Schema):
    weekday: int  # 0 = Monday
    hour: int  # workspace local time
    posts: int
    engagement_per_post: float | None


class SuggestionOut(Schema):
    at: datetime | None
    slot: SlotOut | None


def _args(access, days: str, start: str, end: str, account: int | None):
    workspace = access.workspace
    if account is not None and account not in s.accounts_of(workspace=workspace):
        raise Http404
    today = now().astimezone(zone_of(workspace.timezone)).date()
    period = period_from({"days": days, "start": start, "end": end}, today=today)
    return {"workspace": workspace, "start": period.start, "end": period.end, "account_id": account}


def _figure(figure: s.Figure) -> FigureOut:
    return FigureOut(value=figure.value, previous=figure.previous, change_percent=figure.change)


def _cell(value) -> Cell:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@router.get("/summary", response=SummaryOut, summary="Headline figures with the previous period")
def summary(request, days: str = "", start: str = "", end: str = "", account: int | None = None):
    access = request_access(request)
    access.require(Perm.ANALYTICS_READ)
    args = _args(access, days, start, end, account)
    previous_start, previous_end = s.previous_period(args["start"], args["end"])
    before = {**args, "start": previous_start, "end": previous_end}
    totals, totals_before = s.engagement_totals(**args), s.engagement_totals(**before)
    first = s.response_headline(**args, kind="first")
    nxt = s.response_headline(**args, kind="next")
    negative = s.sentiment_totals(**args).negative_percent
    negative_before = s.sentiment_totals(**before).negative_percent
    return SummaryOut(
        start=args["start"],
        end=args["end"],
        previous_start=previous_start,
        previous_end=previous_end,
        posts=_figure(s.Figure(totals.posts, totals_before.posts)),
        engagement_per_post=_figure(s.Figure(totals.per_post, totals_before.per_post)),
        views_per_post=_figure(s.Figure(totals.views_per_post, totals_before.views_per_post)),
        followers_gained=_figure(s.followers_total(**args)),
        first_answer_average_hours=_figure(
            s.Figure(first.current.average_hours, first.previous.average_hours)
        ),
        first_answer_target_hours=first.target_hours,
        first_answer_within_target_percent=first.current.within_target_percent,
        next_answer_average_hours=_figure(s.Figure(nxt.current.average_hours, nxt.previous.average_hours)),
        negative_percent=_figure(s.Figure(negative, negative_before)),
    )


@router.get("/tables", response=list[str], summary="The names of the analytics tables")
def tables_list(request):
    request_access(request).require(Perm.ANALYTICS_READ)
    return list(TABLES)


def _table(request, name: str, days: str, start: str, end: str, account: int | None):
    access = request_access(request)
    access.require(Perm.ANALYTICS_READ)
    if name not in TABLES:
        raise Http404
    args = _args(access, days, start, end, account)
    return access, args, table_rows(name, **args)


def _download(request, name, fmt, days, start, end, account) -> HttpResponse:
    access, args, table = _table(request, name, days, start, end, account)
    audit_record(
        actor=access.user, workspace=access.workspace, action="analytics.export", object_type="analytics.table",
        object_id=name, after={"format": fmt, "start": args["start"].isoformat(), "end": args["end"].isoformat(),
                               "account": account},
        defer=True,
    )  # fmt: skip
    if fmt == "csv":
        response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            table_xlsx(table),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@router.get("/tables/{name}.csv", summary="One analytics table as CSV")
def table_export_csv(
    request, name: str, days: str = "", start: str = "", end: str = "", account: int | None = None
):
    return _download(request, name, "csv", days, start, end, account)


@router.get("/tables/{name}.xlsx", summary="One analytics table as XLSX")
def table_export_xlsx(
    request, name: str, days: str = "", start: str = "", end: str = "", account: int | None = None
):
    return _download(request, name, "xlsx", days, start, end, account)


@router.get("/tables/{name}", response=TableOut, summary="One analytics table (the page's rows)")
def table_get(request, name: str, days: str = "", start: str = "", end: str = "", account: int | None = None):
    _access, args, table = _table(request, name, days, start, end, account)
    return TableOut(
        name=table.name, title=table.title, start=args["start"], end=args["end"], columns=table.columns,
        rows=[[_cell(v) for v in row] for row in table.rows],
    )  # fmt: skip


@router.get("/best-times", response=list[SlotOut], summary="Best weekday × hour cells from our own history")
def best_times(request, account: int | None = None):
    access = request_access(request)
    access.require(Perm.ANALYTICS_READ)
    _args(access, "", "", "", account)
    cells = s.best_times(workspace=access.workspace, account_id=account)
    return [
        SlotOut(weekday=c.weekday, hour=c.hour, posts=c.measured, engagement_per_post=c.per_post)
        for c in cells
    ]


@router.get(
    "/suggest-time", response=SuggestionOut, summary="The next best time to publish (composer, queues)"
)
def suggest_time(request, account: int | None = None, after: IsoDatetime | None = None):
    access = request_access(request)
    access.require(Perm.POST_DRAFT)
    _args(access, "", "", "", account)
    moment = after or now()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone_of(access.workspace.timezone))
    found = s.suggest_time(workspace=access.workspace, after=moment, account_id=account)
    if found is None:
        return SuggestionOut(at=None, slot=None)
    at, c = found
    return SuggestionOut(
        at=at, slot=SlotOut(weekday=c.weekday, hour=c.hour, posts=c.measured, engagement_per_post=c.per_post)
    )
