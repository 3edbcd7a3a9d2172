"""Home: /w/<ws>/today/ (where / leads after sign-in)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kopiena.home.selectors import today_for
from kopiena.teams.views import workspace_view


@workspace_view()
def today(request: HttpRequest, ws: str) -> HttpResponse:
    return render(request, "home/today.html", {"today": today_for(access=request.access)})
