"""The week planner's page: Calendar → Next week."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kopiena.core.errors import DomainError
from kopiena.core.params import day_in_range, db_ids, db_int, out_of_range_message
from kopiena.planning import days as days_lib
from kopiena.planning import services
from kopiena.planning.selectors import proposals_for_week, week_plan
from kopiena.teams.permissions import Perm
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
            "days": days_lib.days_between(workspace=request.access.workspace, start=plan.start, end=plan.end),
            "proposals": proposals_for_week(access=request.access, start=plan.start),
        },
    )


# ---------------------------------------------------------------- days, proposals, ideas


def _proposal_rows(access, start):
    return proposals_for_week(access=access, start=start)


@require_POST
@workspace_view(perm=Perm.POST_DRAFT)
def week_generate(request: HttpRequest, ws: str) -> HttpResponse:
    start = _start_from(request.POST.get("week"))
    account = request.POST.get("account")
    try:
        result = services.proposals_generate(
            access=request.access,
            start=start,
            account_ids=[db_int(account) or 0] if account else None,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if result.proposals:
            messages.success(request, _("The planner proposed %(n)s posts.") % {"n": len(result.proposals)})
        for account_obj, reasons in result.empty:
            messages.warning(
                request,
                _("%(account)s: no free slot this week. %(why)s")
                % {"account": account_obj.name, "why": " ".join(reasons[:3])},
            )
    return redirect(f"{reverse('week_plan', kwargs={'ws': ws})}?week={start.isoformat()}#proposals")


@require_POST
@workspace_view(perm=Perm.POST_DRAFT)
def week_accept(request: HttpRequest, ws: str) -> HttpResponse:
    start = _start_from(request.POST.get("week"))
    ids = db_ids(request.POST.getlist("proposal"))
    if request.POST.get("all"):
        ids = [p.pk for p in _proposal_rows(request.access, start) if p.status == "proposed"]
    if not ids:
        messages.error(request, _("Choose at least one proposal."))
    else:
        try:
            posts = services.proposals_accept(access=request.access, proposal_ids=ids)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("%(n)s drafts are on the calendar, waiting for approval.") % {"n": len(posts)}
            )
    return redirect(f"{reverse('week_plan', kwargs={'ws': ws})}?week={start.isoformat()}#proposals")


@require_POST
@workspace_view(perm=Perm.POST_DRAFT)
def week_regenerate(request: HttpRequest, ws: str, proposal_id: int) -> HttpResponse:
    start = _start_from(request.POST.get("week"))
    if services.proposal_regenerate(access=request.access, proposal_id=proposal_id) is None:
        messages.warning(request, _("Nothing else fits this slot."))
    return redirect(f"{reverse('week_plan', kwargs={'ws': ws})}?week={start.isoformat()}#proposals")


def _start_from(value: str | None) -> date:
    try:
        start = date.fromisoformat(value or "")
        if not day_in_range(start):
            raise ValueError(value)
    except ValueError:
        from kopiena.core.zones import zone_of
        from kopiena.planning.selectors import next_week_start

        return next_week_start(zone_of(""))
    return start - timedelta(days=start.weekday())


@workspace_view()
def ideas(request: HttpRequest, ws: str) -> HttpResponse:
    """The idea bank (C2–C10), its templates and examples, local events and consents."""
    from kopiena.integrations.models import ConnectedAccount
    from kopiena.planning.forms import ConsentForm, EventForm, IdeaForm
    from kopiena.planning.idea_templates import TEMPLATES, template_for
    from kopiena.planning.models import IdeaKind
    from kopiena.planning.selectors import ideas_of

    access = request.access
    idea_form, event_form = IdeaForm(prefix="idea"), EventForm(prefix="event")
    accounts = list(ConnectedAccount.objects.filter(workspace=access.workspace).order_by("name", "id"))
    consent_form = ConsentForm(prefix="consent", accounts=accounts)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "idea":
                idea_form = IdeaForm(request.POST, prefix="idea")
                if idea_form.is_valid():
                    services.idea_create(access=access, **idea_form.service_kwargs())
                    messages.success(request, _("Idea saved."))
                    return redirect("ideas", ws=ws)
            elif action == "event":
                event_form = EventForm(request.POST, prefix="event")
                if event_form.is_valid():
                    services.local_event_add(access=access, **event_form.cleaned_data)
                    messages.success(request, _("Event saved."))
                    return redirect("ideas", ws=ws)
            elif action == "feed":
                services.event_feed_add(
                    access=access, name=request.POST.get("name", ""), url=request.POST.get("url", "")
                )
                messages.success(request, _("Calendar imported."))
                return redirect("ideas", ws=ws)
            elif action == "consent":
                consent_form = ConsentForm(request.POST, request.FILES, prefix="consent", accounts=accounts)
                if consent_form.is_valid():
                    with transaction.atomic():
                        consent = services.consent_create(access=access, **consent_form.service_kwargs())
                        if consent_form.cleaned_data["quote"]:
                            services.idea_create(
                                access=access,
                                kind="testimonial",
                                title=consent_form.cleaned_data["quote"],
                                consent_id=consent.pk,
                            )
                    messages.success(request, _("Consent recorded."))
                    return redirect("ideas", ws=ws)
            elif action == "withdraw":
                flagged = services.consent_withdraw(
                    access=access,
                    consent_id=request.POST.get("consent", ""),
                    reason=request.POST.get("reason", ""),
                )
                messages.warning(
                    request, _("Consent withdrawn; %(n)s posts using it are flagged.") % {"n": len(flagged)}
                )
                return redirect("ideas", ws=ws)
            elif action == "refresh":
                found = services.ideas_refresh(access=access)
                messages.success(
                    request,
                    _("Found %(faq)s FAQ, %(topics)s topic and %(links)s link ideas.")
                    % {"faq": found.faq, "topics": found.topics, "links": found.links},
                )
                return redirect("ideas", ws=ws)
            elif action == "status":
                services.idea_set_status(
                    access=access, idea_id=int(request.POST["idea"]), status=request.POST["status"]
                )
                return redirect("ideas", ws=ws)
        except DomainError as exc:
            messages.error(request, exc.message)
    language = (get_language() or "en")[:2]
    from kopiena.planning.models import Consent, EventFeed, LocalEvent

    return render(
        request,
        "planning/ideas.html",
        {
            "ideas": ideas_of(access=access),
            "kinds": [
                (value, label, template_for(value, language)["example"])
                for value, label in IdeaKind.choices
                if value in TEMPLATES
            ],
            "idea_form": idea_form,
            "consent_form": consent_form,
            "event_form": event_form,
            "events": LocalEvent.objects.filter(workspace=access.workspace).order_by("starts_on")[:50],
            "feeds": EventFeed.objects.filter(workspace=access.workspace),
            "consents": Consent.objects.filter(workspace=access.workspace).prefetch_related("accounts")[:50],
        },
    )


@require_POST
@workspace_view(perm=Perm.POST_DRAFT)
def idea_from_item_view(request: HttpRequest, ws: str, item_id: int) -> HttpResponse:
    """The inbox thread's "Make a post from this comment"."""
    services.idea_from_item(access=request.access, item_id=item_id)
    messages.success(request, _("Saved to the idea bank."))
    return redirect("ideas", ws=ws)


