"""System health: ``/healthz`` for load balancers and monitors, and Settings → System health."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kopiena.core.tasks_runtime.health import health_report
from kopiena.teams.views import workspace_view


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and a worker beat recently; 503 otherwise (so nothing says
    "healthy" while scheduled posts silently never go out).

    Anyone (a load balancer, a monitor) gets the status alone; the details — workers, queue depths,
    failures — are for signed-in staff and superusers, since they tell an outsider how busy and how
    healthy the installation is."""
    report = health_report()
    user = request.user
    detailed = user.is_authenticated and (user.is_staff or user.is_superuser)
    body = report.as_json() if detailed else {"status": "ok" if report.ok else "unhealthy"}
    return JsonResponse(body, status=200 if report.ok else 503)


@never_cache
@require_GET
@workspace_view()
def health(request: HttpRequest, ws: str) -> HttpResponse:
    """Any member may look: the system state is the same for every workspace on this installation.
    Times are shown in the workspace's zone and the reader's format, like every workspace page."""
    return render(request, "core/health.html", {"report": health_report(), "nav_active": "health"})
