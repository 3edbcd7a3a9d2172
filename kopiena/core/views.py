"""System health: ``/healthz`` for load balancers and monitors, and Settings → System health."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kopiena.core.tasks_runtime.health import health_report
from kopiena.teams.selectors import access_workspace


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and a worker beat recently; 503 otherwise (so nothing says
    "healthy" while scheduled posts silently never go out). No secrets and no tenant data in it."""
    report = health_report()
    return JsonResponse(report.as_json(), status=200 if report.ok else 503)


@never_cache
@login_required
@require_GET
def health(request: HttpRequest, ws: str) -> HttpResponse:
    """Any member may look: the system state is the same for every workspace on this installation."""
    request.access = access_workspace(actor=request.user, slug=ws)
    return render(request, "core/health.html", {"report": health_report(), "nav_active": "health"})
