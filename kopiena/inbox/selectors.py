"""Inbox reads, always scoped by the access's workspace (another workspace's thread is a 404)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import BooleanField, F, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from kopiena.core.clock import now
from kopiena.core.params import db_ids, db_int
from kopiena.core.weblinks import safe_web_url
from kopiena.inbox.models import Item, ItemKind, Reply, Sentiment, Tag, Thread, ThreadNote, ThreadStatus
from kopiena.integrations.selectors import granted_account_ids
from kopiena.policy.selectors import policy_current
from kopiena.teams.models import Role
from kopiena.teams.selectors import Access

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
    tag: int | None = None
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
            tag=db_int(query.get("tag", "")),
            q=" ".join(query.get("q", "").split())[:SEARCH_MAX_CHARS],
        )


def threads_for(
    *, access: Access, filters: InboxFilter = InboxFilter(), at: datetime | None = None
) -> QuerySet[Thread]:
    """Threads of the workspace in ``filters``' view, the earliest deadline first (those owing nothing
    after them, by id), each with its newest item prefetched as ``items_newest_first``."""
    at = at or now()
    qs = visible_threads(access=access).select_related("account", "assignee")
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
    if filters.tag:
        qs = qs.filter(
            pk__in=Thread.tags.through.objects.filter(tag_id__in=db_ids([filters.tag])).values("thread_id")
        )
    if filters.q:
        qs = _search(qs, access, filters.q)
    latest = Item.objects.order_by("-remote_created_at", "-pk")
    return qs.order_by(F("response_due_at").asc(nulls_last=True), "pk").prefetch_related(
        Prefetch("items", queryset=latest[:1], to_attr="items_newest_first"),  # one per thread (window)
        "tags",
    )


# A word found in more items than this is searched thread by thread, in the list's order (the page fills
# within a few hundred threads); a rarer one by its matches in the workspace (the list is short). Reading
# every match of a word in 30 % of a million items cost 140 ms; counting up to this many costs ~2 ms.
COMMON_WORD_MATCHES = 2000

_MATCHES = {
    "sqlite": "SELECT rowid FROM inbox_item_fts WHERE inbox_item_fts MATCH %s",
    "postgresql": "SELECT id FROM inbox_item WHERE to_tsvector('simple', text) @@ plainto_tsquery('simple', %s)",
}
_WORKSPACE_MATCHES = {
    "sqlite": "SELECT 1 FROM inbox_item_fts f JOIN inbox_item i ON i.id = f.rowid"
    " WHERE inbox_item_fts MATCH %s AND i.workspace_id = %s",
    "postgresql": "SELECT 1 FROM inbox_item WHERE to_tsvector('simple', text) @@ plainto_tsquery('simple', %s)"
    " AND workspace_id = %s",
}
_THREAD_MATCHES = {
    "sqlite": "EXISTS (SELECT 1 FROM inbox_item i JOIN inbox_item_fts f ON f.rowid = i.id"
    " WHERE i.thread_id = inbox_thread.id AND inbox_item_fts MATCH %s)",
    "postgresql": "EXISTS (SELECT 1 FROM inbox_item i WHERE i.thread_id = inbox_thread.id"
    " AND to_tsvector('simple', i.text) @@ plainto_tsquery('simple', %s))",
}


def _search(qs: QuerySet[Thread], access: Access, q: str) -> QuerySet[Thread]:
    """``qs`` narrowed to threads with an item matching all the words of ``q``, by the database's
    full-text index (SQLite FTS5, PostgreSQL's GIN over to_tsvector)."""
    words = [w for w in re.findall(r"\w+", q) if w][:10]
    if not words:
        return qs.none()
    vendor = connection.vendor
    if vendor not in _MATCHES:  # any other database: a plain (slow) scan, same meaning
        items = Item.objects.filter(workspace=access.workspace)
        for word in words:
            items = items.filter(text__icontains=word)
        return qs.filter(pk__in=items.values("thread_id"))
    query = " ".join('"' + w.replace('"', "") + '"' for w in words) if vendor == "sqlite" else " ".join(words)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM ({_WORKSPACE_MATCHES[vendor]} LIMIT %s) found",  # noqa: S608  (constants)
            [query, access.workspace.pk, COMMON_WORD_MATCHES + 1],
        )
        common = cursor.fetchone()[0] > COMMON_WORD_MATCHES
    if common:
        return qs.filter(RawSQL(_THREAD_MATCHES[vendor], [query], output_field=BooleanField()))  # noqa: S611
    ids = RawSQL(_MATCHES[vendor], [query])  # noqa: S611  (our constant SQL; the words are a parameter)
    return qs.filter(pk__in=Item.objects.filter(workspace=access.workspace, pk__in=ids).values("thread_id"))


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
            # The first condition is implied by the second; it is there so PostgreSQL starts the index scan
            # at the cursor (it cannot with the OR alone, and read 10,000 rows to reach page 200).
            owed = owed.filter(response_due_at__gte=due).filter(
                Q(response_due_at__gt=due) | Q(response_due_at=due, pk__gt=last)
            )
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


