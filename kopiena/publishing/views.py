"""The publishing UI under /w/<ws>/calendar/: calendar, composer, approvals, queues, content mix, bulk
import, CSV export and iCal feeds. Thin: parse the request, call one service or selector, render.

The calendar shows times in the workspace's time zone. FullCalendar gets naive local ISO strings (no
offset), so it never converts them; a drag sends the move as a day/millisecond delta and the server adds
it to the post's local wall time, so a drag across a DST change keeps the clock time the person saw.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kopiena.analytics.selectors import best_times
from kopiena.core.clock import now
from kopiena.core.errors import DomainError, NotPermitted
from kopiena.core.params import day_in_range, db_ids, moment_in_range, out_of_range_message
from kopiena.core.zones import zone_name_of, zone_of
from kopiena.integrations.selectors import accounts_of
from kopiena.policy import evaluators
from kopiena.policy.selectors import policy_current
from kopiena.publishing import checks, exporters, ical, import_files, importers, platform, queues
from kopiena.publishing.calendar_labels import GENERIC_ICON, account_badge, short_title
from kopiena.publishing.content_types import content_type_colour, content_types
from kopiena.publishing.forms import (
    CommentForm,
    FeedForm,
    ImportForm,
    PostForm,
    QueueSlotForm,
    ScheduleForm,
    alt_text_problem,
    parse_local,
    split_list,
)
from kopiena.publishing.models import ContentType, Post, PostState, Variant
from kopiena.publishing.selectors import (
    access_post,
    deliveries_for_post,
    drafts_of,
    media_library,
    post_title,
    posts_awaiting_review,
    posts_for_calendar,
)
from kopiena.publishing.services import (
    ScheduleRefused,
    post_approve,
    post_cancel,
    post_comment_add,
    post_create,
    post_reschedule,
    post_schedule,
    post_send_back,
    post_submit,
    post_update,
)
from kopiena.teams.permissions import Perm
from kopiena.teams.views import workspace_view

# Stands in for each post's id in the edit URL, reversed once per request.
_URL_ID = 987654321
# The calendar never asks for more than this at once (a list view of a year is the most it needs).
MAX_RANGE = timedelta(days=400)


def _zone(request: HttpRequest) -> ZoneInfo:
    return zone_of(request.access.workspace.timezone)


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S") if moment else ""


def _parse_moment(value: str, zone: ZoneInfo) -> datetime:
    """FullCalendar's start/end: an ISO string, naive (= local in ``zone``) or with an offset."""
    value = value.strip().replace("Z", "+00:00")
    if "T" in value:  # a "+02:00" offset arrives as " 02:00" when a query string was not encoded
        value = value.replace(" ", "+")
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _filters(request: HttpRequest) -> dict:
    get = request.GET
    return {
        "account_ids": db_ids(get.getlist("account")),
        "content_types": [v for v in get.getlist("type") if v],
        "themes": [v for v in get.getlist("theme") if v],
        "states": [v for v in get.getlist("state") if v],
    }


def _error_message(exc: DomainError) -> str:
    return _(exc.message)


# ---------------------------------------------------------------- calendar


@workspace_view()
def calendar(request: HttpRequest, ws: str) -> HttpResponse:
    workspace = request.access.workspace
    accounts = list(accounts_of(access=request.access))
    themes = _themes(workspace)
    config = {
        "eventsUrl": reverse("calendar_events", kwargs={"ws": ws}),
        "daysUrl": reverse("calendar_days", kwargs={"ws": ws}),
        "moveUrlTemplate": reverse("post_move", kwargs={"ws": ws, "post_id": 0}),
        "timeZone": zone_name_of(workspace.timezone),
        "locale": get_language() or "en",
        "canMove": request.access.can(Perm.POST_SCHEDULE),
        "texts": {
            "refused": _("The post was not moved."),
            "proposed": _("Nearest allowed time"),
            "moved": _("Moved to"),
            "failed": _("Could not move the post. Try again."),
            "flagged": _("Flagged by the communication policy"),
        },
    }
    return render(
        request,
        "publishing/calendar.html",
        {
            "accounts": accounts,
            "themes": themes,
            "content_types": [
                (key, label, content_type_colour(key))
                for key, label in content_types(request.access.workspace)
            ],
            "states": PostState.choices,
            "config": config,
            "filters": _filters(request),
            "slot_rows": _next_slots(accounts),
            **_undated_panel(request, _filters(request)["states"]),
        },
    )


DRAFTS_PAGE_SIZE = 50
# The calendar's "Drafts without a date" panel lists this many; the Drafts page has the rest.
UNDATED_IN_PANEL = 8


