"""Analytics: the response-time report (M8) and engagement by content type, for a chosen period."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kopiena.analytics.selectors import engagement_by_content_type, response_times
from kopiena.core.zones import zone_of
from kopiena.publishing.content_types import content_types
from kopiena.teams.permissions import Perm
from kopiena.teams.views import workspace_view

PERIODS = (7, 28, 90)


@workspace_view(perm=Perm.ANALYTICS_READ)
def analytics(request: HttpRequest, ws: str) -> HttpResponse:
    raw = request.GET.get("days", "")
    days = int(raw) if raw.isdigit() and int(raw) in PERIODS else 28
    end = datetime.now(zone_of(request.access.workspace.timezone)).date()
    start = end - timedelta(days=days - 1)
    report = response_times(access=request.access, start=start, end=end)
    labels = dict(content_types(request.access.workspace))
    engagement = [
        (labels.get(row.content_type, row.content_type), row)
        for row in engagement_by_content_type(access=request.access, start=start, end=end)
    ]
    chart = {
        "labels": [week.strftime("%d.%m.") for week, _hours, _count in report.weeks],
        "average": [hours for _week, hours, _count in report.weeks],
        "target": report.target_hours,
        "texts": {"average": _("Average first answer, hours"), "target": _("Target")},
    }
    return render(
        request,
        "analytics/index.html",
        {
            "report": report,
            "engagement": engagement,
            "chart": chart,
            "days": days,
            "periods": PERIODS,
        },
    )
