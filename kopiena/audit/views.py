"""Settings → Audit log: who did what and when, filterable, with before/after shown as text."""

from __future__ import annotations

import json

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


def _as_text(value) -> str:
    """Before/after JSON as indented text; the template escapes it like any user text."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


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
    rows = [(event, _as_text(event.before), _as_text(event.after)) for event in page]
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
