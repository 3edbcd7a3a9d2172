"""Inbox reads, always scoped by the access's workspace (another workspace's thread is a 404)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.http import Http404

from kopiena.inbox.models import PRIORITY_RANK, Item, Reply, Thread, ThreadStatus
from kopiena.teams.selectors import Access, access_scoped

FILTERS = ("open", "mine", "acute", "unassigned", "closed", "all")


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox list shows: one ``view`` of FILTERS plus optional language/sentiment/account."""

    view: str = "open"
    language: str = ""
    sentiment: str = ""
    account: int | None = None

    @classmethod
    def from_query(cls, query) -> InboxFilter:
        view = query.get("view", "open")
        account = query.get("account", "")
        return cls(
            view=view if view in FILTERS else "open",
            language=query.get("language", "")[:12],
            sentiment=query.get("sentiment", "")[:10],
            account=int(account) if account.isdigit() else None,
        )


_PRIORITY_ORDER = Case(
    *(When(priority=p, then=Value(rank)) for p, rank in PRIORITY_RANK.items()), output_field=IntegerField()
)


def threads_for(*, access: Access, filters: InboxFilter = InboxFilter()) -> QuerySet[Thread]:
    """Threads of the workspace, the most urgent first (priority, then the earliest deadline)."""
    qs = Thread.objects.filter(workspace=access.workspace).select_related("account", "assignee")
    if filters.view in ("open", "mine", "acute", "unassigned"):
        qs = qs.exclude(status=ThreadStatus.CLOSED)
    if filters.view == "closed":
        qs = qs.filter(status=ThreadStatus.CLOSED)
    if filters.view == "mine":
        qs = qs.filter(assignee=access.user)
    if filters.view == "acute":
        qs = qs.filter(acute=True)
    if filters.view == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.sentiment:
        qs = qs.filter(sentiment=filters.sentiment)
    if filters.account:
        qs = qs.filter(account_id=filters.account)
    latest = Item.objects.order_by("-remote_created_at", "-pk")
    return (
        qs.annotate(priority_rank=_PRIORITY_ORDER)
        .order_by("priority_rank", "response_due_at", "-last_item_at", "pk")
        .prefetch_related(Prefetch("items", queryset=latest, to_attr="items_newest_first"))
    )


def access_thread(*, access: Access, pk: int) -> Thread:
    return access_scoped(access=access, queryset=Thread.objects.select_related("account", "assignee"), pk=pk)


def access_item(*, access: Access, pk: int) -> Item:
    return access_scoped(access=access, queryset=Item.objects.select_related("account", "thread"), pk=pk)


def access_reply(*, access: Access, pk: int) -> Reply:
    """One of our answers in the access's workspace (through its item), or 404."""
    reply = Reply.objects.select_related("item").filter(item__workspace=access.workspace, pk=pk).first()
    if reply is None:
        raise Http404
    return reply


def thread_items(*, thread: Thread) -> QuerySet[Item]:
    """The conversation, oldest first, with our replies to each item."""
    return thread.items.prefetch_related(
        Prefetch("replies", queryset=Reply.objects.select_related("author"))
    ).order_by("remote_created_at", "pk")


def languages_in_inbox(*, access: Access) -> list[str]:
    return sorted(
        set(
            Thread.objects.filter(workspace=access.workspace)
            .exclude(language="")
            .values_list("language", flat=True)
        )
    )


def hidden_items(*, access: Access) -> QuerySet[Item]:
    """Everything hidden on the platform in the workspace, the latest first (the M4 audit list)."""
    return (
        Item.objects.filter(workspace=access.workspace, hidden=True)
        .select_related("account", "thread", "hidden_by")
        .order_by("-hidden_at", "-pk")
    )