def _draft_rows(posts, zone: ZoneInfo, workspace) -> list[dict]:
    labels = dict(content_types(workspace))
    return [
        {
            "post": post,
            "title": post_title(post.text),
            "accounts": [variant.account for variant in post.variants.all()],
            "type_label": labels.get(post.content_type, post.content_type),
            "colour": content_type_colour(post.content_type),
            "at": post.scheduled_at.astimezone(zone) if post.scheduled_at else None,
        }
        for post in posts
    ]


@require_GET
@workspace_view()
def drafts(request: HttpRequest, ws: str) -> HttpResponse:
    """Every draft, with a date or without: a draft without one is on no calendar view, so it is found here.

    ``?panel=1`` answers the calendar's "Drafts without a date" panel (htmx, with the calendar's filters):
    empty when the calendar's State filter asks only for other states."""
    filters = _filters(request)
    states = filters.pop("states")
    zone = _zone(request)
    workspace = request.access.workspace
    if request.GET.get("panel"):
        return render(request, "publishing/_undated_drafts.html", _undated_panel(request, states))
    undated_only = request.GET.get("undated") == "1"
    page = Paginator(
        drafts_of(access=request.access, undated_only=undated_only, **filters), DRAFTS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = [("account", pk) for pk in filters["account_ids"]]
    query += [("type", v) for v in filters["content_types"]] + [("theme", v) for v in filters["themes"]]
    query += [("undated", "1")] if undated_only else []
    return render(
        request,
        "publishing/drafts.html",
        {
            "page_obj": page,
            "rows": _draft_rows(page, zone, workspace),
            "accounts": accounts_of(access=request.access),
            "content_types": content_types(workspace),
            "themes": _themes(workspace),
            "filters": filters,
            "undated_only": undated_only,
            "filtered": bool(query),
            "query": urlencode(query),
        },
    )


def _undated_panel(request: HttpRequest, states: list[str]) -> dict:
    """The calendar's panel of drafts without a date: shown for "Any state" and for a filter with Draft."""
    if states and PostState.DRAFT not in states:
        return {"undated_rows": [], "undated_total": 0, "undated_shown": False}
    filters = _filters(request)
    filters.pop("states")
    posts = drafts_of(access=request.access, undated_only=True, **filters)
    total = posts.count()
    rows = _draft_rows(posts[:UNDATED_IN_PANEL], _zone(request), request.access.workspace)
    # With "Any state" the panel shows only when there is such a draft; with State = Draft, always.
    return {"undated_rows": rows, "undated_total": total, "undated_shown": bool(total) or bool(states)}


def _themes(workspace) -> list[str]:
    return sorted(
        {t for t in Post.objects.filter(workspace=workspace).values_list("theme", flat=True).distinct() if t}
    )


def _next_slots(accounts) -> list[tuple]:
    rows = []
    for account in accounts:
        moment = queues.next_free_slot(account)
        rows.append((account, moment.astimezone(queues.account_zone(account)) if moment else None))
    return rows


@require_GET
@workspace_view()
def calendar_events(request: HttpRequest, ws: str) -> JsonResponse:
    """FullCalendar's event source: ?start=&end= (ISO) plus the filters; naive local times out."""
    zone = _zone(request)
    try:
        start = _parse_moment(request.GET["start"], zone)
        end = _parse_moment(request.GET["end"], zone)
    except (KeyError, ValueError):
        return JsonResponse({"error": _("start and end must be ISO 8601 times.")}, status=400)
    if not (moment_in_range(start) and moment_in_range(end)):
        return JsonResponse({"error": out_of_range_message()}, status=400)
    if end <= start or end - start > MAX_RANGE:
        return JsonResponse({"error": _("Ask for at most 400 days at once.")}, status=400)
    entries = posts_for_calendar(access=request.access, start=start, end=end, **_filters(request))
    badges = {
        pk: account_badge(account_id=pk, name=name, platform=platform_key)
        for pk, name, platform_key in accounts_of(access=request.access).values_list("pk", "name", "platform")
    }
    unknown = {"name": "?", "initials": "?", "colour": "#5b6770", "icon": GENERIC_ICON, "platform": ""}
    can_move = request.access.can(Perm.POST_SCHEDULE)
    # A month holds a thousand posts or more: everything that is the same for many of them is worked out
    # once here (reverse() alone was 30 µs a post), which keeps the request well under 50 ms.
    labels = dict(content_types(request.access.workspace))
    colours = {key: content_type_colour(key) for key in {entry.content_type for entry in entries}}
    state_labels = {value: str(label) for value, label in PostState.choices}
    edit_url = reverse("post_edit", kwargs={"ws": ws, "post_id": _URL_ID}).replace(str(_URL_ID), "{}")
    can_open = request.access.can(Perm.POST_DRAFT)  # the post's page needs it: no link a role cannot open
    events = [
        {
            "id": str(entry.id),
            "title": (title := entry.title or labels.get(entry.content_type, entry.content_type)),
            "start": _local(entry.scheduled_at, zone),
            "url": edit_url.format(entry.id) if can_open else "",
            "backgroundColor": colours[entry.content_type],
            "borderColor": colours[entry.content_type],
            "editable": can_move and entry.state == PostState.SCHEDULED,
            "classNames": [f"kp-state-{entry.state}"] + (["kp-flagged"] if entry.flags else []),
            "extendedProps": {
                "state": entry.state,
                "stateLabel": state_labels[entry.state],
                "contentType": entry.content_type,
                "theme": entry.theme,
                "shortTitle": short_title(title),
                "accounts": [badges.get(pk, unknown)["name"] for pk in entry.account_ids],
                "accountBadges": [badges.get(pk, unknown) for pk in entry.account_ids],
                "flags": list(entry.flags),
            },
        }
        for entry in entries
    ]
    return JsonResponse(events, safe=False)


@require_POST
@workspace_view(perm=Perm.POST_SCHEDULE)
def post_move(request: HttpRequest, ws: str, post_id: int) -> JsonResponse:
    """The calendar's drag and drop: JSON {"days": n, "milliseconds": m} added to the post's local wall
    time, or {"start": "YYYY-MM-DDTHH:MM[:SS]"} (local). Refusals answer 409 with the message, the
    problems and the proposed local time; the calendar then reverts the drag."""
    zone = _zone(request)
    post = access_post(access=request.access, post_id=post_id)
    try:
        body = json.loads(request.body or b"{}")
        if body.get("start"):
            target = _parse_moment(body["start"], zone)
        else:
            if post.scheduled_at is None:
                raise DomainError(_("Only a scheduled post can be moved."))
            wall = post.scheduled_at.astimezone(zone).replace(tzinfo=None)
            moved = wall + timedelta(
                days=int(body.get("days", 0)), milliseconds=int(body.get("milliseconds", 0))
            )
            target = moved.replace(tzinfo=zone)
    except (ValueError, TypeError, AttributeError, OverflowError):  # Overflow: days=99999999
        return JsonResponse({"ok": False, "message": _("The new time could not be read.")}, status=400)
    if not moment_in_range(target):
        return JsonResponse({"ok": False, "message": out_of_range_message()}, status=400)
    try:
        post = post_reschedule(
            access=request.access,
            post_id=post.pk,
            at=target.astimezone(UTC),
            override_reason=(body.get("override_reason") or None),
        )
    except ScheduleRefused as refused:
        return JsonResponse(
            {
                "ok": False,
                "message": refused.message,
                "rules": [p.rule for p in refused.problems],
                "proposed_at": _local(refused.proposed_at, zone) or None,
                "overridable": refused.overridable,
            },
            status=409,
        )
    except NotPermitted as exc:
        return JsonResponse({"ok": False, "message": _error_message(exc)}, status=403)
    except DomainError as exc:
        return JsonResponse({"ok": False, "message": _error_message(exc)}, status=400)
    return JsonResponse({"ok": True, "start": _local(post.scheduled_at, zone)})


# ---------------------------------------------------------------- composer


def _render_composer(request: HttpRequest, form: PostForm, post: Post | None, status: int = 200):
    context = {"form": form, "post": post, "is_new": post is None}
    if post is not None:
        zone = post.display_timezone
        # A refusal's proposal (post_schedule_view), shown again only if it is a readable future time.
        proposed = parse_local(request.GET.get("proposed", ""), zone)
        if proposed is not None and moment_in_range(proposed) and proposed > now():
            context["proposed"] = {
                "value": proposed.strftime("%Y-%m-%dT%H:%M"),
                "label": proposed.strftime("%Y-%m-%d %H:%M"),
            }
        context.update(
            {
                "schedule_form": ScheduleForm(
                    zone=zone, initial={"at": _local(post.scheduled_at, ZoneInfo(zone))[:16]}
                ),
                "comment_form": CommentForm(),
                "deliveries": deliveries_for_post(access=request.access, post_id=post.pk),
                **_post_permissions(request, post),
            }
        )
    return render(request, "publishing/composer.html", context, status=status)


def _post_permissions(request: HttpRequest, post: Post) -> dict:
    access = request.access
    manager = access.can(Perm.POST_APPROVE)
    own_draft = post.author_id == access.user.pk and post.state == PostState.DRAFT
    return {
        "can_edit": post.state
        in (PostState.DRAFT, PostState.IN_REVIEW, PostState.APPROVED, PostState.SCHEDULED)
        and (manager or own_draft),
        "can_submit": post.state == PostState.DRAFT and (own_draft or manager),
        "can_review": manager and post.state in (PostState.IN_REVIEW, PostState.DRAFT),
        "can_send_back": manager and post.state == PostState.IN_REVIEW,
        "can_schedule": access.can(Perm.POST_SCHEDULE)
        and post.state in (PostState.DRAFT, PostState.IN_REVIEW, PostState.APPROVED, PostState.SCHEDULED),
        "can_cancel": access.can(Perm.POST_SCHEDULE)
        and post.state in (PostState.DRAFT, PostState.IN_REVIEW, PostState.APPROVED, PostState.SCHEDULED),
    }


@workspace_view(perm=Perm.POST_DRAFT)
def post_new(request: HttpRequest, ws: str) -> HttpResponse:
    accounts = accounts_of(access=request.access)
    if request.method == "POST":
        form = PostForm(
            request.POST,
            request.FILES,
            accounts=accounts,
            workspace=request.access.workspace,
            library=media_library(access=request.access),
        )
        if form.is_valid():
            try:
                post = post_create(
                    access=request.access,
                    media=form.media_inputs(),
                    planned_at=form.cleaned_data["planned_at"],
                    **form.service_kwargs(),
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, _error_message(exc))
            else:
                messages.success(request, _("Draft saved."))
                return redirect("post_edit", ws=ws, post_id=post.pk)
        return _render_composer(request, form, None, status=400)
    initial = {"content_type": ContentType.TEXT}
    if len(accounts) == 1:
        initial["accounts"] = [str(accounts[0].pk)]
    # Links from the week plan prefill the account and the day's theme.
    wanted = request.GET.get("account", "")
    if any(str(a.pk) == wanted for a in accounts):
        initial["accounts"] = [wanted]
    if request.GET.get("theme"):
        initial["theme"] = request.GET["theme"][:80]
    form = PostForm(
        accounts=accounts,
        initial=initial,
        workspace=request.access.workspace,
        library=media_library(access=request.access),
    )
    return _render_composer(request, form, None)


@workspace_view(perm=Perm.POST_DRAFT)
def post_edit(request: HttpRequest, ws: str, post_id: int) -> HttpResponse:
    post = access_post(access=request.access, post_id=post_id)
    accounts = accounts_of(access=request.access)
    if request.method == "POST":
        form = PostForm(
            request.POST,
            request.FILES,
            accounts=accounts,
            post=post,
            workspace=request.access.workspace,
            library=media_library(access=request.access),
        )
        if form.is_valid():
            try:
                post_update(
                    access=request.access,
                    post_id=post.pk,
                    add_media=form.media_inputs(),
                    **form.service_kwargs(),
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, _error_message(exc))
            else:
                messages.success(request, _("Post saved."))
                return redirect("post_edit", ws=ws, post_id=post.pk)
        return _render_composer(request, form, post, status=400)
    form = PostForm(
        accounts=accounts,
        post=post,
        workspace=request.access.workspace,
        library=media_library(access=request.access),
    )
    return _render_composer(request, form, post)


@require_POST
@workspace_view(perm=Perm.POST_DRAFT)
def post_validate(request: HttpRequest, ws: str) -> HttpResponse:
    """htmx: the platforms' ``validate()`` problems for the composer's current (unsaved) values."""
    accounts = {a.pk: a for a in accounts_of(access=request.access)}
    post_id = request.POST.get("post_id", "")
    saved = access_post(access=request.access, post_id=int(post_id)) if post_id.isdigit() else None
    media = list(saved.media.all()) if saved else []
    draft = Post(
        workspace=request.access.workspace,
        content_type=request.POST.get("content_type", ContentType.TEXT),
        text=request.POST.get("text", ""),
        link=request.POST.get("link", ""),
        link_context=request.POST.get("link_context", ""),
        poll_options=split_list(request.POST.get("poll_options", ""), "\n"),
    )
    rows = []
    for raw in request.POST.getlist("accounts"):
        account = accounts.get(int(raw)) if raw.isdigit() else None
        if account is None:
            continue
        text = request.POST.get(f"variant_{account.pk}", "").strip() or draft.text
        variant = platform.DraftVariant(post=draft, account=account, text=text, media=media)
        rows.append((account, platform.check_variant(variant)))
    missing_alt = alt_text_problem(files=_chosen(request), alt_text=request.POST.get("media_alt"))
    if len(draft.text) > platform.text_ceiling():  # only "too long" can be said of it, and at once
        context = {
            "rows": rows,
            "checked": True,
            "missing_alt": missing_alt,
            "too_long": platform.text_ceiling_message(len(draft.text)),
        }
        return render(request, "publishing/_problems.html", context)
    policy = policy_current(workspace=request.access.workspace)
    links = evaluators.check_links(policy, draft.text, draft.link, draft.link_context, 0, 0)
    link_notes = [v.message for v in links if not v.blocking]  # flags: scheduling goes ahead
    link_refusals = [v.message for v in links if v.blocking]  # refused when scheduling
    at = saved.scheduled_at if saved and saved.scheduled_at else now()
    mix_notes = [
        note
        for account, _check in rows
        for note in _mix_notes(policy, account, draft.content_type, at, saved.pk if saved else None)
    ]
    context = {
        "rows": rows,
        "link_notes": link_notes,
        "link_refusals": link_refusals,
        "mix_notes": mix_notes,
        "missing_alt": missing_alt,
        "media_count": len(media) + _chosen(request),
        "checked": bool(rows) or bool(missing_alt),
    }
    return render(request, "publishing/_problems.html", context)


def _chosen(request: HttpRequest) -> int:
    """How many files the composer has chosen but not uploaded yet (composer.js keeps ``media_chosen``)."""
    raw = request.POST.get("media_chosen", "")
    return min(int(raw), 100) if raw.isdigit() else 0


@require_GET
@workspace_view(perm=Perm.POST_DRAFT)
def post_next_slot(request: HttpRequest, ws: str) -> JsonResponse:
    """The composer's "next free slot": the first free slot of the chosen account's queue that the policy's
    time rules allow, as ``{"local": "YYYY-MM-DDTHH:MM"}`` in the workspace's zone, or ``{"local": null,
    "reason": …}``."""
    accounts = {str(a.pk): a for a in accounts_of(access=request.access)}
    account = accounts.get(request.GET.get("account", ""))
    if account is None:
        return JsonResponse({"local": None, "reason": _("Choose an account first.")})
    draft = Post(
        workspace=request.access.workspace,
        content_type=request.GET.get("content_type", ContentType.TEXT)[:40],
        link=request.GET.get("link", "")[:2000],
    )
    moment = queues.next_free_slot(
        account,
        allowed=lambda when: (
            not checks.refusals_of(checks.policy_problems(post=draft, at=when, accounts=[account]))
        ),
    )
    if moment is None:
        return JsonResponse(
            {
                "local": None,
                "reason": _("No free queue slot in the next weeks. Add time slots or pick a time."),
            }
        )
    return JsonResponse({"local": _local(moment, _zone(request))[:16], "reason": ""})


def _mix_notes(policy, account, content_type: str, at: datetime, post_id: int | None) -> list[str]:
    """M6: whether one more post of this type makes the account's drifted mix for that week worse."""
    zone = zone_of(account.timezone, account.workspace.timezone)
    day = at.astimezone(zone).date()
    start = datetime.combine(day - timedelta(days=day.weekday()), time(0), tzinfo=zone)
    counts = _period_counts(account.workspace, account.pk, start, start + timedelta(days=7), exclude=post_id)
    report = evaluators.check_mix(policy, evaluators.account_key_for(account), counts, content_type)
    return [f"{account.name}: {violation.message}" for violation in report.violations]


def _act(request: HttpRequest, ws: str, post_id: int, action, success: str, **kwargs) -> HttpResponse:
    try:
        action(access=request.access, post_id=post_id, **kwargs)
    except NotPermitted as exc:
        raise PermissionDenied(_error_message(exc)) from exc
    except DomainError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, success)
    target = request.POST.get("next", "")
    if not target.startswith(f"/w/{ws}/"):  # only back into this workspace, never an open redirect
        target = reverse("post_edit", kwargs={"ws": ws, "post_id": post_id})
    return redirect(target)


