"""Inbox pages: the thread list with filters, one thread with its items and the reply box."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.inbox.corrections import item_correct
from kopiena.inbox.models import ItemKind, Priority, ReplyState, Resolution, Sentiment, ThreadStatus
from kopiena.inbox.notes import thread_note_add, thread_tag
from kopiena.inbox.polling import inbox_capable
from kopiena.inbox.reply_approval import may_approve_reply, reply_approve, reply_send_back
from kopiena.inbox.saved_replies import saved_replies_for, saved_reply_create, saved_reply_delete
from kopiena.inbox.selectors import (
    FILTERS,
    InboxFilter,
    access_item,
    access_reply,
    access_thread,
    arrival_delay,
    author_history,
    hidden_items,
    languages_in_inbox,
    post_context,
    tags_of,
    thread_items,
    thread_notes,
    threads_page,
)
from kopiena.inbox.services import (
    ReplyBlocked,
    can_hide_item,
    hide_reasons_for,
    item_hide,
    item_reply,
    reply_limit,
    thread_assign,
    thread_set_status,
    threads_bulk,
)
from kopiena.inbox.sla import sla_state
from kopiena.integrations.selectors import accounts_of
from kopiena.policy.selectors import business_calendar_for, policy_current
from kopiena.teams.models import Membership
from kopiena.teams.permissions import Perm, role_can
from kopiena.teams.views import workspace_view

PAGE_SIZE = 50


def _filter_labels() -> dict[str, str]:
    return {
        "open": pgettext("inbox tab: conversations that are…", "Open"),
        "mine": _("Mine"),
        "role": _("My role's queue"),
        "unassigned": _("Unassigned"),
        "due_soon": _("Due soon"),
        "overdue": pgettext("inbox tab: conversations that are…", "Overdue"),
        "acute": pgettext("inbox tab: conversations that are…", "Acute"),
        "negative": pgettext("inbox tab: conversations that are…", "Negative"),
        "questions": _("Questions"),
        "mentions": _("Mentions"),
        "non_followers": _("Non-followers"),
        "dms": _("Direct messages"),
        "closed": pgettext("inbox tab: conversations that are…", "Closed"),
        "all": _("All"),
    }


def _intent_labels() -> list[tuple[str, str]]:
    return [
        ("question", _("Question")),
        ("request", _("Request")),
        ("suggestion", _("Suggestion")),
        ("complaint", _("Complaint")),
        ("praise", _("Praise")),
    ]


@workspace_view(perm=Perm.INBOX_READ)
def inbox(request: HttpRequest, ws: str) -> HttpResponse:
    """The list, by the answer's deadline, keyset-paginated (``after``). ``partial=1`` (htmx polling every
    30 s on the first page) returns only the list, so new conversations appear without a reload."""
    filters = InboxFilter.from_query(request.GET)
    moment = now()
    page = threads_page(
        access=request.access,
        filters=filters,
        cursor=request.GET.get("after", "")[:40],
        size=PAGE_SIZE,
        at=moment,
    )
    calendar = business_calendar_for(workspace=request.access.workspace)
    # Labels looked up once per page: get_FOO_display rebuilds the choices' dict on every call.
    kinds, priorities, statuses = dict(ItemKind.choices), dict(Priority.choices), dict(ThreadStatus.choices)
    for thread in page.threads:
        thread.sla = sla_state(thread, calendar, moment)
        thread.latest = thread.items_newest_first[0] if thread.items_newest_first else None
        thread.kind_label = kinds.get(thread.latest.kind, "") if thread.latest else ""
        thread.priority_label = priorities.get(thread.priority, thread.priority)
        thread.status_label = statuses.get(thread.status, thread.status)
    query = urlencode({k: v for k, v in request.GET.items() if k not in ("after", "partial") and v})
    context = {
        "threads": page.threads,
        "next_cursor": page.next_cursor,
        "first_page": not request.GET.get("after"),
        "filters": filters,
        "query": query,
    }
    accounts = list(accounts_of(access=request.access))
    context["has_inbox_account"] = any(inbox_capable(a.platform) for a in accounts)
    context["can_bulk"] = request.access.can(Perm.INBOX_ASSIGN)
    if request.GET.get("partial") == "1":
        return render(request, "inbox/_list.html", context)
    context.update(
        {
            "views": [(key, _filter_labels()[key]) for key in FILTERS],
            "accounts": accounts,
            "languages": languages_in_inbox(access=request.access),
            "sentiments": Sentiment.choices,
            "intents": _intent_labels(),
            "assignees": _repliers(request.access),
            "resolutions": Resolution.choices,
            "tags": list(tags_of(access=request.access)),
            "arrival": arrival_delay(access=request.access),
        }
    )
    return render(request, "inbox/index.html", context)


def _repliers(access) -> list:
    return [
        m.user
        for m in Membership.objects.filter(workspace=access.workspace)
        .select_related("user")
        .order_by("user__username")
        if role_can(m.role, Perm.INBOX_REPLY)
    ]


def _thread_page(
    request: HttpRequest, thread, *, draft: dict | None = None, status: int = 200
) -> HttpResponse:
    access = request.access
    items = list(thread_items(thread=thread))
    for item in items:
        item.can_hide = can_hide_item(access=access, item=item)
    policy = policy_current(workspace=access.workspace)
    context = {
        "thread": thread,
        "items": items,
        "reply_to": items[-1] if items else None,
        "sla": sla_state(thread, business_calendar_for(workspace=access.workspace), now()),
        "repliers": _repliers(access) if access.can(Perm.INBOX_ASSIGN) else [],
        "link_contexts": policy.engagement.links_in_replies.allowed_contexts,
        "playbook": policy.engagement.acute_playbook,
        "draft": draft or {},
        "can_reply": access.can(Perm.INBOX_REPLY) and inbox_capable(thread.account.platform),
        "saved_replies": list(saved_replies_for(access=access, language=thread.language or "")),
        "may_approve": may_approve_reply(access=access),
        "resolutions": Resolution.choices,
        "hide_reasons": hide_reasons_for(access=access),
        "reply_limit": reply_limit(platform=thread.account.platform),
        "post": post_context(thread=thread),
        "history": author_history(access=access, thread=thread),
        "notes": list(thread_notes(thread=thread)),
        "thread_tags": list(thread.tags.order_by("name")),
        "tags": list(tags_of(access=access)),
        "can_correct": access.can(Perm.INBOX_MODERATE),
        "intents": _intent_labels(),
        "sentiments": Sentiment.choices,
        "correct_languages": sorted(
            set(access.workspace.languages or ["en", "lv", "ru"]) | {"en", "lv", "ru"}
        ),
        "score_labels": _score_labels(),
        "playbook_tone": _localized(policy.engagement.acute_playbook.tone),
        "playbook_guidance": _localized(policy.engagement.acute_playbook.guidance),
    }
    return render(request, "inbox/thread.html", context, status=status)


def _localized(text: dict) -> str:
    """The policy's localized text in the reader's language, else English, else any."""
    from django.utils.translation import get_language

    if not text:
        return ""
    language = (get_language() or "en")[:2]
    return text.get(language) or text.get("en") or next(iter(text.values()), "")


def _score_labels() -> dict[str, str]:
    """What the classifier's scores are called on the page (never the internal keys)."""
    return {
        "negative": _("Negative"),
        "neutral": _("Neutral"),
        "positive": _("Positive"),
        "toxic": _("Toxic"),
        "spam": _("Spam"),
        "complaint": _("Complaint"),
        "question": _("Question"),
        "request": _("Request"),
        "suggestion": _("Suggestion"),
        "praise": _("Praise"),
        "workspace_example": _("Like a text your team corrected"),
    }


