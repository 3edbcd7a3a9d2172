"""Every analytics table as plain rows (a header and values), for CSV / XLSX export and the REST API.

``table_rows(name, workspace=…, start=…, end=…, account_id=…)`` returns ``Table(title, columns, rows)``;
``TABLES`` lists the names. Values are numbers, dates or text; ``None`` means "not known" (an empty cell).
Each table is the same numbers the analytics page shows, with the previous period beside them where the
page compares.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from kopiena.analytics import selectors as s
from kopiena.core.spreadsheets import cell_safe


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: list[str]
    rows: list[list]


WEEKDAYS = s.WEEKDAYS


def _engagement(by: str, label_of: Callable[[object], object]):
    def build(workspace, start, end, account_id):
        columns = [
            str(_("Group")), str(_("Posts")), str(_("Measured posts")), str(_("Likes")), str(_("Reposts")),
            str(_("Replies")), str(_("Engagement")), str(_("Engagement per post")), str(_("Views per post")),
            str(_("Engagement per post, previous period")),
        ]  # fmt: skip
        rows = []
        for g in s.engagement_by(workspace=workspace, start=start, end=end, by=by, account_id=account_id):
            t = g.totals
            rows.append(
                [label_of(g.key), t.posts, t.measured, t.likes, t.reposts, t.replies, t.engagement,
                 t.per_post, t.views_per_post, g.previous.per_post if g.previous else None]
            )  # fmt: skip
        return columns, rows

    return build


def _account_label(workspace):
    labels = s.accounts_of(workspace=workspace)
    return lambda pk: labels.get(pk, str(pk))


def _content_label(workspace):
    from kopiena.publishing.content_types import content_type_label

    return lambda key: content_type_label(workspace, key)


def _heatmap(workspace, start, end, account_id):
    columns = [str(_("Weekday")), str(_("Hour")), str(_("Posts")), str(_("Measured posts")),
               str(_("Engagement per post"))]  # fmt: skip
    cells = s.engagement_heatmap(workspace=workspace, start=start, end=end, account_id=account_id)
    return columns, [[str(WEEKDAYS[c.weekday]), c.hour, c.posts, c.measured, c.per_post] for c in cells]


def _followers(workspace, start, end, account_id):
    label = _account_label(workspace)
    columns = [str(_("Account")), str(_("Date")), str(_("Followers"))]
    rows = []
    for series in s.follower_growth(workspace=workspace, start=start, end=end, account_id=account_id):
        rows += [[label(series.account_id), day, followers] for day, followers in series.points]
    return columns, rows


def _mix(workspace, start, end, account_id):
    label = _content_label(workspace)
    columns = [str(_("Content type")), str(_("Published")), str(_("Share, %")), str(_("Target, %")),
               str(_("Off target"))]  # fmt: skip
    lines = s.content_mix_published(workspace=workspace, start=start, end=end, account_id=account_id)
    return columns, [[label(m.content_type), m.published, m.percent, m.target_percent, m.off] for m in lines]


def _cadence(workspace, start, end, account_id):
    label = _account_label(workspace)
    columns = [str(_("Account")), str(_("Posts")), str(_("Busiest day")), str(_("Days over the limit")),
               str(_("Weeks over the limit")), str(_("Max per day")), str(_("Max per week"))]  # fmt: skip
    lines = s.cadence_kept(workspace=workspace, start=start, end=end, account_id=account_id)
    return columns, [
        [
            label(c.account_id),
            c.posts,
            c.busiest_day,
            c.days_over,
            c.weeks_over,
            c.max_per_day,
            c.max_per_week,
        ]
        for c in lines
    ]


def _responses(by: str, kind: str):
    def build(workspace, start, end, account_id):
        label = _account_label(workspace) if by == "account" else (lambda key: key or "—")
        columns = [str(_("Group")), str(_("Answered")), str(_("Average, hours")), str(_("Within target, %")),
                   str(_("Answered, previous period")), str(_("Average, hours, previous period"))]  # fmt: skip
        rows = s.response_breakdown(
            workspace=workspace, start=start, end=end, by=by, account_id=account_id, kind=kind
        )
        return columns, [
            [label(key), now.answered, now.average_hours, now.within_target_percent, before.answered,
             before.average_hours]
            for key, now, before in rows
        ]  # fmt: skip

    return build


def _response_trend(workspace, start, end, account_id):
    columns = [str(_("From")), str(_("Kind")), str(_("Answered")), str(_("Average, hours")),
               str(_("Within target, %"))]  # fmt: skip
    rows = []
    for kind in ("first", "next"):
        headline = s.response_headline(
            workspace=workspace, start=start, end=end, account_id=account_id, kind=kind
        )
        rows += [
            [day, kind, f.answered, f.average_hours, f.within_target_percent] for day, f in headline.trend
        ]
    return columns, rows


def _sentiment(workspace, start, end, account_id):
    columns = [str(_("From")), str(_("Positive")), str(_("Neutral")), str(_("Negative")),
               str(_("Not classified")), str(_("Negative, %"))]  # fmt: skip
    points = s.sentiment_series(workspace=workspace, start=start, end=end, account_id=account_id)
    return columns, [
        [p.start, p.counts.get("positive", 0), p.counts.get("neutral", 0), p.counts.get("negative", 0),
         p.counts.get("", 0), p.negative_percent]
        for p in points
    ]  # fmt: skip


def _posts(bottom: bool):
    def build(workspace, start, end, account_id):
        label = _account_label(workspace)
        columns = [str(_("Published")), str(_("Account")), str(_("Content type")), str(_("Theme")),
                   str(_("Text")), str(_("Link")), str(_("Likes")), str(_("Reposts")), str(_("Replies")),
                   str(_("Engagement")), str(_("Views"))]  # fmt: skip
        posts = s.top_posts(
            workspace=workspace, start=start, end=end, account_id=account_id, limit=20, bottom=bottom
        )
        return columns, [
            [p.published_at, label(p.account_id), p.content_type, p.theme, p.text, p.url, p.likes, p.reposts,
             p.replies, p.engagement, p.views]
            for p in posts
        ]  # fmt: skip

    return build


def _builders(workspace) -> dict[str, tuple[str, Callable]]:
    content = _content_label(workspace)
    account = _account_label(workspace)
    table = {
        "engagement-content-type": (_("Engagement by content type"), _engagement("content_type", content)),
        "engagement-theme": (_("Engagement by theme"), _engagement("theme", lambda k: k or "—")),
        "engagement-account": (_("Engagement by account"), _engagement("account", account)),
        "engagement-time": (_("Engagement over time"), _engagement("day", lambda k: k)),
        "heatmap": (_("Engagement by weekday and hour"), _heatmap),
        "followers": (_("Followers"), _followers),
        "mix": (_("Content mix against the policy"), _mix),
        "cadence": (_("Cadence against the policy"), _cadence),
        "response-trend": (_("Response times over time"), _response_trend),
        "sentiment": (_("Sentiment of incoming comments"), _sentiment),
        "top-posts": (_("Top posts"), _posts(False)),
        "bottom-posts": (_("Bottom posts"), _posts(True)),
    }
    for dim, title in (
        ("person", _("First answers by person")),
        ("role", _("First answers by role")),
        ("account", _("First answers by account")),
        ("language", _("First answers by language")),
        ("item_kind", _("First answers by kind")),
    ):
        table[f"responses-{dim.replace('_', '-')}"] = (title, _responses(dim, "first"))
    table["next-answers-person"] = (_("Next answers by person"), _responses("person", "next"))
    return table


def table_titles(workspace) -> dict[str, str]:
    """Every table's title in the active language, by name (the audit log names exports by it)."""
    return {name: str(title) for name, (title, _build) in _builders(workspace).items()}


TABLES = (
    "engagement-content-type", "engagement-theme", "engagement-account", "engagement-time", "heatmap",
    "followers", "mix", "cadence", "response-trend", "responses-person", "responses-role", "responses-account",
    "responses-language", "responses-item-kind", "next-answers-person", "sentiment", "top-posts", "bottom-posts",
)  # fmt: skip


def table_rows(name: str, *, workspace, start: date, end: date, account_id: int | None = None) -> Table:
    """The named table (``KeyError`` for an unknown name)."""
    title, build = _builders(workspace)[name]
    columns, rows = build(workspace, start, end, account_id)
    return Table(name, str(title), columns, rows)


def _text(value) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    return value


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([cell_safe(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([cell_safe(_text(v)) if isinstance(_text(v), str) else _text(v) for v in row])
    return out.getvalue()


def table_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=table.name[:31])
    sheet.append([cell_safe(c) for c in table.columns])
    for row in table.rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                cells.append(cell_safe(value))
            elif hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
                cells.append(value.replace(tzinfo=None))  # Excel has no time zones: UTC wall time
            else:
                cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
