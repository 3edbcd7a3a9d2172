"""Settings → Audit log: who did what and when, filterable, with before/after shown as text."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from kopiena.audit.models import AuditEvent
from kopiena.audit.selectors import audit_events_for_workspace
from kopiena.audit.services import audit_flush
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import members_of
from kopiena.teams.views import workspace_view

PAGE_SIZE = 50
# A before/after value longer than this is shown cut, with "Show more" (one long draft made a row
# 200,000 px tall): at most PREVIEW_LINES lines of at most PREVIEW_CHARS characters in all.
PREVIEW_LINES = 6
PREVIEW_CHARS = 300
# "Show more" shows at most this much of a value (the rest is counted, not sent): the page stays small.
FULL_CHARS = 20_000


@dataclass(frozen=True)
class ShownValue:
    """A before/after value as the audit log shows it: ``preview`` always, ``full`` behind "Show more"
    when the preview had to cut it (``cut``), ``omitted`` characters left out even there."""

    preview: str
    full: str = ""
    omitted: int = 0

    @property
    def cut(self) -> bool:
        return bool(self.full)

    def __bool__(self) -> bool:
        return bool(self.preview)


def _as_text(value) -> str:
    """Before/after JSON as indented text; the template escapes it like any user text."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def shown_value(value) -> ShownValue:
    """``value`` (JSON) as text, cut to a short preview when it is long (see ``PREVIEW_*``)."""
    text = _as_text(value)
    lines = text.split("\n")
    preview = "\n".join(lines[:PREVIEW_LINES])
    if len(lines) <= PREVIEW_LINES and len(text) <= PREVIEW_CHARS:
        return ShownValue(preview=text)
    preview = preview[:PREVIEW_CHARS].rstrip() + " …"
    return ShownValue(preview=preview, full=text[:FULL_CHARS], omitted=max(0, len(text) - FULL_CHARS))


@workspace_view(perm=Perm.AUDIT_READ)
def audit_log(request: HttpRequest, ws: str) -> HttpResponse:
    workspace = request.access.workspace
    audit_flush(workspace=workspace)  # what the delivery engine queued in the last seconds shows too
    action = request.GET.get("action", "").strip()
    object_type = request.GET.get("object_type", "").strip()
    actor = request.GET.get("actor", "").strip()
    actor_id = int(actor) if actor.isdigit() else None
    events = audit_events_for_workspace(
        workspace=workspace, action=action, actor_id=actor_id, object_type=object_type
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, shown_value(event.before), shown_value(event.after)) for event in page]
    _name_objects([event for event, _before, _after in rows], workspace)
    in_workspace = AuditEvent.objects.filter(workspace=workspace)
    filters = {"action": action, "object_type": object_type, "actor": actor}
    context = {
        "page_obj": page,
        "rows": rows,
        "filters": filters,
        "filtered": any(filters.values()),
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "actions": in_workspace.order_by("action").values_list("action", flat=True).distinct(),
        "object_types": in_workspace.exclude(object_type="")
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct(),
        "members": members_of(workspace=workspace),
    }
    return render(request, "audit/audit_log.html", context)


def _name_objects(events, workspace) -> None:
    """``event.object_name``: what an object id means to a reader where the id is itself a code (an
    exported analytics table is named by its title, not "response-trend")."""
    titles = None
    for event in events:
        event.object_name = ""
        if event.object_type == "analytics.table":
            if titles is None:
                from kopiena.analytics.tables import table_titles

                titles = table_titles(workspace)
            event.object_name = titles.get(event.object_id, "")
