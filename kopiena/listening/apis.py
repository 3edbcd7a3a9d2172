"""REST: saved listening queries (CRUD, "try it"), mentions (filtered, keyset pages, spam review) and CSV.

Every member may read (``inbox.read``); changing queries and reviewing spam needs ``listening.manage``.
A query with a syntax error is answered 400 with ``field: "expression"`` and the character it refers to.
Exports are audited (they take data out of the workspace).
"""

from __future__ import annotations

from datetime import datetime

from django.http import StreamingHttpResponse
from ninja import Query, Router, Schema, Status

from kopiena.audit.services import audit_record
from kopiena.core.auth_api import request_access
from kopiena.core.errors import DomainError
from kopiena.core.params import IsoDatetime
from kopiena.listening.export import mentions_csv, queries_csv
from kopiena.listening.models import ListeningQuery, Mention
from kopiena.listening.query_language import QuerySyntaxError, compile_query
from kopiena.listening.selectors import (
    MentionFilter,
    access_mention,
    access_query,
    mentions_page,
    queries_of,
)
from kopiena.listening.services import (
    mention_spam_review,
    query_create,
    query_delete,
    query_update,
    syntax_error_message,
)
from kopiena.teams.permissions import Perm

router = Router(tags=["listening"])
MAX_PAGE = 200
TRY_SCAN = 5000  # "try it" looks at this many of the newest stored mentions


class QueryIn(Schema):
    name: str
    expression: str
    languages: list[str] = []
    excluded_authors: list[str] = []
    excluded_domains: list[str] = []
    sources: list[int] = []
    enabled: bool = True
    alerts_enabled: bool = True


class QueryPatch(Schema):
    name: str | None = None
    expression: str | None = None
    languages: list[str] | None = None
    excluded_authors: list[str] | None = None
    excluded_domains: list[str] | None = None
    sources: list[int] | None = None
    enabled: bool | None = None
    alerts_enabled: bool | None = None


class QueryOut(Schema):
    id: int
    name: str
    expression: str
    languages: list[str]
    excluded_authors: list[str]
    excluded_domains: list[str]
    sources: list[int]
    enabled: bool
    alerts_enabled: bool
    created_at: datetime


class MentionOut(Schema):
    id: int
    source_id: int
    platform: str
    external_id: str
    url: str
    domain: str
    author_handle: str
    author_name: str
    author_url: str
    author_followers: int | None
    is_follower: bool | None
    title: str
    text: str
    language: str
    sentiment: str
    intents: list[str]
    toxic: bool
    spam: bool
    acute: bool
    spam_review: str
    published_at: datetime
    inbox_item_id: int | None
    answered_elsewhere_url: str


class MentionPage(Schema):
    items: list[MentionOut]
    next: str  # pass as ?after= for the next page; "" at the end


class MentionFilterIn(Schema):
    query: int | None = None
    source: int | None = None
    language: str = ""
    sentiment: str = ""
    since: IsoDatetime | None = None
    until: IsoDatetime | None = None
    spam: bool = False


class TryIn(Schema):
    expression: str


class TryOut(Schema):
    scanned: int
    matched: list[MentionOut]


class SpamIn(Schema):
    spam: bool


def _query_out(query: ListeningQuery) -> QueryOut:
    return QueryOut(
        id=query.pk, name=query.name, expression=query.expression, languages=query.languages,
        excluded_authors=query.excluded_authors, excluded_domains=query.excluded_domains,
        sources=sorted(s.pk for s in query.sources.all()), enabled=query.enabled,
        alerts_enabled=query.alerts_enabled, created_at=query.created_at,
    )  # fmt: skip


def _filters(f: MentionFilterIn) -> MentionFilter:
    return MentionFilter(
        query_id=f.query, source_id=f.source, language=f.language, sentiment=f.sentiment, since=f.since,
        until=f.until, spam=f.spam,
    )  # fmt: skip


