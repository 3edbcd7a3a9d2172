"""A report's numbers → HTML (the in-app page, the share page) and PDF (WeasyPrint, charts as inline SVG).

One template body (``reports/_report_body.html``) serves all three, so the PDF a client gets by e-mail, the
page behind a share link and the preview a manager sees are the same report.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kopiena.core.zones import zone_of
from kopiena.inbox.models import Sentiment
from kopiena.reports import svg
from kopiena.reports.models import ALL_SECTIONS, Branding, ClientReport, Section
from kopiena.reports.selectors import ReportData, branding_of, report_data
from kopiena.teams.models import Workspace

SENTIMENT_COLOURS = {
    Sentiment.NEGATIVE: "#c0392b",
    Sentiment.NEUTRAL: "#95a5a6",
    Sentiment.POSITIVE: "#27ae60",
}


@dataclass
class Rendered:
    data: ReportData
    context: dict


def _label(day: date, bucket: str) -> str:
    if bucket == "month":
        return day.strftime("%m.%Y")
    return day.strftime("%d.%m.")


def report_context(
    *,
    workspace: Workspace,
    title: str,
    sections: list[str],
    start: date,
    end: date,
    language: str,
    branding: Branding | None = None,
) -> Rendered:
    """Template context of one report (call inside ``translation.override(language)``)."""
    branding = branding or branding_of(workspace=workspace)
    data = report_data(workspace=workspace, start=start, end=end, language=language)
    colour = branding.primary_colour or "#1f6feb"
    labels = [_label(b, data.bucket) for b, _p, _e in data.activity]
    charts = {}
    if data.deliveries:
        charts["posts"] = mark_safe(  # noqa: S308 - svg.py escapes every text it writes
            svg.bar_chart(
                labels, [p for _b, p, _e in data.activity], colour=colour, title=_("Posts published")
            )
        )
        charts["engagement"] = mark_safe(  # noqa: S308
            svg.line_chart(
                labels,
                [e for _b, _p, e in data.activity],
                colour=colour,
                title=_("Engagement (likes, reposts, replies)"),
            )
        )
    response = data.response
    if response and response.trend:
        charts["response"] = mark_safe(  # noqa: S308
            svg.bar_chart(
                [w.strftime("%d.%m.") for w, _f in response.trend],
                [f.average_hours or 0 for _w, f in response.trend],
                colour=colour,
                title=_("Average first answer, hours"),
                target=response.target_hours,
                target_label=_("Target %(hours)s h")
                % {"hours": formats.number_format(response.target_hours, 1)},
            )
        )
    if data.received:
        series = data.sentiment_series
        charts["sentiment"] = mark_safe(  # noqa: S308
            svg.multi_line_chart(
                [_label(b, data.bucket) for b, *_rest in series],
                [
                    (_("Negative"), SENTIMENT_COLOURS[Sentiment.NEGATIVE], [row[1] for row in series]),
                    (_("Neutral"), SENTIMENT_COLOURS[Sentiment.NEUTRAL], [row[2] for row in series]),
                    (_("Positive"), SENTIMENT_COLOURS[Sentiment.POSITIVE], [row[3] for row in series]),
                ],
                title=_("Comments by sentiment"),
            )
        )
    if data.followers:
        days = sorted({day for row in data.followers for day, _n in row.series.points})
        palette = [colour, "#e67e22", "#8e44ad", "#16a085", "#2c3e50", "#d35400"]
        charts["followers"] = mark_safe(  # noqa: S308
            svg.multi_line_chart(
                [_label(d, data.bucket) for d in days],
                [
                    (row.account, palette[i % len(palette)], [dict(row.series.points).get(d) for d in days])
                    for i, row in enumerate(data.followers)
                ],
                title=_("Followers"),
                from_zero=False,
            )
        )
    chosen = [s for s in ALL_SECTIONS if s in set(sections)] or ALL_SECTIONS
    logo = ""
    if branding.logo:
        logo = f"data:{branding.logo_type};base64,{base64.b64encode(bytes(branding.logo)).decode()}"
    sentiment_rows = [
        (label, data.sentiment.get(key, 0), SENTIMENT_COLOURS[key]) for key, label in Sentiment.choices
    ]
    context = {
        "title": title,
        "workspace_name": workspace.name,
        "data": data,
        "charts": charts,
        "sections": chosen,
        "Section": {s.name: s.value for s in Section},
        "logo": logo,
        "colour": colour,
        "footer": branding.report_footer,
        "sentiment_rows": sentiment_rows,
        "sentiment_total": sum(data.sentiment.values()),
    }
    return Rendered(data=data, context=context)


def report_html(rendered: Rendered, *, standalone: bool = True) -> str:
    """The report as a whole HTML document (PDF, share link, e-mail), times shown in the workspace's zone
    whoever asks (the client's link and the clock have no workspace view around them)."""
    with timezone.override(zone_of(rendered.data.workspace.timezone)):
        return render_to_string(
            "reports/report_document.html", {**rendered.context, "standalone": standalone}
        )


def report_pdf(rendered: Rendered) -> bytes:
    """The report as PDF bytes. WeasyPrint fetches nothing from outside: the logo is a data: URI, the
    charts are inline SVG, and its URL fetcher allows the data: scheme only (no file:, no http:)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=1)
    return HTML(string=report_html(rendered), base_url=None, url_fetcher=fetcher).write_pdf()


def report_for(report: ClientReport, *, start: date, end: date, language: str | None = None) -> Rendered:
    return report_context(
        workspace=report.workspace,
        title=report.title,
        sections=report.sections,
        start=start,
        end=end,
        language=language or report.language,
    )