@require_POST
@workspace_view(perm=Perm.POST_DRAFT)
def post_submit_view(request, ws, post_id):
    access_post(access=request.access, post_id=post_id)
    return _act(request, ws, post_id, post_submit, _("Submitted for review."))


@require_POST
@workspace_view(perm=Perm.POST_APPROVE)
def post_approve_view(request, ws, post_id):
    access_post(access=request.access, post_id=post_id)
    comment = request.POST.get("comment", "")
    return _act(request, ws, post_id, post_approve, _("Approved."), comment=comment)


@require_POST
@workspace_view(perm=Perm.POST_APPROVE)
def post_send_back_view(request, ws, post_id):
    access_post(access=request.access, post_id=post_id)
    comment = request.POST.get("comment", "")
    return _act(request, ws, post_id, post_send_back, _("Sent back to the author."), comment=comment)


@require_POST
@workspace_view(perm=Perm.POST_DRAFT)
def post_comment_view(request, ws, post_id):
    access_post(access=request.access, post_id=post_id)
    body = request.POST.get("comment", "")
    try:
        post_comment_add(access=request.access, post_id=post_id, body=body)
    except DomainError as exc:
        messages.error(request, _error_message(exc))
    return redirect("post_edit", ws=ws, post_id=post_id)


@require_POST
@workspace_view(perm=Perm.POST_SCHEDULE)
def post_cancel_view(request, ws, post_id):
    access_post(access=request.access, post_id=post_id)
    return _act(request, ws, post_id, post_cancel, _("Taken off the calendar."))


