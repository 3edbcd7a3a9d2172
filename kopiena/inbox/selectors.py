"""Inbox reads, always scoped by the access's workspace (another workspace's thread is a 404)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from kopiena.core.clock import now
from kopiena.core.params import db_ids, db_int
from kopiena.inbox.models import Item, ItemKind, Reply, Sentiment, Thread, ThreadStatus
from kopiena.teams.selectors import Access, access_scoped

# The list views (M2): how teams work through the inbox. "open" is the default (everything not closed).
FILTERS = (
    "open",
    "mine",
    "role",
    "unassigned",
    "due_soon",
    "overdue",
    "acute",
    "negative",
    "questions",
    "mentions",
    "non_followers",
    "dms",
    "closed",
    "all",
)
# "Due soon": the answer is due within this much wall-clock time (and is not overdue yet).
DUE_SOON = timedelta(hours=2)
SEARCH_MAX_CHARS = 200
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox list shows: one ``view`` of FILTERS, optional filters, a full-text ``q``."""

    view: str = "open"
    language: str = ""
    sentiment: str = ""
    account: int | None = None
    intent: str = ""
    assignee: int | None = None
    q: str = ""

    @classmethod
    def from_query(cls, query) -> InboxFilter:
        view = query.get("view", "open")
        account, assignee = query.get("account", ""), query.get("assignee", "")
        return cls(
            view=view if view in FILTERS else "open",
            language=query.get("language", "")[:12],
            sentiment=query.get("sentiment", "")[:10],
            account=db_int(account),
            intent=query.get("intent", "")[:40].replace(",", ""),
            assignee=db_int(assignee),
            q=" ".join(query.get("q", "").split())[:SEARCH_MAX_CHARS],
        )


def threads_for(
    *, access: Access, filters: InboxFilter = InboxFilter(), at: datetime | None = None
) -> QuerySet[Thread]:
    """Threads of the workspace in ``filters``' view, the earliest deadline first (those owing nothing
    after them, by id), each with its newest item prefetched as ``items_newest_first``."""
    at = at or now()
    qs = Thread.objects.filter(workspace=access.workspace).select_related("account", "assignee")
    view = filters.view
    if view not in ("closed", "all"):
        qs = qs.exclude(status=ThreadStatus.CLOSED)
    if view == "closed":
        qs = qs.filter(status=ThreadStatus.CLOSED)
    elif view == "mine":
        qs = qs.filter(assignee=access.user)
    elif view == "role":  # my role's queue: routed to my role, nobody has taken it yet
        qs = qs.filter(assigned_role=access.role, assignee__isnull=True)
    elif view == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    elif view == "due_soon":
        qs = qs.filter(response_due_at__gte=at, response_due_at__lt=at + DUE_SOON)
    elif view == "overdue":
        qs = qs.filter(response_due_at__lt=at)
    elif view == "acute":
        qs = qs.filter(acute=True)
    elif view == "negative":
        qs = qs.filter(sentiment=Sentiment.NEGATIVE)
    elif view == "questions":
        qs = qs.filter(intent_keys__contains=",question,")
    elif view == "mentions":
        qs = qs.filter(kind=ItemKind.MENTION)
    elif view == "non_followers":
        qs = qs.filter(non_follower=True)
    elif view == "dms":
        qs = qs.filter(kind=ItemKind.DM)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.sentiment:
        qs = qs.filter(sentiment=filters.sentiment)
    if filters.account:
        qs = qs.filter(account_id__in=db_ids([filters.account]))  # the API's int is unbounded
    if filters.intent:
        qs = qs.filter(intent_keys__contains=f",{filters.intent},")
    if filters.assignee:
        qs = qs.filter(assignee_id__in=db_ids([filters.assignee]))
    if filters.q:
        qs = qs.filter(pk__in=_matching_threads(access, filters.q))
    latest = Item.objects.order_by("-remote_created_at", "-pk")
    return qs.order_by(F("response_due_at").asc(nulls_last=True), "pk").prefetch_related(
        Prefetch("items", queryset=latest[:1], to_attr="items_newest_first")  # one per thread (window)
    )


def _matching_threads(access: Access, q: str):
    """Thread ids whose items match the words of ``q`` (all of them), by the database's full-text index."""
    words = [w for w in re.findall(r"\w+", q) if w][:10]
    if not words:
        return Thread.objects.none().values("pk")
    vendor = connection.vendor
    if vendor == "sqlite":
        match = " ".join('"' + w.replace('"', "") + '"' for w in words)
        ids = RawSQL("SELECT rowid FROM inbox_item_fts WHERE inbox_item_fts MATCH %s", [match])
    elif vendor == "postgresql":
        ids = RawSQL(
            "SELECT id FROM inbox_item WHERE to_tsvector('simple', text) @@ plainto_tsquery('simple', %s)",
            [" ".join(words)],
        )
    else:  # any other database: a plain (slow) scan, same meaning
        items = Item.objects.all()
        for word in words:
            items = items.filter(text__icontains=word)
        ids = items.values("pk")
    return Item.objects.filter(workspace=access.workspace, pk__in=ids).values("thread_id")


@dataclass(frozen=True)
class ThreadPage:
    threads: list[Thread]
    next_cursor: str  # empty on the last page


def threads_page(
    *, access: Access, filters: InboxFilter = InboxFilter(), cursor: str = "", size: int = 50, at=None
) -> ThreadPage:
    """One page of ``threads_for`` by keyset (deadline, id), so page 10 000 costs what page 1 does.

    ``cursor`` is opaque to callers: ``d<due timestamp>.<id>`` inside the threads that owe an answer,
    ``n<id>`` inside those that owe none (they come after, by id)."""
    qs = threads_for(access=access, filters=filters, at=at)
    owed_phase, due, last = _cursor(cursor)
    threads: list[Thread] = []
    if owed_phase:
        owed = qs.filter(response_due_at__isnull=False)
        if due is not None:
            owed = owed.filter(Q(response_due_at__gt=due) | Q(response_due_at=due, pk__gt=last))
        threads = list(owed[: size + 1])
        last = 0
    if len(threads) <= size:
        rest = qs.filter(response_due_at__isnull=True).order_by("pk")
        if not owed_phase:
            rest = rest.filter(pk__gt=last)
        threads += list(rest[: size + 1 - len(threads)])
    more = len(threads) > size
    threads = threads[:size]
    if not more or not threads:
        return ThreadPage(threads, "")
    tail = threads[-1]
    if tail.response_due_at is not None:
        micros = (tail.response_due_at - EPOCH) // timedelta(microseconds=1)
        return ThreadPage(threads, f"d{micros}.{tail.pk}")
    return ThreadPage(threads, f"n{tail.pk}")


def _cursor(cursor: str) -> tuple[bool, datetime | None, int]:
    """(still among owed threads, their last deadline, last id); a bad cursor starts at the beginning."""
    try:
        if cursor.startswith("d"):
            micros, _, pk = cursor[1:].partition(".")
            return True, EPOCH + timedelta(microseconds=int(micros)), int(pk)
        if cursor.startswith("n"):
            return False, None, int(cursor[1:])
    except (ValueError, OverflowError):
        pass
    return True, None, 0


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