def dms_visible(*, access: Access) -> bool:
    """Whether the access's role may read direct messages (the policy's ``engagement.direct_messages``)."""
    roles = policy_current(workspace=access.workspace).engagement.direct_messages.visible_to_roles
    return access.role == Role.OWNER or access.role in roles


def visible_threads(*, access: Access) -> QuerySet[Thread]:
    """The one place that says which conversations a member may see: the workspace's, on the accounts
    granted to them (R8: a freelancer limited to some accounts), without direct messages unless the
    policy lets their role read them. Every inbox read starts here."""
    qs = Thread.objects.filter(workspace=access.workspace)
    granted = granted_account_ids(access=access)
    if granted is not None:
        qs = qs.filter(account_id__in=granted)
    if not dms_visible(access=access):
        qs = qs.exclude(kind=ItemKind.DM)
    return qs


def access_thread(*, access: Access, pk: int) -> Thread:
    thread = visible_threads(access=access).select_related("account", "assignee").filter(pk=pk).first()
    if thread is None:
        raise Http404
    return thread


def access_item(*, access: Access, pk: int) -> Item:
    item = (
        Item.objects.select_related("account", "thread")
        .filter(thread__in=visible_threads(access=access), pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    return item


def access_reply(*, access: Access, pk: int) -> Reply:
    """One of our answers in the access's workspace (through its item), or 404."""
    reply = (
        Reply.objects.select_related("item")
        .filter(item__workspace=access.workspace, item__thread__in=visible_threads(access=access), pk=pk)
        .first()
    )
    if reply is None:
        raise Http404
    return reply


def thread_items(*, thread: Thread) -> QuerySet[Item]:
    """The conversation, oldest first, with our replies to each item."""
    return thread.items.prefetch_related(
        Prefetch("replies", queryset=Reply.objects.select_related("author"))
    ).order_by("remote_created_at", "pk")


def thread_notes(*, thread: Thread) -> QuerySet[ThreadNote]:
    return thread.notes.select_related("author").prefetch_related("mentioned").order_by("created_at", "pk")


def tags_of(*, access: Access) -> QuerySet[Tag]:
    return Tag.objects.filter(workspace=access.workspace).order_by("name", "pk")


@dataclass(frozen=True)
class PostContext:
    """The post a comment is under, when it is one of ours (published through Kopiena)."""

    text: str
    url: str
    media: list
    post_id: int | None


def post_context(*, thread: Thread) -> PostContext | None:
    """Our post the thread's comments are under: its text, media and its address on the platform (the
    delivery to that account with that remote id). None for mentions, messages and posts made elsewhere."""
    if not thread.post_external_id:
        return None
    from kopiena.publishing.models import Delivery

    delivery = (
        Delivery.objects.filter(
            workspace_id=thread.workspace_id, account_id=thread.account_id, remote_id=thread.post_external_id
        )
        .select_related("post", "variant")
        .first()
    )
    if delivery is None:
        return None
    post, variant = delivery.post, delivery.variant
    text = variant.text or post.text
    media = list(variant.media.all()) or list(post.media.all())
    return PostContext(text=text, url=safe_web_url(delivery.remote_url), media=media, post_id=post.pk)


def author_history(*, access: Access, thread: Thread, limit: int = 10) -> list[Thread]:
    """The author's earlier conversations with us on the same account (same author id), newest first."""
    first = thread.items.order_by("remote_created_at", "pk").first()
    if first is None or not first.author_external_id:
        return []
    ids = (
        Item.objects.filter(
            workspace=access.workspace,
            account_id=thread.account_id,
            author_external_id=first.author_external_id,
        )
        .exclude(thread_id=thread.pk)
        .values("thread_id")
    )
    return list(visible_threads(access=access).filter(pk__in=ids).order_by("-last_item_at", "-pk")[:limit])


# A skip scan over the (workspace, language) index: one index probe per distinct language, not one row per
# thread (a million threads have a handful of languages). SQLite and PostgreSQL both run it as written.
_LANGUAGES_SQL = """
WITH RECURSIVE found(language) AS (
    SELECT MIN(language) FROM inbox_thread WHERE workspace_id = %s AND language > ''
    UNION ALL
    SELECT (SELECT MIN(language) FROM inbox_thread WHERE workspace_id = %s AND language > found.language)
    FROM found WHERE found.language IS NOT NULL
)
SELECT language FROM found WHERE language IS NOT NULL
"""


def languages_in_inbox(*, access: Access) -> list[str]:
    """The languages the workspace's conversations are in, for the list's filter."""
    workspace_id = access.workspace.pk
    with connection.cursor() as cursor:
        cursor.execute(_LANGUAGES_SQL, [workspace_id, workspace_id])
        return [language for (language,) in cursor.fetchall()]


def hidden_items(*, access: Access) -> QuerySet[Item]:
    """Everything hidden on the platform in the workspace, the latest first (the M4 audit list)."""
    return (
        Item.objects.filter(
            workspace=access.workspace, hidden=True, thread__in=visible_threads(access=access)
        )
        .select_related("account", "thread", "hidden_by")
        .order_by("-hidden_at", "-pk")
    )


PREVIEW_DAYS = 30
PREVIEW_MAX_ITEMS = 20_000


@dataclass(frozen=True)
class RulePreview:
    """What a routing rule would have matched in the last ``days``: ``matched`` items meet its
    conditions, ``decided`` of them it would have routed (no earlier rule took them first), of
    ``total`` items looked at (the newest ``PREVIEW_MAX_ITEMS`` at most: ``capped``); a few ``samples``."""

    matched: int
    decided: int
    total: int
    capped: bool
    samples: list[Item]
    days: int = PREVIEW_DAYS


def route_rule_preview(
    *, access: Access, document, rule_index: int, at: datetime | None = None
) -> RulePreview:
    """Run ``document``'s routing over the workspace's items of the last 30 days, for one rule (the
    policy UI shows it before the rule is saved). The conditions are the policy's own evaluator's."""
    from kopiena.policy import evaluators

    at = at or now()
    rule = document.engagement.routing.rules[rule_index]
    items = Item.objects.filter(
        workspace=access.workspace, remote_created_at__gte=at - timedelta(days=PREVIEW_DAYS)
    ).select_related("account")
    when = rule.when
    if when.sentiments:
        items = items.filter(sentiment__in=list(when.sentiments))
    if when.languages:
        items = items.filter(language__in=list(when.languages))
    if when.acute is not None:
        items = items.filter(acute=when.acute)
    rows = list(items.order_by("-remote_created_at", "-pk")[: PREVIEW_MAX_ITEMS + 1])
    capped = len(rows) > PREVIEW_MAX_ITEMS
    rows = rows[:PREVIEW_MAX_ITEMS]
    data = document.to_data()
    data["engagement"]["routing"]["rules"] = [data["engagement"]["routing"]["rules"][rule_index]]
    only_this = type(document).model_validate(data)
    matched = decided = 0
    samples: list[Item] = []
    for item in rows:
        labels = {
            "intent": list(item.intents or []),
            "sentiment": item.sentiment,
            "language": item.language,
            "acute": item.acute,
        }
        key = evaluators.account_key_for(item.account)
        if evaluators.route(only_this, labels, key).path != "engagement.routing.rules.0":
            continue
        matched += 1
        if evaluators.route(document, labels, key).path == f"engagement.routing.rules.{rule_index}":
            decided += 1
        if len(samples) < 5:
            samples.append(item)
    total = Item.objects.filter(
        workspace=access.workspace, remote_created_at__gte=at - timedelta(days=PREVIEW_DAYS)
    ).count()
    return RulePreview(matched, decided, total, capped, samples)


ARRIVAL_SAMPLE = 500


def arrival_delay(*, access: Access, sample: int = ARRIVAL_SAMPLE) -> dict:
    """The platform-to-inbox delay of the workspace's latest ``sample`` items (``received_at`` minus the
    platform's ``remote_created_at``; clock skew counted as 0): how many, median, 95th percentile and
    maximum in seconds, and how many arrived by push within a minute. Items stored before arrival times
    were recorded are left out. Cheap: the newest arrivals by the (workspace, received_at) index."""
    rows = list(
        Item.objects.filter(workspace=access.workspace, received_at__isnull=False)
        .order_by("-received_at")
        .values_list("received_at", "remote_created_at")[:sample]
    )
    delays = sorted(max(0.0, (got - written).total_seconds()) for got, written in rows)
    if not delays:
        return {"items": 0, "p50_seconds": None, "p95_seconds": None, "max_seconds": None, "within_minute": 0}

    def pick(share: float) -> float:
        return round(delays[min(len(delays) - 1, int(share * len(delays)))], 1)

    return {
        "items": len(delays),
        "p50_seconds": pick(0.5),
        "p95_seconds": pick(0.95),
        "max_seconds": round(delays[-1], 1),
        "within_minute": sum(1 for d in delays if d <= 60),
    }
