"""Client reports in the UI (/w/<ws>/reports/…) and the client's read-only share page (/r/<token>/)."""

from __future__ import annotations

import base64
from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kopiena.core.errors import DomainError
from kopiena.reports.forms import BrandingForm, ClientReportForm, ShareLinkForm
from kopiena.reports.models import ALL_SECTIONS, ClientReport
from kopiena.reports.render import report_for, report_html, report_pdf
from kopiena.reports.selectors import (
    access_report,
    access_share_link,
    branding_of,
    links_of,
    period_dates,
    reports_of,
    share_link_by_token,
    today_in,
)
from kopiena.reports.services import (
    LOGO_MAX_BYTES,
    branding_update,
    report_create,
    report_delete,
    report_update,
    share_link_create,
    share_link_opened,
    share_link_revoke,
    share_link_token,
)
from kopiena.teams.permissions import Perm
from kopiena.teams.views import workspace_view


def _period(request: HttpRequest, report: ClientReport) -> tuple[date, date]:
    """?start=&end= (ISO dates) or the report's default period; a bad date falls back to the default."""
    default = period_dates(report.period, today_in(report.workspace))
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
        end = date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        return default
    return (start, end) if start <= end else (end, start)


def _form_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, _(exc.message))


@workspace_view(perm=Perm.ANALYTICS_READ)
def reports(request: HttpRequest, ws: str) -> HttpResponse:
    rows = list(reports_of(access=request.access))
    return render(request, "reports/list.html", {"reports": rows})


@workspace_view(perm=Perm.ANALYTICS_READ)
def report_edit(request: HttpRequest, ws: str, report_id: int | None = None) -> HttpResponse:
    report = access_report(access=request.access, pk=report_id) if report_id else None
    initial = {"sections": ALL_SECTIONS, "language": (request.LANGUAGE_CODE or "lv")[:2]}
    if report:
        initial = {
            "title": report.title,
            "sections": report.sections,
            "period": report.period,
            "schedule": report.schedule,
            "recipients": "\n".join(report.recipients),
            "language": report.language,
        }
    form = ClientReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if report:
                report = report_update(access=request.access, report=report, **form.cleaned_data)
            else:
                report = report_create(access=request.access, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The report is saved."))
            return redirect("report_detail", ws=ws, report_id=report.pk)
    return render(request, "reports/edit.html", {"form": form, "report": report})


@require_POST
@workspace_view(perm=Perm.ANALYTICS_READ)
def report_delete_view(request: HttpRequest, ws: str, report_id: int) -> HttpResponse:
    report_delete(access=request.access, report=access_report(access=request.access, pk=report_id))
    messages.success(request, _("The report is deleted; its share links no longer work."))
    return redirect("reports", ws=ws)


@workspace_view(perm=Perm.ANALYTICS_READ)
def report_detail(request: HttpRequest, ws: str, report_id: int) -> HttpResponse:
    report = access_report(access=request.access, pk=report_id)
    start, end = _period(request, report)
    rendered = report_for(report, start=start, end=end, language=(request.LANGUAGE_CODE or "en")[:2])
    links = [
        (link, request.build_absolute_uri(reverse("report_share", args=[share_link_token(link)])))
        for link in links_of(report=report)
    ]
    return render(
        request,
        "reports/detail.html",
        {
            **rendered.context,
            "report": report,
            "start": start,
            "end": end,
            "links": links,
            "share_form": ShareLinkForm(initial={"start": start, "end": end}),
        },
    )


@workspace_view(perm=Perm.ANALYTICS_READ)
def report_pdf_view(request: HttpRequest, ws: str, report_id: int) -> HttpResponse:
    report = access_report(access=request.access, pk=report_id)
    start, end = _period(request, report)
    with translation.override(report.language):
        pdf = report_pdf(report_for(report, start=start, end=end))
    return _pdf_response(pdf, report, start, end)


def _pdf_response(pdf: bytes, report: ClientReport, start: date, end: date) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="report-{report.pk}-{start}-{end}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@workspace_view(perm=Perm.ANALYTICS_READ)
def share_link_create_view(request: HttpRequest, ws: str, report_id: int) -> HttpResponse:
    report = access_report(access=request.access, pk=report_id)
    form = ShareLinkForm(request.POST)
    if form.is_valid():
        try:
            share_link_create(access=request.access, report=report, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, _(exc.message))
        else:
            messages.success(request, _("The share link is ready: copy it from the list below."))
    else:
        messages.error(request, _("Check the link's dates and how many days it stays valid."))
    return redirect("report_detail", ws=ws, report_id=report.pk)


@require_POST
@workspace_view(perm=Perm.ANALYTICS_READ)
def share_link_revoke_view(request: HttpRequest, ws: str, link_id: int) -> HttpResponse:
    link = access_share_link(access=request.access, pk=link_id)
    share_link_revoke(access=request.access, link=link)
    messages.success(request, _("The link is revoked: it no longer opens the report."))
    return redirect("report_detail", ws=ws, report_id=link.report_id)


@workspace_view(perm=Perm.WORKSPACE_MANAGE)
def branding(request: HttpRequest, ws: str) -> HttpResponse:
    current = branding_of(workspace=request.access.workspace)
    form = BrandingForm(
        request.POST or None,
        request.FILES or None,
        initial={"primary_colour": current.primary_colour, "report_footer": current.report_footer},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("logo")
        logo = None
        if upload is not None:
            logo = upload.read(LOGO_MAX_BYTES + 1)
        try:
            branding_update(
                access=request.access,
                primary_colour=form.cleaned_data["primary_colour"],
                report_footer=form.cleaned_data["report_footer"],
                logo=logo,
                remove_logo=form.cleaned_data["remove_logo"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The report branding is saved."))
            return redirect("report_branding", ws=ws)
    logo_b64 = base64.b64encode(bytes(current.logo)).decode() if current.logo else ""
    return render(request, "reports/branding.html", {"form": form, "branding": current, "logo_b64": logo_b64})


# The client's page: no sign-in, nothing but the report -------------------------------------------------


def _shared(token: str):
    link = share_link_by_token(token)
    share_link_opened(link)
    return link


def share_view(request: HttpRequest, token: str) -> HttpResponse:
    link = _shared(token)
    with translation.override(link.report.language):
        html = report_html(report_for(link.report, start=link.start, end=link.end))
    response = HttpResponse(html)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def share_pdf(request: HttpRequest, token: str) -> HttpResponse:
    link = _shared(token)
    with translation.override(link.report.language):
        pdf = report_pdf(report_for(link.report, start=link.start, end=link.end))
    response = _pdf_response(pdf, link.report, link.start, link.end)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