@require_POST
@workspace_view(perm=Perm.POST_SCHEDULE)
def post_schedule_view(request: HttpRequest, ws: str, post_id: int) -> HttpResponse:
    post = access_post(access=request.access, post_id=post_id)
    form = ScheduleForm(request.POST, zone=post.display_timezone)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("post_edit", ws=ws, post_id=post_id)
    moment = form.cleaned_data["moment"] or _next_slot_for(post)
    if moment is None:
        messages.error(request, _("No free queue slot in the next weeks. Add time slots or pick a time."))
        return redirect("post_edit", ws=ws, post_id=post_id)
    action = post_reschedule if post.state == PostState.SCHEDULED else post_schedule
    reason = form.cleaned_data["override_reason"].strip() or None
    try:
        action(access=request.access, post_id=post_id, at=moment.astimezone(UTC), override_reason=reason)
    except ScheduleRefused as refused:
        messages.error(request, refused.message)
        if refused.proposed_at is not None:  # offered in one click ("Use this time") on the post page
            target = reverse("post_edit", kwargs={"ws": ws, "post_id": post_id})
            local = _local(refused.proposed_at, ZoneInfo(post.display_timezone))[:16]
            return redirect(f"{target}?{urlencode({'proposed': local})}")
    except NotPermitted as exc:
        raise PermissionDenied(_error_message(exc)) from exc
    except DomainError as exc:
        messages.error(request, _error_message(exc))
    else:
        local = moment.astimezone(ZoneInfo(post.display_timezone))
        messages.success(request, _("Scheduled for %(at)s.") % {"at": local.strftime("%Y-%m-%d %H:%M")})
    return redirect("post_edit", ws=ws, post_id=post_id)