@require_GET
@workspace_view()
def days_json(request: HttpRequest, ws: str) -> JsonResponse:
    """The calendar's second event source: days as all-day background entries (?start=&end=, ISO)."""
    try:
        start = date.fromisoformat(request.GET["start"][:10])
        end = date.fromisoformat(request.GET["end"][:10])
    except (KeyError, ValueError):
        return JsonResponse({"error": _("start and end must be ISO 8601 dates.")}, status=400)
    if not (day_in_range(start) and day_in_range(end)):
        return JsonResponse({"error": out_of_range_message()}, status=400)
    if end < start or (end - start).days > 62:
        return JsonResponse({"error": _("Ask for at most 62 days at once.")}, status=400)
    entries = days_lib.days_between(workspace=request.access.workspace, start=start, end=end)
    colours = {"holiday": "#dc3545", "observance": "#6f42c1", "event": "#198754", "nameday": "#6c757d"}
    return JsonResponse(
        [
            {
                "title": d.name + (f" {d.hashtag}" if d.hashtag else ""),
                # Special days are many: a dot and a line, so the day's posts stay readable.
                "display": "list-item" if d.kind == "observance" else "block",
                "start": d.day.isoformat(),
                "allDay": True,
                "editable": False,
                "backgroundColor": colours[d.kind],
                "borderColor": colours[d.kind],
                "classNames": ["kp-day", f"kp-day-{d.kind}"],
                "extendedProps": {"kind": d.kind, "note": d.note, "category": d.category},
            }
            for d in entries
            if d.kind != "nameday"
        ],
        safe=False,
    )
