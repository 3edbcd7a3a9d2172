"""Contests under /w/<ws>/contests/ and the public regulations and verification pages under /c/<id>/.
Thin: parse input, call one service or selector, render."""

from __future__ import annotations

import json
from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kopiena.audit.services import audit_record
from kopiena.contests import checklist, selectors, services
from kopiena.contests import draw as drawing
from kopiena.contests.export import entries_csv
from kopiena.contests.models import ContestState, Decision, Mechanic, QuizJudging, WinnerStatus
from kopiena.core.errors import DomainError
from kopiena.core.zones import zone_of
from kopiena.integrations.models import AccountStatus, ConnectedAccount
from kopiena.teams.permissions import Perm
from kopiena.teams.views import workspace_view

VERIFY_MAX_BYTES = 20 * 1024 * 1024
OVERRULE_CHOICES = [Decision.ELIGIBLE, Decision.INELIGIBLE, Decision.WRONG_ANSWER, Decision.DUPLICATE,
                    Decision.STAFF, Decision.SPAM]  # fmt: skip


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


def _local_input(value: str, zone_name: str) -> datetime | None:
    try:
        naive = datetime.strptime(value or "", "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    return timezone.make_aware(naive, zone_of(zone_name))


def _form_values(request: HttpRequest) -> tuple[dict, list[tuple[int, str]], dict]:
    post = request.POST
    zone_name = post.get("timezone", "") or request.access.workspace.timezone
    form = {key: post.get(key, "") for key in post}
    form["languages"] = post.getlist("languages")
    fields = {
        "title": post.get("title", ""),
        "description": post.get("description", ""),
        "timezone": zone_name,
        "starts_at": _local_input(post.get("starts_at", ""), zone_name),
        "ends_at": _local_input(post.get("ends_at", ""), zone_name),
        "prizes": (post.get("prizes") or "").splitlines(),
        "winners_count": int(post.get("winners_count") or 0)
        if (post.get("winners_count") or "").isdigit()
        else 0,
        "mechanic": post.get("mechanic", Mechanic.COMMENT),
        "keyword": post.get("keyword", "").strip(),
        "quiz_question": post.get("quiz_question", "").strip(),
        "quiz_judging": post.get("quiz_judging", QuizJudging.PATTERN),
        "quiz_pattern": post.get("quiz_pattern", ""),
        "tag_friends": int(post.get("tag_friends") or 0) if (post.get("tag_friends") or "").isdigit() else 0,
        "one_entry_per_person": post.get("one_entry_per_person") == "on",
        "min_account_age_days": int(post["min_account_age_days"])
        if post.get("min_account_age_days", "").isdigit()
        else None,
        "excluded_handles": _lines(post.get("excluded_handles", "")),
        "languages": post.getlist("languages"),
        "min_age": int(post["min_age"]) if post.get("min_age", "").isdigit() else None,
        "organiser": post.get("organiser", "").strip(),
        "organiser_contact": post.get("organiser_contact", "").strip(),
        "who_may_enter": post.get("who_may_enter", "").strip(),
        "winners_notice": post.get("winners_notice", "").strip(),
        "prize_delivery": post.get("prize_delivery", "").strip(),
        "privacy_url": post.get("privacy_url", "").strip(),
        "complaints": post.get("complaints", "").strip(),
        "retention_days": int(post["retention_days"]) if post.get("retention_days", "").isdigit() else 90,
    }
    posts = []
    if post.get("account", "").isdigit() and post.get("post_id", "").strip():
        posts.append((int(post["account"]), post["post_id"].strip()))
    return fields, posts, form


def _form_of(contest) -> dict:
    zone = zone_of(contest.timezone)
    first = contest.posts.first()
    return {
        "title": contest.title, "description": contest.description, "timezone": contest.timezone,
        "starts_at": timezone.localtime(contest.starts_at, zone).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(contest.ends_at, zone).strftime("%Y-%m-%dT%H:%M"),
        "prizes": "\n".join(contest.prizes), "winners_count": contest.winners_count, "mechanic": contest.mechanic,
        "keyword": contest.keyword, "quiz_question": contest.quiz_question, "quiz_judging": contest.quiz_judging,
        "quiz_pattern": contest.quiz_pattern, "tag_friends": contest.tag_friends,
        "one_entry_per_person": "on" if contest.one_entry_per_person else "",
        "min_account_age_days": contest.min_account_age_days or "", "excluded_handles": "\n".join(contest.excluded_handles),
        "languages": contest.languages, "min_age": contest.min_age or "", "organiser": contest.organiser,
        "organiser_contact": contest.organiser_contact, "who_may_enter": contest.who_may_enter,
        "winners_notice": contest.winners_notice, "prize_delivery": contest.prize_delivery,
        "privacy_url": contest.privacy_url, "complaints": contest.complaints, "retention_days": contest.retention_days,
        "account": str(first.account_id) if first else "", "post_id": first.remote_post_id if first else "",
    }  # fmt: skip


def _form_page(request, *, form, error=None, contest=None, status=200):
    workspace = request.access.workspace
    return render(
        request,
        "contests/form.html",
        {
            "form": form,
            "form_error": error,
            "contest": contest,
            "accounts": ConnectedAccount.objects.filter(workspace=workspace, status=AccountStatus.ACTIVE),
            "mechanics": Mechanic.choices,
            "judgings": QuizJudging.choices,
            "language_codes": workspace.languages or ["lv", "ru", "en"],
        },
        status=status,
    )


@workspace_view()
def contest_list(request: HttpRequest, ws: str) -> HttpResponse:
    contests = list(selectors.contests_of(access=request.access))
    return render(
        request,
        "contests/index.html",
        {"contests": contests, "can_draft": request.access.can(Perm.POST_DRAFT)},
    )


@workspace_view(Perm.POST_DRAFT)
def contest_new(request: HttpRequest, ws: str) -> HttpResponse:
    if request.method != "POST":
        zone = request.access.workspace.timezone
        start = timezone.localtime(timezone.now(), zone_of(zone)).replace(minute=0, second=0, microsecond=0)
        form = {"timezone": zone, "winners_count": 1, "one_entry_per_person": "on", "retention_days": 90,
                "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "mechanic": Mechanic.COMMENT}  # fmt: skip
        return _form_page(request, form=form)
    fields, posts, form = _form_values(request)
    try:
        contest = services.contest_create(access=request.access, posts=posts, **fields)
    except DomainError as exc:
        return _form_page(request, form=form, error=exc, status=422)
    messages.success(request, _("Contest saved as a draft."))
    return redirect("contest_detail", ws=ws, contest_id=contest.pk)


@workspace_view(Perm.POST_DRAFT)
def contest_edit(request: HttpRequest, ws: str, contest_id: int) -> HttpResponse:
    contest = selectors.access_contest(access=request.access, contest_id=contest_id)
    if request.method != "POST":
        return _form_page(request, form=_form_of(contest), contest=contest)
    fields, posts, form = _form_values(request)
    try:
        services.contest_update(access=request.access, contest_id=contest.pk, posts=posts or None, **fields)
    except DomainError as exc:
        return _form_page(request, form=form, error=exc, contest=contest, status=422)
    messages.success(request, _("Contest saved."))
    return redirect("contest_detail", ws=ws, contest_id=contest.pk)


@workspace_view()
def contest_detail(request: HttpRequest, ws: str, contest_id: int) -> HttpResponse:
    contest = selectors.access_contest(access=request.access, contest_id=contest_id)
    shown = request.GET.get("decision", "")
    shown = shown if shown in Decision.values else ""
    entries = list(selectors.entries_of(contest=contest, decision=shown)[:500])
    return render(
        request,
        "contests/detail.html",
        {
            "contest": contest,
            "checklist": checklist.checklist_for(contest),
            "entries": entries,
            "counts": selectors.decision_counts(contest=contest),
            "decisions": Decision.choices,
            "shown": shown,
            "overrule_choices": [(d.value, d.label) for d in OVERRULE_CHOICES],
            "winners": list(contest.winners.select_related("entry")),
            "can_manage": request.access.can(Perm.CONTESTS_MANAGE),
            "can_draft": request.access.can(Perm.POST_DRAFT),
            "rules_url": services.public_url(contest),
            "verify_url": services.public_url(contest, "contest_verify"),
            "post_changes": selectors.post_changes(contest=contest),
            "States": ContestState,
            "WinnerStatus": WinnerStatus,
            "regulation": selectors.regulation_of(contest=contest, language=(get_language() or "en")[:2]),
        },
    )


def _act(request, ws, contest_id, action, success: str):
    try:
        note = action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
        if isinstance(note, str) and note:
            messages.warning(request, note)
    return redirect("contest_detail", ws=ws, contest_id=contest_id)


@require_POST
@workspace_view()
def contest_checklist(request, ws: str, contest_id: int):
    return _act(request, ws, contest_id, lambda: services.contest_checklist_confirm(
        access=request.access, contest_id=contest_id, key=request.POST.get("key", ""),
        confirmed=request.POST.get("confirmed") == "1",
    ), _("Checklist updated."))  # fmt: skip


@require_POST
@workspace_view()
def contest_approve(request, ws: str, contest_id: int):
    return _act(request, ws, contest_id, lambda: services.contest_approve(access=request.access, contest_id=contest_id),
                _("Contest approved; the regulations are published."))  # fmt: skip


@require_POST
@workspace_view(Perm.CONTESTS_MANAGE)
def contest_collect(request, ws: str, contest_id: int):
    """Read the contest accounts' new comments now (the same poll the worker runs), then judge them."""
    from kopiena.connectors.errors import ConnectorError
    from kopiena.inbox.polling import account_poll

    contest = selectors.access_contest(access=request.access, contest_id=contest_id)
    for account in {p.account for p in contest.posts.select_related("account")}:
        try:
            account_poll(account)
        except ConnectorError as exc:
            messages.warning(
                request,
                _("%(account)s could not be read: %(error)s") % {"account": account.name, "error": exc},
            )

    def collect():
        counts = services.contest_collect(contest_id=contest.pk, access=request.access)
        return _("%(count)s new entries.") % {"count": sum(counts.values())}

    return _act(request, ws, contest_id, collect, _("Entries collected."))


@require_POST
@workspace_view()
def contest_close(request, ws: str, contest_id: int):
    return _act(request, ws, contest_id, lambda: services.contest_close(access=request.access, contest_id=contest_id),
                _("Contest closed; the entry list is frozen."))  # fmt: skip


@require_POST
@workspace_view()
def contest_draw(request, ws: str, contest_id: int):
    return _act(request, ws, contest_id, lambda: services.contest_draw(access=request.access, contest_id=contest_id)[1],
                _("Winners drawn; the seed is revealed."))  # fmt: skip


@require_POST
@workspace_view()
def contest_redraw(request, ws: str, contest_id: int):
    return _act(request, ws, contest_id, lambda: services.contest_redraw(access=request.access, contest_id=contest_id),
                _("Re-draw done."))  # fmt: skip


@require_POST
@workspace_view()
def contest_announce(request, ws: str, contest_id: int):
    return _act(request, ws, contest_id, lambda: services.contest_announce(access=request.access, contest_id=contest_id),
                _("Winners' post drafted; it waits for approval in Publishing."))  # fmt: skip


@require_POST
@workspace_view()
def entry_overrule(request, ws: str, contest_id: int, entry_pk: int):
    return _act(request, ws, contest_id, lambda: services.entry_overrule(
        access=request.access, contest_id=contest_id, entry_pk=entry_pk,
        decision=request.POST.get("decision", ""), reason=request.POST.get("reason", ""),
    ), _("Decision overruled."))  # fmt: skip


@require_POST
@workspace_view()
def winner_mark(request, ws: str, contest_id: int, winner_pk: int):
    return _act(request, ws, contest_id, lambda: services.winner_mark(
        access=request.access, contest_id=contest_id, winner_pk=winner_pk, status=request.POST.get("status", ""),
    ), _("Winner updated."))  # fmt: skip


@require_POST
@workspace_view()
def winner_reply(request, ws: str, contest_id: int, winner_pk: int):
    """Send the prepared reply (a blocked reply's problems are the error message)."""
    selectors.access_contest(access=request.access, contest_id=contest_id)  # another workspace's: 404
    return _act(request, ws, contest_id, lambda: services.winner_reply_send(
        access=request.access, contest_id=contest_id, winner_pk=winner_pk,
    ) and "", _("Reply to the winner queued."))  # fmt: skip


@workspace_view()
def entries_export(request, ws: str, contest_id: int):
    contest = selectors.access_contest(access=request.access, contest_id=contest_id)
    audit_record(actor=request.access.user, workspace=contest.workspace, action="contest.entries_export",
                 obj=contest, defer=True)  # fmt: skip
    response = HttpResponse(entries_csv(contest), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contest-{contest.pk}-entries.csv"'
    return response


# ---------------------------------------------------------------- public pages


def public_rules(request: HttpRequest, public_id: str) -> HttpResponse:
    contest = selectors.public_contest(public_id=public_id)
    language = request.GET.get("lang") or (get_language() or "en")[:2]
    language = language if language in services.LANGUAGES else "en"
    version = int(request.GET["v"]) if request.GET.get("v", "").isdigit() else None
    regulation = selectors.regulation_of(contest=contest, language=language, version=version)
    return render(request, "contests/public_rules.html", {
        "contest": contest, "regulation": regulation, "language": language,
        "versions": selectors.regulation_versions(contest=contest), "languages": services.LANGUAGES,
    })  # fmt: skip


def public_export(request: HttpRequest, public_id: str) -> HttpResponse:
    contest = selectors.public_contest(public_id=public_id)
    response = JsonResponse(
        services.draw_export(contest), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Disposition"] = f'attachment; filename="contest-{contest.public_id}-draw.json"'
    return response


PROBLEM_TEXT = {
    "format": lambda: _("This is not a contest draw export."),
    "malformed": lambda: _("The export's entries or rounds are malformed."),
    "no_seed": lambda: _("The seed has not been revealed yet (the draw has not happened)."),
    "seed": lambda: _("The seed does not match the SHA-256 published in the regulations."),
    "list": lambda: _("The entry list does not match the hash recorded when it was frozen."),
    "twice": lambda: _("The entry list names the same entry twice."),
    "winners": lambda: _("The winners recomputed from the seed and the list differ from the published ones."),
}


def public_verify(request: HttpRequest, public_id: str) -> HttpResponse:
    """Recompute the draw from the stored export, or from a file someone uploads."""
    contest = selectors.public_contest(public_id=public_id)
    data = services.draw_export(contest)
    uploaded = False
    upload_error = ""
    if request.method == "POST" and request.FILES.get("export"):
        upload = request.FILES["export"]
        try:
            if upload.size > VERIFY_MAX_BYTES:
                raise ValueError
            data = json.loads(upload.read().decode("utf-8"))
            uploaded = True
        except (ValueError, UnicodeDecodeError):
            upload_error = _("The file is not a JSON draw export.")
    drawn = contest.state in (ContestState.DRAWN, ContestState.ANNOUNCED)
    result = drawing.verify_export(data) if (drawn or uploaded) else None
    return render(request, "contests/public_verify.html", {
        "contest": contest, "data": data if isinstance(data, dict) else {}, "result": result,
        "problems": [PROBLEM_TEXT[code]() for code in result.codes] if result else [],
        "uploaded": uploaded, "upload_error": upload_error, "drawn": drawn,
    }, status=422 if upload_error else 200)  # fmt: skip