def _next_slot_for(post: Post) -> datetime | None:
    """The first slot of the post's first account's queue that every time-based policy rule allows."""
    variant = post.variants.select_related("account").first()
    if variant is None:
        return None
    accounts = [v.account for v in post.variants.select_related("account")]

    def allowed(moment: datetime) -> bool:
        return not checks.refusals_of(checks.policy_problems(post=post, at=moment, accounts=accounts))

    return queues.next_free_slot(variant.account, allowed=allowed)


# ---------------------------------------------------------------- approvals, mix, queues


@workspace_view()
def approvals(request: HttpRequest, ws: str) -> HttpResponse:
    posts = list(posts_awaiting_review(access=request.access).prefetch_related("variants__account"))
    labels = dict(content_types(request.access.workspace))
    for post in posts:
        post.content_type_label = labels.get(post.content_type, post.content_type)
    return render(
        request,
        "publishing/approvals.html",
        {"posts": posts, "can_review": request.access.can(Perm.POST_APPROVE)},
    )


def _period_counts(
    workspace, account_id: int | None, start: datetime, end: datetime, exclude: int | None = None
) -> dict[str, int]:
    posts = Post.objects.filter(workspace=workspace, scheduled_at__gte=start, scheduled_at__lt=end).exclude(
        state__in=[PostState.CANCELLED, PostState.FAILED]
    )
    if exclude:
        posts = posts.exclude(pk=exclude)
    if account_id:
        posts = posts.filter(pk__in=Variant.objects.filter(account_id=account_id).values("post_id"))
    counts: dict[str, int] = {}
    for content_type in posts.values_list("content_type", flat=True):
        counts[content_type] = counts.get(content_type, 0) + 1
    return counts


