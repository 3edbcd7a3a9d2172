"""REST for client reports: definitions, their numbers for a period, share links (issue 13 item 5)."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from ninja import Query, Router, Schema, Status

from kopiena.core.auth_api import request_access
from kopiena.reports.models import Period, Schedule
from kopiena.reports.render import report_for, report_pdf
from kopiena.reports.selectors import (
    access_report,
    access_share_link,
    period_dates,
    report_data,
    reports_of,
    today_in,
)
from kopiena.reports.services import report_create, report_update, share_link_create, share_link_revoke
from kopiena.teams.permissions import Perm

router = Router(tags=["reports"])


class ReportIn(Schema):
    title: str
    sections: list[str]
    period: Period = Period.LAST_30
    schedule: Schedule = Schedule.NONE
    recipients: list[str] = []
    language: str = "lv"


class ReportOut(Schema):
    id: int
    title: str
    sections: list[str]
    period: str
    schedule: str
    recipients: list[str]
    language: str
    next_send_at: datetime | None
    last_sent_at: datetime | None


class PeriodQuery(Schema):
    start: date | None = None
    end: date | None = None


class TopPostOut(Schema):
    title: str
    account: str
    published_at: datetime
    engagement: int
    likes: int | None
    reposts: int | None
    replies: int | None
    views: int | None


class MixOut(Schema):
    content_type: str
    label: str
    posts: int
    percent: float
    target_percent: int | None
    engagement_per_post: float | None


class ActivityOut(Schema):
    start: date
    posts: int
    engagement: int


class ReportDataOut(Schema):
    start: date
    end: date
    bucket: str
    posts: int
    deliveries: int
    engagement: int
    views: int | None
    received: int
    average_first_answer_hours: float | None
    target_hours: float
    within_target_percent: float | None
    sentiment: dict[str, int]
    activity: list[ActivityOut]
    top_posts: list[TopPostOut]
    mix: list[MixOut]
    missing: list[str]


class ShareIn(Schema):
    start: date
    end: date
    days_valid: int = 30


class ShareOut(Schema):
    id: int
    url: str
    start: date
    end: date
    expires_at: datetime
    revoked_at: datetime | None


def _access(request):
    access = request_access(request)
    access.require(Perm.ANALYTICS_READ)
    return access


def _period(report, query: PeriodQuery) -> tuple[date, date]:
    if query.start and query.end:
        return (query.start, query.end) if query.start <= query.end else (query.end, query.start)
    return period_dates(report.period, today_in(report.workspace))


@router.get("", response=list[ReportOut], summary="Client reports of the workspace")
def list_reports(request):
    return list(reports_of(access=_access(request)))


@router.post("", response={201: ReportOut}, summary="Create a client report")
def create_report(request, body: ReportIn):
    access = _access(request)
    return Status(201, report_create(access=access, **body.dict()))


@router.get("/{report_id}", response=ReportOut, summary="One client report")
def get_report(request, report_id: int):
    return access_report(access=_access(request), pk=report_id)


@router.put("/{report_id}", response=ReportOut, summary="Change a client report")
def put_report(request, report_id: int, body: ReportIn):
    access = _access(request)
    return report_update(access=access, report=access_report(access=access, pk=report_id), **body.dict())


@router.get("/{report_id}/data", response=ReportDataOut, summary="The report's numbers for a period")
def report_numbers(request, report_id: int, query: Query[PeriodQuery]):
    access = _access(request)
    report = access_report(access=access, pk=report_id)
    start, end = _period(report, query)
    data = report_data(workspace=access.workspace, start=start, end=end, language=report.language)
    response = data.response
    return {
        "start": data.start,
        "end": data.end,
        "bucket": data.bucket,
        "posts": data.posts,
        "deliveries": data.deliveries,
        "engagement": data.engagement,
        "views": data.views,
        "received": data.received,
        "average_first_answer_hours": response.current.average_hours,
        "target_hours": response.target_hours,
        "within_target_percent": response.current.within_target_percent,
        "sentiment": data.sentiment,
        "activity": [{"start": b, "posts": p, "engagement": e} for b, p, e in data.activity],
        "top_posts": [p.__dict__ for p in data.top_posts],
        "mix": [
            {
                "content_type": m.key,
                "label": m.label,
                "posts": m.posts,
                "percent": m.percent,
                "target_percent": m.target_percent,
                "engagement_per_post": m.per_post,
            }
            for m in data.mix
        ],
        "missing": data.missing,
    }


@router.get("/{report_id}/pdf", summary="The report as PDF", response={200: None})
def report_as_pdf(request, report_id: int, query: Query[PeriodQuery]):
    access = _access(request)
    report = access_report(access=access, pk=report_id)
    start, end = _period(report, query)
    with translation.override(report.language):
        pdf = report_pdf(report_for(report, start=start, end=end))
    return HttpResponse(pdf, content_type="application/pdf")


def _share_out(request, link, token: str | None) -> dict:
    from kopiena.reports.services import share_link_token

    token = token or share_link_token(link)
    return {
        "id": link.pk,
        "url": request.build_absolute_uri(reverse("report_share", args=[token])),
        "start": link.start,
        "end": link.end,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
    }


@router.post("/{report_id}/links", response={201: ShareOut}, summary="Create a read-only share link")
def create_link(request, report_id: int, body: ShareIn):
    access = _access(request)
    report = access_report(access=access, pk=report_id)
    link, token = share_link_create(access=access, report=report, **body.dict())
    return Status(201, _share_out(request, link, token))


@router.post("/links/{link_id}/revoke", response=ShareOut, summary="Revoke a share link")
def revoke_link(request, link_id: int):
    access = _access(request)
    link = share_link_revoke(access=access, link=access_share_link(access=access, pk=link_id))
    return _share_out(request, link, None)