@router.get("/queries", response=list[QueryOut], summary="Saved listening queries")
def queries_list(request):
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    return [_query_out(q) for q in queries_of(workspace=access.workspace)]


@router.post("/queries", response={201: QueryOut}, summary="Save a query (needs listening.manage)")
def queries_create(request, payload: QueryIn):
    data = payload.dict()
    query = query_create(access=request_access(request), source_ids=data.pop("sources"), **data)
    return Status(201, _query_out(query))


@router.get("/queries/{query_id}", response=QueryOut)
def queries_get(request, query_id: int):
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    return _query_out(access_query(access=access, pk=query_id))


@router.patch("/queries/{query_id}", response=QueryOut, summary="Change a query (needs listening.manage)")
def queries_patch(request, query_id: int, payload: QueryPatch):
    access = request_access(request)
    changes = payload.dict(exclude_unset=True)
    source_ids = changes.pop("sources", None)
    changes = {k: v for k, v in changes.items() if v is not None}
    query = query_update(access=access, query=access_query(access=access, pk=query_id), source_ids=source_ids,
                         **changes)  # fmt: skip
    return _query_out(query)


@router.delete("/queries/{query_id}", response={204: None}, summary="Delete a query; its mentions stay")
def queries_delete(request, query_id: int):
    access = request_access(request)
    query_delete(access=access, query=access_query(access=access, pk=query_id))
    return Status(204, None)


@router.post("/try", response=TryOut, summary="What an expression would have matched among stored mentions")
def queries_try(request, payload: TryIn):
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    try:
        matcher = compile_query(payload.expression)
    except QuerySyntaxError as exc:
        raise DomainError(syntax_error_message(exc), field="expression", code="query_syntax") from None
    recent = list(
        Mention.objects.filter(workspace=access.workspace).order_by("-published_at", "-pk")[:TRY_SCAN]
    )
    matched = [m for m in recent if matcher.matches(m.text + " " + m.title, author=m.author_handle)][
        :MAX_PAGE
    ]
    return TryOut(scanned=len(recent), matched=[MentionOut.from_orm(m) for m in matched])


@router.get("/mentions", response=MentionPage, summary="Mentions, newest first (keyset pages: ?after=)")
def mentions_list(request, filters: Query[MentionFilterIn], after: str = "", size: int = 50):
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    rows, cursor = mentions_page(
        workspace=access.workspace, filters=_filters(filters), after=after, size=max(1, min(size, MAX_PAGE))
    )
    return MentionPage(items=[MentionOut.from_orm(m) for m in rows], next=cursor)


@router.get("/mentions/{mention_id}", response=MentionOut)
def mentions_get(request, mention_id: int):
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    return MentionOut.from_orm(access_mention(access=access, pk=mention_id))


@router.post("/mentions/{mention_id}/spam", response=MentionOut, summary="Confirm or release a held mention")
def mentions_spam(request, mention_id: int, payload: SpamIn):
    access = request_access(request)
    mention = mention_spam_review(access=access, mention=access_mention(access=access, pk=mention_id),
                                  is_spam=payload.spam)  # fmt: skip
    return MentionOut.from_orm(mention)


def _csv_response(chunks, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/queries.csv", summary="Saved queries as CSV")
def queries_export(request):
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    audit_record(actor=access.user, workspace=access.workspace, action="listening.queries_export",
                 object_type="listening.listeningquery", defer=True)  # fmt: skip
    return _csv_response(queries_csv(list(queries_of(workspace=access.workspace))), "listening-queries.csv")


@router.get("/mentions.csv", summary="Mentions as CSV (the same filters as /mentions)")
def mentions_export(request, filters: Query[MentionFilterIn]):
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    audit_record(actor=access.user, workspace=access.workspace, action="listening.mentions_export",
                 object_type="listening.mention", after=filters.dict(), defer=True)  # fmt: skip
    return _csv_response(mentions_csv(workspace=access.workspace, filters=_filters(filters)), "mentions.csv")