def mix_report(*, access, account=None, today: date | None = None) -> list[dict]:
    """Planned versus target shares for this week and this month (workspace-wide or for one account)."""
    workspace = access.workspace
    zone = zone_of(account.timezone if account else "", workspace.timezone)
    policy = policy_current(workspace=workspace)
    key = evaluators.account_key_for(account) if account else ""
    today = today or now().astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    periods = [
        ("week", _("This week"), monday, monday + timedelta(days=7)),
        ("month", _("This month"), first, next_month),
    ]
    language = get_language() or "en"
    reports = []
    for key_name, label, start_day, end_day in periods:
        start = datetime.combine(start_day, time(0), tzinfo=zone)
        end = datetime.combine(end_day, time(0), tzinfo=zone)
        counts = _period_counts(workspace, account.pk if account else None, start, end)
        report = evaluators.check_mix(policy, key, counts, ContentType.TEXT)
        reports.append(
            {
                "key": key_name,
                "label": label,
                "total": report.total,
                "drifted": report.drifted,
                "tolerance": report.tolerance_percent,
                "rows": [
                    {
                        "type": row.content_type,
                        "label": evaluators.content_type_label(policy, row.content_type, language),
                        "planned": row.planned,
                        "planned_percent": round(row.planned_percent, 1),
                        "target_percent": row.target_percent,
                        "drift_percent": round(row.drift_percent, 1),
                        "off": abs(row.drift_percent) > report.tolerance_percent and report.total > 0,
                    }
                    for row in report.rows
                ],
            }
        )
    return reports


