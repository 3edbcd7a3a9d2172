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
from kopiena.inbox.corrections import item_correct
from kopiena.inbox.models import Item, Thread
from kopiena.inbox.notes import thread_note_add, thread_tag
from kopiena.inbox.selectors import (
    InboxFilter,
    access_item,
    access_thread,
    arrival_delay,
    thread_items,
    threads_for,
    visible_threads,
)
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
    received_at: datetime | None = None
    edited_text: str = ""
    edited_at: datetime | None = None
    deleted_at: datetime | None = None


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


class ArrivalOut(Schema):
    items: int
    p50_seconds: float | None
    p95_seconds: float | None
    max_seconds: float | None
    within_minute: int


@router.get("/arrival", response=ArrivalOut)
def arrival(request):
    """Platform-to-inbox delay of the latest items (stream, webhook or poll): median, p95, max seconds."""
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    return arrival_delay(access=access)


@router.get("/items", response=list[ItemOut])
def items_list(request, thread: DbId | None = None):
    """Items of one thread (``?thread=<id>``, oldest first), or the newest 200 of the workspace."""
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    if thread is not None:
        return [_item(i) for i in thread_items(thread=access_thread(access=access, pk=thread))]
    return [
        _item(i)
        for i in Item.objects.filter(
            workspace=access.workspace, thread__in=visible_threads(access=access)
        ).order_by("-remote_created_at")[:200]
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


class ItemCorrectionIn(Schema):
    """Only the labels given are corrected; the rest keep their value."""

    language: str | None = None
    sentiment: str | None = None
    intents: list[str] | None = None
    spam: bool | None = None
    toxic: bool | None = None


@router.post("/items/{int:item_id}/correct", response=ItemOut)
def item_correct_api(request, item_id: int, payload: ItemCorrectionIn):
    """Correct an item's labels (moderators, managers, owners); the thread is routed again. A label that
    does not exist is a 400 naming it, and nothing changes."""
    access = request_access(request)
    access.require(Perm.INBOX_MODERATE)
    item = access_item(access=access, pk=item_id)
    item_correct(access=access, item=item, changes=payload.model_dump(exclude_none=True))
    return _item(item)


class ThreadNoteIn(Schema):
    text: str


class ThreadNoteOut(Schema):
    id: int
    text: str
    mentioned: list[int]


@router.post("/threads/{int:thread_id}/notes", response={201: ThreadNoteOut})
def thread_note_api(request, thread_id: int, payload: ThreadNoteIn):
    """An internal note (text only); ``@username`` of a member notifies them."""
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    note = thread_note_add(
        access=access, thread=access_thread(access=access, pk=thread_id), text=payload.text
    )
    return Status(201, {"id": note.pk, "text": note.text, "mentioned": [u.pk for u in note.mentioned.all()]})


class ThreadTagIn(Schema):
    tag: str
    remove: bool = False


@router.post("/threads/{int:thread_id}/tags", response=list[str])
def thread_tag_api(request, thread_id: int, payload: ThreadTagIn):
    """Put a tag on a thread (created on first use) or take it off; returns the thread's tags."""
    access = request_access(request)
    access.require(Perm.INBOX_ASSIGN)
    thread = access_thread(access=access, pk=thread_id)
    thread_tag(access=access, thread=thread, name=payload.tag, add=not payload.remove)
    return list(thread.tags.order_by("name").values_list("name", flat=True))
