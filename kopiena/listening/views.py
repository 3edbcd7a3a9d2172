"""The Listening page (/w/<ws>/listening/): saved queries with "try it", sources and their health, storms,
volume/sentiment charts, share of voice, top authors and domains, the mentions list and the spam review.
Thin: parse input, call one service or selector, render."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kopiena.core.errors import DomainError
from kopiena.inbox.models import Sentiment
from kopiena.integrations.models import AccountStatus, ConnectedAccount
from kopiena.listening import selectors, services, source_services, spikes
from kopiena.listening.models import ListeningSource, Mention, SourceKind
from kopiena.listening.query_language import QuerySyntaxError, compile_query
from kopiena.listening.store import DEFAULT_LANGUAGES
from kopiena.teams.permissions import Perm
from kopiena.teams.views import workspace_view

CHART_DAYS = 90
TRY_SCAN = 2000
TRY_SHOW = 20


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _date(value: str | None) -> datetime | None:
    try:
        day = datetime.strptime(value or "", "%Y-%m-%d").date()
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def _filters(request: HttpRequest) -> tuple[selectors.MentionFilter, dict]:
    get = request.GET
    until = _date(get.get("until"))
    filters = selectors.MentionFilter(
        query_id=_int(get.get("query")),
        source_id=_int(get.get("source")),
        language=get.get("language", "")[:12],
        sentiment=get.get("sentiment", "") if get.get("sentiment") in Sentiment.values else "",
        since=_date(get.get("since")),
        until=until + timedelta(days=1) if until else None,
        spam=get.get("view") == "spam",
    )
    shown = {
        key: get.get(key, "")
        for key in ("query", "source", "language", "sentiment", "since", "until", "view")
    }
    return filters, shown


def _chart(workspace, queries) -> dict:
    """Daily volume per query and the sentiment mix of all mentions, last CHART_DAYS days (local days)."""
    series = selectors.volume_series(
        workspace=workspace, query_ids=[0, *[q.pk for q in queries]], days=CHART_DAYS
    )
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]
    index = {day: n for n, day in enumerate(days)}

    def points(key: int, field: str) -> list[int]:
        values = [0] * len(days)
        for row in series.get(key, []):
            day = (
                timezone.localtime(row["day"]).date() if timezone.is_aware(row["day"]) else row["day"].date()
            )
            if day in index:
                values[index[day]] += row[field] or 0
        return values

    return {
        "labels": [day.strftime("%d.%m.") for day in days],
        "queries": [{"label": q.name, "data": points(q.pk, "mentions")} for q in queries],
        "sentiment": {
            "negative": points(0, "negative"),
            "neutral": points(0, "neutral"),
            "positive": points(0, "positive"),
        },
        "texts": {
            "negative": _("Negative"),
            "neutral": _("Neutral"),
            "positive": _("Positive"),
            "mentions": _("Mentions"),
        },
    }


def _page(
    request: HttpRequest, *, form: dict | None = None, form_error: DomainError | None = None, status=200
):
    access = request.access
    workspace = access.workspace
    queries = list(selectors.queries_of(workspace=workspace))
    sources = list(ListeningSource.objects.filter(workspace=workspace).select_related("account"))
    filters, shown = _filters(request)
    mentions, next_cursor = selectors.mentions_page(
        workspace=workspace, filters=filters, after=request.GET.get("after", "")
    )
    searchable = [
        a for a in ConnectedAccount.objects.filter(workspace=workspace, status=AccountStatus.ACTIVE)
        if source_services.searchable(a) and not any(s.account_id == a.pk and s.kind == SourceKind.SEARCH for s in sources)
    ]  # fmt: skip
    has_mentions = Mention.objects.filter(workspace=workspace).exists()
    next_query = request.GET.copy()
    next_query["after"] = next_cursor
    return render(
        request,
        "listening/index.html",
        {
            "queries": queries,
            "sources": sources,
            "searchable_accounts": searchable,
            "mentions": mentions,
            "next_url": f"?{next_query.urlencode()}" if next_cursor else "",
            "filters": shown,
            "filtering": any(v for k, v in shown.items() if k != "view"),
            "spam_view": filters.spam,
            "spam_waiting": selectors.mentions_filtered(workspace=workspace, filters=selectors.MentionFilter(spam=True)).count(),
            "has_mentions": has_mentions,
            "chart": _chart(workspace, queries) if has_mentions else None,
            "share": selectors.share_of_voice(workspace=workspace) if has_mentions else [],
            "authors": selectors.top_authors(workspace=workspace) if has_mentions else [],
            "domains": selectors.top_domains(workspace=workspace) if has_mentions else [],
            "storms": spikes.recent_spikes(workspace=workspace),
            "languages": workspace.languages or list(DEFAULT_LANGUAGES),
            "sentiments": Sentiment.choices,
            "form": form or {"name": "", "expression": "", "languages": [], "excluded_authors": "", "excluded_domains": ""},
            "form_error": form_error,
            "can_manage": access.can(Perm.LISTENING_MANAGE),
            "can_moderate": access.can(Perm.INBOX_MODERATE),
            "can_reply": access.can(Perm.INBOX_REPLY),
        },
        status=status,
    )  # fmt: skip


@workspace_view(perm=Perm.INBOX_READ)
def listening(request: HttpRequest, ws: str) -> HttpResponse:
    return _page(request)


def _split(text: str) -> list[str]:
    return [part for part in (text or "").replace(",", "\n").split() if part.strip()]


@require_POST
@workspace_view(perm=Perm.LISTENING_MANAGE)
def query_create_view(request: HttpRequest, ws: str) -> HttpResponse:
    post = request.POST
    form = {
        "name": post.get("name", ""),
        "expression": post.get("expression", ""),
        "languages": post.getlist("languages"),
        "excluded_authors": post.get("excluded_authors", ""),
        "excluded_domains": post.get("excluded_domains", ""),
    }
    try:
        query = services.query_create(
            access=request.access,
            name=form["name"],
            expression=form["expression"],
            languages=form["languages"],
            excluded_authors=_split(form["excluded_authors"]),
            excluded_domains=_split(form["excluded_domains"]),
        )
    except DomainError as exc:
        return _page(request, form=form, form_error=exc, status=422)
    # New query: read the sources now rather than at their next turn, so mentions arrive within a minute.
    ListeningSource.objects.filter(workspace=request.access.workspace, enabled=True).update(
        next_attempt_at=None
    )
    messages.success(
        request, _("Query “%(name)s” saved; mentions arrive with the next run.") % {"name": query.name}
    )
    return redirect("listening", ws=ws)


@require_POST
@workspace_view(perm=Perm.LISTENING_MANAGE)
def query_delete_view(request: HttpRequest, ws: str, query_id: int) -> HttpResponse:
    query = selectors.access_query(access=request.access, pk=query_id)
    services.query_delete(access=request.access, query=query)
    messages.success(request, _("Query deleted; its mentions stay."))
    return redirect("listening", ws=ws)


@require_POST
@workspace_view(perm=Perm.INBOX_READ)
def query_try_view(request: HttpRequest, ws: str) -> HttpResponse:
    """What the expression would have matched among the latest stored mentions (an htmx fragment)."""
    expression = request.POST.get("expression", "")
    error, matched, scanned = "", [], 0
    try:
        matcher = compile_query(expression)
    except QuerySyntaxError as exc:
        error = services.syntax_error_message(exc)
    else:
        recent = list(
            Mention.objects.filter(workspace=request.access.workspace).order_by("-published_at", "-pk")[
                :TRY_SCAN
            ]
        )
        scanned = len(recent)
        matched = [m for m in recent if matcher.matches(f"{m.title}\n{m.text}", author=m.author_handle)][
            :TRY_SHOW
        ]
    # 200 even for a syntax error: htmx swaps only successful answers, and the error is the answer here.
    return render(request, "listening/_try.html", {"error": error, "matched": matched, "scanned": scanned})


@require_POST
@workspace_view(perm=Perm.LISTENING_MANAGE)
def source_feed_view(request: HttpRequest, ws: str) -> HttpResponse:
    try:
        source_services.source_feed_create(
            access=request.access,
            feed_url=request.POST.get("feed_url", ""),
            name=request.POST.get("name", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Feed added; it is read with the next run."))
    return redirect("listening", ws=ws)


@require_POST
@workspace_view(perm=Perm.LISTENING_MANAGE)
def source_opml_view(request: HttpRequest, ws: str) -> HttpResponse:
    upload = request.FILES.get("opml")
    if upload is None:
        messages.error(request, _("Choose an OPML file."))
        return redirect("listening", ws=ws)
    try:
        added, problems = source_services.sources_import_opml(
            access=request.access, document=upload.read(source_services.MAX_OPML_BYTES + 1)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)d feeds added.") % {"count": added})
        for problem in problems[:10]:
            messages.warning(request, problem)
    return redirect("listening", ws=ws)


@require_POST
@workspace_view(perm=Perm.LISTENING_MANAGE)
def source_search_view(request: HttpRequest, ws: str) -> HttpResponse:
    account_id = _int(request.POST.get("account"))
    account = ConnectedAccount.objects.filter(workspace=request.access.workspace, pk=account_id).first()
    if account is None:
        messages.error(request, _("Choose an account."))
        return redirect("listening", ws=ws)
    try:
        source_services.source_search_create(access=request.access, account=account)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Kopiena will search with %(name)s.") % {"name": account.name})
    return redirect("listening", ws=ws)


@require_POST
@workspace_view(perm=Perm.LISTENING_MANAGE)
def source_toggle_view(request: HttpRequest, ws: str, source_id: int) -> HttpResponse:
    source = selectors.access_source(access=request.access, pk=source_id)
    source_services.source_set_enabled(access=request.access, source=source, enabled=not source.enabled)
    return redirect("listening", ws=ws)


@require_POST
@workspace_view(perm=Perm.INBOX_MODERATE)
def mention_spam_view(request: HttpRequest, ws: str, mention_id: int) -> HttpResponse:
    mention = selectors.access_mention(access=request.access, pk=mention_id)
    services.mention_spam_review(
        access=request.access, mention=mention, is_spam=request.POST.get("spam") == "1"
    )
    messages.success(request, _("Thank you; noted."))
    return redirect(f"{request.path.rsplit('/mentions/', 1)[0]}/?view=spam")


@require_POST
@workspace_view(perm=Perm.INBOX_REPLY)
def mention_answered_view(request: HttpRequest, ws: str, mention_id: int) -> HttpResponse:
    mention = selectors.access_mention(access=request.access, pk=mention_id)
    try:
        services.mention_answered_elsewhere(
            access=request.access, mention=mention, url=request.POST.get("url", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked as answered elsewhere."))
    if request.POST.get("next") == "thread" and mention.inbox_item_id:
        return redirect("inbox_thread", ws=ws, thread_id=mention.inbox_item.thread_id)
    return redirect("listening", ws=ws)
