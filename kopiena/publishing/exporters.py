"""The calendar as CSV in the import format (``importers.OUR_COLUMNS``), so an export imports back.

One row per account (variant): the import format names one account per row, and a variant's text may be
adapted to its platform. Times are ISO 8601 with the workspace's offset. Cells that a spreadsheet would
run as a formula get an apostrophe in front (``kopiena.core.spreadsheets``); the importer takes it off.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from kopiena.core.spreadsheets import row_safe
from kopiena.core.zones import zone_of
from kopiena.publishing.importers import LIST_SEPARATOR, OUR_COLUMNS
from kopiena.publishing.models import Post, PostState, Variant
from kopiena.teams.selectors import Access


def calendar_rows(
    *,
    access: Access,
    start: datetime,
    end: datetime,
    account_ids: list[int] | None = None,
    content_types: list[str] | None = None,
    themes: list[str] | None = None,
    states: list[str] | None = None,
) -> list[dict[str, str]]:
    """Posts scheduled in [start, end) as import-format rows (cancelled posts left out unless asked for)."""
    zone = zone_of(access.workspace.timezone)
    variants = Variant.objects.filter(
        post__workspace=access.workspace, post__scheduled_at__gte=start, post__scheduled_at__lt=end
    )
    if account_ids:
        variants = variants.filter(account_id__in=account_ids)
    if content_types:
        variants = variants.filter(post__content_type__in=content_types)
    if themes:
        variants = variants.filter(post__theme__in=themes)
    variants = (
        variants.filter(post__state__in=states)
        if states
        else variants.exclude(post__state=PostState.CANCELLED)
    )
    variants = variants.select_related("post", "account").prefetch_related("post__media")
    rows = []
    for variant in variants.order_by("post__scheduled_at", "post_id", "account_id"):
        post: Post = variant.post
        rows.append(
            {
                "scheduled_at": post.scheduled_at.astimezone(zone).isoformat(timespec="minutes"),
                "account": variant.account.name,
                "text": variant.text,
                "link": post.link,
                "media_urls": LIST_SEPARATOR.join(m.url for m in post.media.all() if m.url),
                "content_type": post.content_type,
                "theme": post.theme,
                "tags": LIST_SEPARATOR.join(post.tags),
                "first_comment": post.first_comment,
                "poll_options": LIST_SEPARATOR.join(post.poll_options),
                "link_context": post.link_context,
            }
        )
    return rows


def calendar_csv(**kwargs) -> str:
    """``calendar_rows`` as CSV text with the header line; no cell can run as a spreadsheet formula."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OUR_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(row_safe(row) for row in calendar_rows(**kwargs))
    return buffer.getvalue()