@require_POST
@workspace_view(perm=Perm.INBOX_READ)
def thread_note_view(request: HttpRequest, ws: str, thread_id: int) -> HttpResponse:
    thread = access_thread(access=request.access, pk=thread_id)
    try:
        thread_note_add(access=request.access, thread=thread, text=request.POST.get("text", ""))
    except DomainError as exc:
        messages.error(request, _(exc.message))
    else:
        messages.success(request, _("Note added."))
    return redirect(f"{reverse('inbox_thread', kwargs={'ws': ws, 'thread_id': thread.pk})}#notes")


@require_POST
@workspace_view(perm=Perm.INBOX_ASSIGN)
def thread_tag_view(request: HttpRequest, ws: str, thread_id: int) -> HttpResponse:
    thread = access_thread(access=request.access, pk=thread_id)
    try:
        thread_tag(
            access=request.access,
            thread=thread,
            name=request.POST.get("tag", ""),
            add=request.POST.get("remove") != "1",
        )
    except DomainError as exc:
        messages.error(request, _(exc.message))
    return redirect("inbox_thread", ws=ws, thread_id=thread.pk)


@require_POST
@workspace_view(perm=Perm.INBOX_MODERATE)
def item_correct_view(request: HttpRequest, ws: str, item_id: int) -> HttpResponse:
    """Correct an item's labels from the thread page: every field of the form is the corrected value."""
    item = access_item(access=request.access, pk=item_id)
    post = request.POST
    changes = {
        "language": post.get("language", item.language),
        "sentiment": post.get("sentiment", item.sentiment),
        "intents": post.getlist("intents"),
        "spam": post.get("spam", "0"),
        "toxic": post.get("toxic", "0"),
    }
    try:
        correction = item_correct(access=request.access, item=item, changes=changes)
    except DomainError as exc:
        messages.error(request, _(exc.message))
    else:
        if correction is None:
            messages.info(request, _("Nothing changed."))
        else:
            messages.success(request, _("Corrected. The team's next comments like this one are labelled so."))
    return redirect("inbox_thread", ws=ws, thread_id=item.thread_id)


