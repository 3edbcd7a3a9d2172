"""The week planner's page: Calendar → Next week."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kopiena.core.params import day_in_range, out_of_range_message
from kopiena.planning.selectors import week_plan
from kopiena.teams.views import workspace_view


@workspace_view()
def week_plan_view(request: HttpRequest, ws: str) -> HttpResponse:
    """C9: next week's plan per account and day, and the to-do list that closes its gaps (?week=YYYY-MM-DD)."""
    try:
        start = date.fromisoformat(request.GET["week"]) if request.GET.get("week") else None
    except ValueError:
        start = None
    if start is not None and not day_in_range(start):  # year 1 or 9999: this week, and say why
        messages.error(request, out_of_range_message())
        start = None
    plan = week_plan(access=request.access, start=start)
    return render(
        request,
        "planning/week.html",
        {
            "plan": plan,
            "previous_week": plan.start - timedelta(days=7),
            "next_week": plan.start + timedelta(days=7),
        },
    )
