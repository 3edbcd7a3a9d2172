"""REST /api/v1/posts: the calendar, drafting, review, scheduling (with the policy's refusal and nearest
slot), cancelling, bulk import (dry run or all-or-nothing) and the CSV export.

Every operation calls the same service as the web UI with the token's workspace access, so roles and
"another workspace's post is a 404" hold exactly as there. Times are ISO 8601 with an offset (UTC out).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from kopiena.core.auth_api import request_access
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.core.params import IsoDatetime, check_moment
from kopiena.publishing import exporters, importers
from kopiena.publishing.selectors import access_post, posts_for_calendar
from kopiena.publishing.services import (
    ScheduleRefused,
    post_approve,
    post_cancel,
    post_create,
    post_reschedule,
    post_schedule,
    post_send_back,
    post_submit,
)

router = Router(tags=["posts"])


class CalendarEntryOut(Schema):
    id: int
    title: str
    content_type: str
    state: str
    theme: str
    scheduled_at: datetime
    account_ids: list[int]
    flags: list[str]  # messages of the policy rules that flag the post without refusing it


class VariantOut(Schema):
    account_id: int
    text: str
    problems: list[dict]


class PolicyFlagOut(Schema):
    """A policy rule that flags the post without refusing it (mix worsened, link without context)."""

    code: str
    path: str
    message: str


class PostOut(Schema):
    id: int
    state: str
    content_type: str
    text: str
    theme: str
    tags: list[str]
    campaign: str
    link: str
    link_context: str
    first_comment: str
    poll_options: list[str]
    scheduled_at: datetime | None
    variants: list[VariantOut]
    policy_flags: list[PolicyFlagOut]


class PostIn(Schema):
    account_ids: list[int]
    content_type: str = "text"
    text: str = ""
    theme: str = ""
    tags: list[str] = []
    campaign: str = ""
    link: str = ""
    link_context: str = ""
    first_comment: str = ""
    poll_options: list[str] = []
    # Keys are account ids; said in the document so that a client (or schemathesis) sends numbers there.
    variant_texts: dict[int, str] = Field(
        default={}, json_schema_extra={"propertyNames": {"pattern": "^[0-9]{1,18}$"}}
    )


class CommentIn(Schema):
    comment: str = ""


class ScheduleIn(Schema):
    at: datetime | None = None  # required; optional here so another workspace's post answers 404 first
    override_reason: str | None = None


class ScheduleProblemOut(Schema):
    rule: str
    message: str
    overridable: bool
    account_id: int | None


class ScheduleRefusedOut(Schema):
    detail: str
    code: str
    proposed_at: datetime | None
    overridable: bool
    problems: list[ScheduleProblemOut]


class ImportProblemOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    ok: bool
    format: str
    rows: int
    created: int
    scheduled: int
    dry_run: bool
    problems: list[ImportProblemOut]
    notes: list[ImportProblemOut]


def _post_out(request, post_id: int) -> PostOut:
    post = access_post(access=request_access(request), post_id=post_id)
    return PostOut(
        id=post.pk,
        state=post.state,
        content_type=post.content_type,
        text=post.text,
        theme=post.theme,
        tags=post.tags,
        campaign=post.campaign,
        link=post.link,
        link_context=post.link_context,
        first_comment=post.first_comment,
        poll_options=post.poll_options,
        scheduled_at=post.scheduled_at,
        variants=[
            VariantOut(account_id=v.account_id, text=v.text, problems=v.problems) for v in post.variants.all()
        ],
        policy_flags=[PolicyFlagOut(**flag) for flag in post.policy_flags],
    )


def _range(start: datetime | None, end: datetime | None, *, default_days: int) -> tuple[datetime, datetime]:
    start = check_moment(start, field="start") if start else now()
    end = check_moment(end, field="end") if end else check_moment(start + timedelta(days=default_days))
    if end <= start or start.tzinfo is None or end.tzinfo is None:
        raise DomainError("start and end must be times with an offset, start before end.", field="start")
    return start, end


@router.get(
    "", response=list[CalendarEntryOut], summary="Posts scheduled in [start, end) (default: the next 31 days)"
)
def posts_list(
    request,
    start: IsoDatetime | None = None,
    end: IsoDatetime | None = None,
    # Query[...]: a bare list parameter is read from a JSON body by django-ninja, so ?account=… was ignored.
    # Plain arrays in the document (no "| None": an array-or-null query parameter confuses clients and
    # schemathesis alike); absent means None.
    account: Query[list[int]] = None,
    type: Query[list[str]] = None,
    theme: Query[list[str]] = None,
    state: Query[list[str]] = None,
):
    start, end = _range(start, end, default_days=31)
    entries = posts_for_calendar(
        access=request_access(request),
        start=start,
        end=end,
        account_ids=account,
        content_types=type,
        themes=theme,
        states=state,
    )
    return [
        CalendarEntryOut(
            id=e.id,
            title=e.title,
            content_type=e.content_type,
            state=e.state,
            theme=e.theme,
            scheduled_at=e.scheduled_at,
            account_ids=list(e.account_ids),
            flags=list(e.flags),
        )
        for e in entries
    ]


@router.get("/export.csv", summary="The calendar in the import format (CSV; default: the next 366 days)")
def posts_export(request, start: IsoDatetime | None = None, end: IsoDatetime | None = None):
    start, end = _range(start, end, default_days=366)
    body = exporters.calendar_csv(access=request_access(request), start=start, end=end)
    return HttpResponse(body, content_type="text/csv; charset=utf-8")


@router.post("/import", response=ImportOut, summary="Bulk import a CSV/XLSX body: dry run, or all or nothing")
def posts_import(
    request, filename: str = "upload.csv", dry_run: bool = True, default_account: int | None = None
):
    result = importers.posts_import(
        access=request_access(request),
        content=request.body,
        filename=filename,
        default_account=default_account,
        dry_run=dry_run,
    )
    rows = [ImportProblemOut(row=p.row, column=p.column, message=p.message) for p in result.problems]
    notes = [ImportProblemOut(row=p.row, column=p.column, message=p.message) for p in result.notes]
    return ImportOut(
        ok=result.ok,
        format=result.format,
        rows=result.rows,
        created=result.created,
        scheduled=result.scheduled,
        dry_run=result.dry_run,
        problems=rows,
        notes=notes,
    )


@router.post("", response={201: PostOut}, summary="Draft a post for one or more accounts")
def posts_create(request, payload: PostIn):
    post = post_create(access=request_access(request), **payload.dict())
    return Status(201, _post_out(request, post.pk))


@router.post("/{int:post_id}/submit", response=PostOut, summary="Draft → in review")
def posts_submit(request, post_id: int):
    post_submit(access=request_access(request), post_id=post_id)
    return _post_out(request, post_id)


@router.post("/{int:post_id}/approve", response=PostOut, summary="Approve (managers)")
def posts_approve(request, post_id: int, payload: CommentIn):
    post_approve(access=request_access(request), post_id=post_id, comment=payload.comment)
    return _post_out(request, post_id)


@router.post("/{int:post_id}/send-back", response=PostOut, summary="Send back to the author with a comment")
def posts_send_back(request, post_id: int, payload: CommentIn):
    access = request_access(request)
    access_post(access=access, post_id=post_id)  # another workspace's post: 404 before any other answer
    post_send_back(access=access, post_id=post_id, comment=payload.comment)
    return _post_out(request, post_id)


@router.post(
    "/{int:post_id}/schedule",
    response={200: PostOut, 409: ScheduleRefusedOut},
    summary="Schedule, or move a scheduled post; 409 names each refused rule and the nearest allowed time",
)
def posts_schedule(request, post_id: int, payload: ScheduleIn):
    access = request_access(request)
    post = access_post(access=access, post_id=post_id)
    if payload.at is None:
        raise DomainError("Give the time to publish at.", field="at")
    action = post_reschedule if post.state == "scheduled" else post_schedule
    try:
        action(access=access, post_id=post_id, at=payload.at, override_reason=payload.override_reason)
    except ScheduleRefused as refused:
        return Status(
            409,
            ScheduleRefusedOut(
                detail=refused.message,
                code=refused.code,
                proposed_at=refused.proposed_at,
                overridable=refused.overridable,
                problems=[
                    ScheduleProblemOut(
                        rule=p.rule, message=p.message, overridable=p.overridable, account_id=p.account_id
                    )
                    for p in refused.problems
                ],
            ),
        )
    return _post_out(request, post_id)


@router.post("/{int:post_id}/cancel", response=PostOut, summary="Take the post off the calendar")
def posts_cancel(request, post_id: int):
    post_cancel(access=request_access(request), post_id=post_id)
    return _post_out(request, post_id)
