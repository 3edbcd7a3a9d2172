"""REST: the inbox's threads and items, and replying (the same checks as the UI).

Every member may read (``inbox.read``); replying needs ``inbox.reply``. A reply with problems is answered
422 with every problem; send ``confirmed: true`` to send anyway unless a problem is ``hard``.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema, Status

from kopiena.core.auth_api import request_access
from kopiena.core.params import DbId
from kopiena.core.weblinks import safe_web_url
from kopiena.inbox.models import Item, Thread
from kopiena.inbox.selectors import InboxFilter, access_item, access_thread, thread_items, threads_for
from kopiena.inbox.services import ReplyBlocked, item_reply
from kopiena.teams.permissions import Perm

router = Router(tags=["inbox"])
MAX_THREADS = 200


class ItemOut(Schema):
    id: int
    kind: str
    external_id: str
    author_handle: str
    author_name: str
    is_follower: bool | None
    text: str
    remote_created_at: datetime
    url: str
    language: str
    sentiment: str
    intents: list[str]
    toxic: bool
    spam: bool
    acute: bool
    acute_reasons: list[str]
    hidden: bool


class ThreadOut(Schema):
    id: int
    account_id: int
    subject: str
    status: str
    priority: str
    language: str
    sentiment: str
    acute: bool
    acute_reasons: list[str]
    assignee_id: int | None
    assigned_role: str
    first_response_due_at: datetime | None
    first_responded_at: datetime | None
    response_due_at: datetime | None
    last_item_at: datetime | None


class FilterIn(Schema):
    view: str = "open"
    language: str = ""
    sentiment: str = ""
    account: DbId | None = None


class ReplyIn(Schema):
    text: str = ""  # empty is answered 422 with the problem, after the item is found (else 404)
    confirmed: bool = False
    link_context: str = ""


class ReplyOut(Schema):
    id: int
    state: str


class ReplyProblemOut(Schema):
    code: str
    message: str
    hard: bool
    suggestion: str
    excerpt: str


class ReplyBlockedOut(Schema):
    detail: str
    code: str
    problems: list[ReplyProblemOut]


def _thread(thread: Thread) -> dict:
    return {field: getattr(thread, field) for field in ThreadOut.model_fields}


def _item(item: Item) -> dict:
    out = {field: getattr(item, field) for field in ItemOut.model_fields}
    out["url"] = safe_web_url(item.url)  # http(s) only, also for rows stored before ingest checked it
    return out


@router.get("/threads", response=list[ThreadOut])
def threads_list(request, filters: Query[FilterIn]):
    """Threads, the most urgent first (at most 200)."""
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    chosen = InboxFilter(filters.view, filters.language, filters.sentiment, filters.account)
    return [_thread(t) for t in threads_for(access=access, filters=chosen)[:MAX_THREADS]]


@router.get("/items", response=list[ItemOut])
def items_list(request, thread: DbId | None = None):
    """Items of one thread (``?thread=<id>``, oldest first), or the newest 200 of the workspace."""
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    if thread is not None:
        return [_item(i) for i in thread_items(thread=access_thread(access=access, pk=thread))]
    return [
        _item(i) for i in Item.objects.filter(workspace=access.workspace).order_by("-remote_created_at")[:200]
    ]


@router.post("/items/{int:item_id}/reply", response={201: ReplyOut, 422: ReplyBlockedOut})
def reply_create(request, item_id: int, payload: ReplyIn):
    access = request_access(request)
    item = access_item(access=access, pk=item_id)
    try:
        reply = item_reply(
            access=access,
            item=item,
            text=payload.text,
            confirmed=payload.confirmed,
            link_context=payload.link_context,
        )
    except ReplyBlocked as exc:
        problems = [p.__dict__ for p in exc.problems]
        return Status(422, {"detail": exc.message, "code": exc.code, "problems": problems})
    return Status(201, {"id": reply.pk, "state": reply.state})