@workspace_view()
def content_mix(request: HttpRequest, ws: str) -> HttpResponse:
    accounts = list(accounts_of(access=request.access))
    raw = request.GET.get("account", "")
    account = next((a for a in accounts if str(a.pk) == raw), None)
    reports = mix_report(access=request.access, account=account)
    chart = {
        "labels": [r["label"] for r in reports[0]["rows"]] if reports else [],
        "series": {
            r["key"]: {
                "planned": [row["planned_percent"] for row in r["rows"]],
                "target": [row["target_percent"] for row in r["rows"]],
            }
            for r in reports
        },
        "texts": {"planned": _("Planned %"), "target": _("Target %")},
    }
    return render(
        request,
        "publishing/mix.html",
        {"reports": reports, "chart": chart, "accounts": accounts, "account": account},
    )


@workspace_view()
def queue_list(request: HttpRequest, ws: str) -> HttpResponse:
    accounts = list(accounts_of(access=request.access))
    can_edit = request.access.can(Perm.POST_SCHEDULE)
    form = QueueSlotForm(request.POST or None, accounts=accounts)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                queues.queue_slot_add(
                    access=request.access,
                    account_id=int(form.cleaned_data["account"]),
                    weekday=form.cleaned_data["weekday"],
                    local_time=form.cleaned_data["local_time"],
                )
            except DomainError as exc:
                messages.error(request, _error_message(exc))
            else:
                messages.success(request, _("Time slot added."))
                return redirect("queues", ws=ws)
    slots = list(queues.queue_slots(access=request.access))
    by_account = [
        (
            account,
            [s for s in slots if s.account_id == account.pk],
            moment,
            best_times(workspace=request.access.workspace, account_id=account.pk),  # issue 13 item 4
        )
        for account, moment in _next_slots(accounts)
    ]
    return render(
        request, "publishing/queues.html", {"form": form, "by_account": by_account, "can_edit": can_edit}
    )


@require_POST
@workspace_view(perm=Perm.POST_SCHEDULE)
def queue_slot_delete(request: HttpRequest, ws: str, slot_id: int) -> HttpResponse:
    try:
        queues.queue_slot_remove(access=request.access, slot_id=slot_id)
    except DomainError as exc:
        raise Http404 from exc
    messages.success(request, _("Time slot removed."))
    return redirect("queues", ws=ws)


# ---------------------------------------------------------------- import / export


