"""Competitors, Trends and Leaders pages under /w/<ws>/listening/ (thin: parse, call, render)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kopiena.audit.services import audit_record
from kopiena.core.errors import DomainError
from kopiena.listening import competitors, leaders, trends
from kopiena.listening.insight_export import competitor_posts_csv, leaders_csv
from kopiena.teams.models import User
from kopiena.teams.permissions import Perm
from kopiena.teams.views import workspace_view

TREND_DAYS = trends.PERIODS_DAYS


def _csv(chunks, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---- competitors ----------------------------------------------------------------------------------


@workspace_view(Perm.INBOX_READ)
def competitors_page(request: HttpRequest, ws: str):
    workspace = request.access.workspace
    tracked = list(competitors.competitors_of(workspace=workspace))
    posts = {c.pk: list(competitors.competitor_posts(competitor=c, limit=5)) for c in tracked}
    return render(
        request,
        "listening/competitors.html",
        {
            "nav_active": "listening",
            "competitors": [{"competitor": c, "posts": posts[c.pk]} for c in tracked],
            "weekly": competitors.weekly_comparison(workspace=workspace) if tracked else None,
            "cadence": competitors.cadence_and_mix(workspace=workspace) if tracked else [],
            "share": competitors.share_of_voice(workspace=workspace) if tracked else [],
            "chart_texts": {"posts": _("Posts"), "engagement": _("Engagement"), "us": _("Us")},
        },
    )


@require_POST
@workspace_view(Perm.LISTENING_MANAGE)
def competitor_create_view(request: HttpRequest, ws: str):
    try:
        competitor = competitors.competitor_create(
            access=request.access, name=request.POST.get("name", ""),
            aliases=[a for a in request.POST.get("aliases", "").split(",")],
        )  # fmt: skip
        if request.POST.get("feed_url"):
            competitors.competitor_account_add(
                access=request.access, competitor_id=competitor.pk, platform=request.POST.get("platform", ""),
                handle=request.POST.get("handle", ""), feed_url=request.POST.get("feed_url", ""),
            )  # fmt: skip
        messages.success(request, _("Competitor added."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("listening_competitors", ws=ws)


@require_POST
@workspace_view(Perm.LISTENING_MANAGE)
def competitor_account_view(request: HttpRequest, ws: str, competitor_id: int):
    try:
        competitors.competitor_account_add(
            access=request.access, competitor_id=competitor_id, platform=request.POST.get("platform", ""),
            handle=request.POST.get("handle", ""), feed_url=request.POST.get("feed_url", ""),
        )  # fmt: skip
        messages.success(request, _("Account added; its posts arrive with the next fetch."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("listening_competitors", ws=ws)


@require_POST
@workspace_view(Perm.LISTENING_MANAGE)
def competitor_delete_view(request: HttpRequest, ws: str, competitor_id: int):
    competitors.competitor_delete(access=request.access, competitor_id=competitor_id)
    messages.success(request, _("Competitor removed."))
    return redirect("listening_competitors", ws=ws)


@workspace_view(Perm.INBOX_READ)
def competitors_csv_view(request: HttpRequest, ws: str):
    access = request.access
    audit_record(actor=access.user, workspace=access.workspace, action="listening.competitors_export",
                 object_type="listening.competitorpost", defer=True)  # fmt: skip
    return _csv(competitor_posts_csv(workspace=access.workspace), "competitor-posts.csv")


# ---- trends ---------------------------------------------------------------------------------------


def _days(request: HttpRequest) -> int:
    value = request.GET.get("days") or request.POST.get("days") or "7"
    return int(value) if value.isdigit() and int(value) in TREND_DAYS else 7


@workspace_view(Perm.INBOX_READ)
def trends_page(request: HttpRequest, ws: str):
    days = _days(request)
    found = trends.trends_current(
        workspace=request.access.workspace, days=days, refresh="refresh" in request.GET
    )
    return render(
        request,
        "listening/trends.html",
        {"nav_active": "listening", "found": found, "days": days, "choices": TREND_DAYS},
    )


@require_POST
@workspace_view(Perm.POST_DRAFT)
def trend_idea_view(request: HttpRequest, ws: str):
    try:
        idea = trends.trend_post_idea_create(
            access=request.access, label=request.POST.get("label", ""),
            terms=request.POST.getlist("terms"), examples=request.POST.getlist("examples"),
            days=_days(request), kind=request.POST.get("kind", "topic")[:10],
        )  # fmt: skip
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("listening_trends", ws=ws)
    messages.success(request, _("A draft post was made from the trend."))
    return redirect("post_edit", ws=ws, post_id=idea.post_id)


# ---- leaders --------------------------------------------------------------------------------------


@workspace_view(Perm.INBOX_READ)
def leaders_page(request: HttpRequest, ws: str):
    ranked = leaders.leaders_ranked(workspace=request.access.workspace)
    return render(request, "listening/leaders.html", {"nav_active": "listening", "leaders": ranked})


@workspace_view(Perm.INBOX_READ)
def leaders_csv_view(request: HttpRequest, ws: str):
    access = request.access
    audit_record(actor=access.user, workspace=access.workspace, action="listening.leaders_export",
                 object_type="listening.person", defer=True)  # fmt: skip
    return _csv(leaders_csv(leaders.leaders_ranked(workspace=access.workspace, limit=5000)), "leaders.csv")


def _person_context(request: HttpRequest, *, person=None, platform: str = "", handle: str = "") -> dict:
    workspace = request.access.workspace
    if person is not None:
        handles = [(h.platform, h.handle) for h in person.handles.all()]
    else:
        handles = [(platform, handle)]
    history = leaders.person_history(workspace=workspace, handles=handles)
    if person is None and not history:
        raise Http404
    members = User.objects.filter(memberships__workspace=workspace).order_by("first_name", "email")
    return {
        "nav_active": "listening",
        "person": person,
        "handles": handles,
        "platform": platform or handles[0][0],
        "handle": handle or handles[0][1],
        "history": history,
        "notes": list(person.notes.select_related("author")) if person else [],
        "tasks": list(person.tasks.select_related("assignee")) if person else [],
        "members": members,
        "today": date.today().isoformat(),
    }


@workspace_view(Perm.INBOX_READ)
def person_page(request: HttpRequest, ws: str, person_id: int):
    person = leaders.access_person(access=request.access, pk=person_id)
    return render(request, "listening/person.html", _person_context(request, person=person))


@workspace_view(Perm.INBOX_READ)
def handle_page(request: HttpRequest, ws: str, platform: str, handle: str):
    person = leaders.person_for_handle(workspace=request.access.workspace, platform=platform, handle=handle)
    if person is not None:
        return redirect("listening_person", ws=ws, person_id=person.pk)
    return render(
        request, "listening/person.html", _person_context(request, platform=platform, handle=handle)
    )


def _person_for_post(request: HttpRequest):
    """The person a form is about: an existing one (``person``) or the one behind a handle, made now."""
    person_id = request.POST.get("person", "")
    if person_id.isdigit():
        return leaders.access_person(access=request.access, pk=int(person_id))
    return leaders.person_ensure(
        access=request.access, platform=request.POST.get("platform", ""), handle=request.POST.get("handle", ""),
        display_name=request.POST.get("display_name", ""),
    )  # fmt: skip


@require_POST
@workspace_view(Perm.INBOX_READ)
def person_note_view(request: HttpRequest, ws: str):
    try:
        person = _person_for_post(request)
        leaders.person_note_add(access=request.access, person_id=person.pk, body=request.POST.get("body", ""))
        messages.success(request, _("Note saved."))
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(request, ws)
    return redirect("listening_person", ws=ws, person_id=person.pk)


def _back(request: HttpRequest, ws: str):
    person_id = request.POST.get("person", "")
    if person_id.isdigit():
        return redirect("listening_person", ws=ws, person_id=int(person_id))
    platform, handle = request.POST.get("platform", ""), request.POST.get("handle", "")
    if platform and handle:
        return redirect("listening_handle", ws=ws, platform=platform, handle=handle)
    return redirect("listening_leaders", ws=ws)


@require_POST
@workspace_view(Perm.INBOX_READ)
def person_task_view(request: HttpRequest, ws: str):
    try:
        due = date.fromisoformat(request.POST.get("due_date", ""))
    except ValueError:
        messages.error(request, _("Choose a due date."))
        return _back(request, ws)
    assignee = request.POST.get("assignee", "")
    try:
        person = _person_for_post(request)
        leaders.person_task_create(
            access=request.access, person_id=person.pk, title=request.POST.get("title", ""),
            assignee_id=int(assignee) if assignee.isdigit() else 0, due_date=due,
        )  # fmt: skip
        messages.success(request, _("Task assigned."))
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(request, ws)
    return redirect("listening_person", ws=ws, person_id=person.pk)


@require_POST
@workspace_view(Perm.INBOX_READ)
def person_task_done_view(request: HttpRequest, ws: str, task_id: int):
    task = leaders.person_task_done(access=request.access, task_id=task_id)
    return redirect("listening_person", ws=ws, person_id=task.person_id)


@require_POST
@workspace_view(Perm.INBOX_READ)
def person_handle_view(request: HttpRequest, ws: str):
    """Add another platform's handle to this person (a handle that is already someone's merges them)."""
    try:
        person = _person_for_post(request)
        person = leaders.person_handle_add(
            access=request.access, person_id=person.pk, platform=request.POST.get("other_platform", ""),
            handle=request.POST.get("other_handle", ""),
        )  # fmt: skip
        messages.success(request, _("Handle added to this person."))
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(request, ws)
    return redirect("listening_person", ws=ws, person_id=person.pk)