@workspace_view(perm=Perm.INBOX_READ)
def thread_detail(request: HttpRequest, ws: str, thread_id: int) -> HttpResponse:
    return _thread_page(request, access_thread(access=request.access, pk=thread_id))


@require_POST
@workspace_view(perm=Perm.INBOX_REPLY)
def item_reply_view(request: HttpRequest, ws: str, item_id: int) -> HttpResponse:
    item = access_item(access=request.access, pk=item_id)
    text = request.POST.get("text", "")
    link_context = request.POST.get("link_context", "")
    try:
        reply = item_reply(
            access=request.access,
            item=item,
            text=text,
            confirmed=request.POST.get("confirmed") == "1",
            link_context=link_context,
            checked_text=request.POST.get("checked_text"),
        )
    except ReplyBlocked as exc:
        draft = {
            "text": text,
            "link_context": link_context,
            "item": item.pk,
            "problems": exc.problems,
            "hard": any(p.hard for p in exc.problems),
        }
        return _thread_page(request, item.thread, draft=draft, status=422)
    except DomainError as exc:
        messages.error(request, _(exc.message))
    else:
        if reply.state == ReplyState.AWAITING_APPROVAL:
            messages.info(
                request, _("This conversation is acute: your answer waits for approval before it is sent.")
            )
        else:
            messages.success(request, _("Your answer is on its way."))
    return redirect("inbox_thread", ws=ws, thread_id=item.thread_id)


@require_POST
@workspace_view(perm=Perm.INBOX_ASSIGN)
def thread_assign_view(request: HttpRequest, ws: str, thread_id: int) -> HttpResponse:
    thread = access_thread(access=request.access, pk=thread_id)
    choice = request.POST.get("assignee", "")
    assignee = None
    if choice == "me":
        assignee = request.user
    elif choice.isdigit():
        assignee = next((u for u in _repliers(request.access) if u.pk == int(choice)), None)
        if assignee is None:
            messages.error(request, _("Assign conversations only to people who may reply."))
            return redirect("inbox_thread", ws=ws, thread_id=thread.pk)
    try:
        thread_assign(access=request.access, thread=thread, assignee=assignee)
    except DomainError as exc:
        messages.error(request, _(exc.message))
    if request.POST.get("next_view") == "list":
        return redirect("inbox", ws=ws)
    return redirect("inbox_thread", ws=ws, thread_id=thread.pk)