@workspace_view(perm=Perm.POST_DRAFT)
def import_upload(request: HttpRequest, ws: str) -> HttpResponse:
    """Upload → preview (every row checked, nothing written) → confirm (all or nothing).

    A file that passes the preview stays on the server (``import_files``, bound to this person and
    workspace); the confirm button sends only its token, so large files confirm too."""
    accounts = list(accounts_of(access=request.access))
    form = ImportForm(request.POST or None, request.FILES or None, accounts=accounts)
    if request.method == "POST" and request.POST.get("confirm"):
        stored = import_files.import_file_load(access=request.access, token=request.POST.get("upload", ""))
        import_files.import_file_discard(token=stored.token)  # used once, whatever the outcome
        result = _run_import(request, stored.content, stored.filename, stored.default_account, dry_run=False)
        if result.ok:
            messages.success(request, _("Imported %(count)s posts.") % {"count": result.created})
            return redirect("calendar", ws=ws)
        fresh = ImportForm(accounts=accounts)  # an upload form for the fixed file, under the problems
        return render(request, "publishing/import.html", _import_context(fresh, result))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        default_account = form.cleaned_data["default_account"] or None
        result = _run_import(request, content, upload.name, default_account, dry_run=True)
        token = ""
        if result.ok:
            token = import_files.import_file_store(
                access=request.access, content=content, filename=upload.name, default_account=default_account
            )
        return render(request, "publishing/import.html", _import_context(form, result, token))
    return render(request, "publishing/import.html", {"form": form, "columns": importers.OUR_COLUMNS})


def _run_import(request, content: bytes, name: str, default_account: str | None, *, dry_run: bool):
    return importers.posts_import(
        access=request.access,
        content=content,
        filename=name,
        default_account=default_account,
        dry_run=dry_run,
    )


def _import_context(form, result, token: str = "") -> dict:
    return {"form": form, "result": result, "upload": token, "columns": importers.OUR_COLUMNS}


@require_GET
@workspace_view()
def calendar_export(request: HttpRequest, ws: str) -> HttpResponse:
    """The calendar as CSV in the import format (round-trips). ?start=&end= (dates, local); default: from
    today on, a year ahead."""
    zone = _zone(request)
    try:
        start_day = (
            date.fromisoformat(request.GET["start"])
            if request.GET.get("start")
            else now().astimezone(zone).date()
        )
        end_day = date.fromisoformat(request.GET["end"]) if request.GET.get("end") else None
    except ValueError as exc:
        raise Http404 from exc
    if end_day is None and day_in_range(start_day):
        end_day = start_day + timedelta(days=366)
    if not (day_in_range(start_day) and end_day and day_in_range(end_day)):
        return HttpResponse(out_of_range_message(), status=400, content_type="text/plain; charset=utf-8")
    body = exporters.calendar_csv(
        access=request.access,
        start=datetime.combine(start_day, time(0), tzinfo=zone),
        end=datetime.combine(end_day, time(0), tzinfo=zone),
        **_filters(request),
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ws}-calendar-{start_day}.csv"'
    return response


# ---------------------------------------------------------------- iCal feeds


@workspace_view()
def feeds(request: HttpRequest, ws: str) -> HttpResponse:
    accounts = list(accounts_of(access=request.access))
    can_edit = request.access.can(Perm.POST_SCHEDULE)
    form = FeedForm(request.POST or None, accounts=accounts)
    new_url = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        action = request.POST.get("action", "create")
        try:
            if action == "create" and form.is_valid():
                raw = form.cleaned_data["account"]
                _feed, token = ical.calendar_feed_create(
                    access=request.access, account_id=int(raw) if raw else None
                )
                new_url = _feed_url(request, ws, token)
            elif action == "revoke":
                ical.calendar_feed_revoke(access=request.access, feed_id=int(request.POST["feed"]))
                messages.success(request, _("Feed revoked. Its address no longer works."))
            elif action == "regenerate":
                _feed, token = ical.calendar_feed_regenerate(
                    access=request.access, feed_id=int(request.POST["feed"])
                )
                new_url = _feed_url(request, ws, token)
        except (DomainError, KeyError, ValueError) as exc:
            messages.error(
                request, _error_message(exc) if isinstance(exc, DomainError) else _("No such feed.")
            )
    return render(
        request,
        "publishing/feeds.html",
        {
            "feeds": ical.calendar_feeds(access=request.access) if can_edit else [],
            "form": form,
            "can_edit": can_edit,
            "new_url": new_url,
        },
    )


def _feed_url(request: HttpRequest, ws: str, token: str) -> str:
    return request.build_absolute_uri(reverse("ical_feed", kwargs={"ws": ws, "token": token}))


@require_GET
def ical_feed(request: HttpRequest, ws: str, token: str) -> HttpResponse:
    """Public: the secret token is the credential (calendar apps cannot sign in). Unknown, revoked or
    another workspace's token → 404."""
    feed = ical.calendar_feed_by_token(token=token)
    if feed is None or feed.workspace.slug != ws:
        raise Http404
    body = ical.ical_document(feed, domain=request.get_host().split(":")[0] or "kopiena")
    ical.calendar_feed_fetched(feed=feed)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