@require_POST
@workspace_view(perm=Perm.INBOX_REPLY)
def thread_status_view(request: HttpRequest, ws: str, thread_id: int) -> HttpResponse:
    thread = access_thread(access=request.access, pk=thread_id)
    status = request.POST.get("status", "")
    if status not in ThreadStatus.values:
        messages.error(request, _("Unknown status."))
    else:
        try:
            thread_set_status(
                access=request.access,
                thread=thread,
                status=status,
                resolution=request.POST.get("resolution", ""),
                reason=request.POST.get("reason", ""),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if status == ThreadStatus.CLOSED:
                messages.success(request, _("Closed."))
    return redirect("inbox_thread", ws=ws, thread_id=thread.pk)


@require_POST
@workspace_view(perm=Perm.INBOX_MODERATE)
def item_hide_view(request: HttpRequest, ws: str, item_id: int) -> HttpResponse:
    item = access_item(access=request.access, pk=item_id)
    try:
        item_hide(access=request.access, item=item, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, _(exc.message))
    else:
        messages.success(request, _("Hidden on the platform. It stays here, marked as hidden."))
    return redirect("inbox_thread", ws=ws, thread_id=item.thread_id)


@require_POST
@workspace_view(perm=Perm.INBOX_REPLY)
def threads_bulk_view(request: HttpRequest, ws: str) -> HttpResponse:
    """Bulk assign / tag / resolve from the list. Another workspace's id: 404, nothing changed."""
    raw = request.POST.getlist("thread")
    if not all(value.isdigit() for value in raw):
        raise Http404
    action = request.POST.get("action", "")
    assignee = None
    choice = request.POST.get("assignee", "")
    if action == "assign" and choice:
        assignee = request.access.user if choice == "me" else _member_user(request.access, choice)
    try:
        changed = threads_bulk(
            access=request.access,
            thread_ids=[int(value) for value in raw],
            action=action,
            assignee=assignee,
            resolution=request.POST.get("resolution", ""),
            reason=request.POST.get("reason", ""),
            tag=request.POST.get("tag", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)s conversations changed.") % {"count": changed})
    return redirect(f"{reverse('inbox', kwargs={'ws': ws})}?{request.POST.get('query', '')}")


def _member_user(access, pk: str):
    membership = (
        Membership.objects.select_related("user").filter(workspace=access.workspace, user_id=pk).first()
    )
    if membership is None:
        raise Http404
    return membership.user


@workspace_view(perm=Perm.INBOX_READ)
def hidden_items_view(request: HttpRequest, ws: str) -> HttpResponse:
    """M4 audit: every item hidden on the platform, by whom, when and why, with its text."""
    page = Paginator(hidden_items(access=request.access), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inbox/hidden.html", {"page": page})


@workspace_view(perm=Perm.INBOX_READ)
def saved_replies_view(request: HttpRequest, ws: str) -> HttpResponse:
    """The team's saved replies; people who edit the policy add them here."""
    values = {"title": "", "text": "", "language": ""}
    error = None
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in values}
        try:
            saved_reply_create(access=request.access, **values)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("Saved reply added."))
            return redirect("inbox_saved_replies", ws=ws)
    return render(
        request,
        "inbox/saved_replies.html",
        {
            "replies": saved_replies_for(access=request.access),
            "can_edit": request.access.can(Perm.POLICY_EDIT),
            "values": values,
            "error": error,
        },
        status=400 if error else 200,
    )


@require_POST
@workspace_view(perm=Perm.POLICY_EDIT)
def saved_reply_delete_view(request: HttpRequest, ws: str, saved_reply_id: int) -> HttpResponse:
    try:
        saved_reply_delete(access=request.access, saved_reply_id=saved_reply_id)
    except DomainError as exc:
        raise Http404 from exc
    messages.success(request, _("Saved reply removed."))
    return redirect("inbox_saved_replies", ws=ws)


@require_POST
@workspace_view(perm=Perm.INBOX_READ)
def reply_approve_view(request: HttpRequest, ws: str, reply_id: int) -> HttpResponse:
    return _review(request, ws, reply_id, lambda: reply_approve(access=request.access, reply_id=reply_id))


@require_POST
@workspace_view(perm=Perm.INBOX_READ)
def reply_send_back_view(request: HttpRequest, ws: str, reply_id: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _review(
        request, ws, reply_id, lambda: reply_send_back(access=request.access, reply_id=reply_id, note=note)
    )


def _review(request: HttpRequest, ws: str, reply_id: int, decide) -> HttpResponse:
    reply = access_reply(access=request.access, pk=reply_id)
    try:
        decided = decide()
    except DomainError as exc:
        messages.error(request, _(exc.message))
    else:
        if decided.state == ReplyState.QUEUED:
            messages.success(request, _("Approved: the answer is on its way."))
        else:
            messages.success(request, _("Sent back to its author."))
    return redirect("inbox_thread", ws=ws, thread_id=reply.item.thread_id)
