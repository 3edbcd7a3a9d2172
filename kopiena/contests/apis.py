"""REST: contests (create, change a draft, approve, collect, close, draw, re-draw, announce), entries with
their decisions (overrule), the draw export and the entries CSV. Reading needs only membership; drafting
``post.draft``; everything after the draft ``contests.manage`` (the services check)."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Router, Schema, Status

from kopiena.audit.services import audit_record
from kopiena.contests import checklist, selectors, services
from kopiena.contests.export import entries_csv
from kopiena.contests.models import Contest, Entry
from kopiena.core.auth_api import request_access
from kopiena.core.params import IsoDatetime

router = Router(tags=["contests"])
MAX_PAGE = 500


class ContestPostIn(Schema):
    account: int
    post_id: str


class ContestIn(Schema):
    title: str
    description: str = ""
    posts: list[ContestPostIn] = []
    starts_at: IsoDatetime
    ends_at: IsoDatetime
    timezone: str
    prizes: list[str] = []
    winners_count: int = 1
    mechanic: str = "comment"
    keyword: str = ""
    quiz_question: str = ""
    quiz_judging: str = "pattern"
    quiz_pattern: str = ""
    tag_friends: int = 0
    one_entry_per_person: bool = True
    min_account_age_days: int | None = None
    excluded_handles: list[str] = []
    languages: list[str] = []
    min_age: int | None = None
    organiser: str = ""
    organiser_contact: str = ""
    who_may_enter: str = ""
    winners_notice: str = ""
    prize_delivery: str = ""
    privacy_url: str = ""
    complaints: str = ""
    retention_days: int = 90


class ChecklistItemOut(Schema):
    key: str
    label: str
    done: bool
    manual: bool


class ContestOut(Schema):
    id: int
    public_id: str
    title: str
    state: str
    starts_at: IsoDatetime
    ends_at: IsoDatetime
    timezone: str
    prizes: list[str]
    winners_count: int
    mechanic: str
    seed_sha256: str
    frozen_sha256: str
    frozen_count: int
    regulations_url: str
    verify_url: str
    checklist: list[ChecklistItemOut]


class EntryOut(Schema):
    id: int
    entry_id: str
    author: str
    text: str
    entered_at: IsoDatetime
    decision: str
    decision_label: str
    reason: str
    overrule_reason: str
    in_frozen_list: bool
    source_note: str


class OverruleIn(Schema):
    decision: str
    reason: str


class ChecklistIn(Schema):
    key: str
    confirmed: bool = True


class DrawOut(Schema):
    contest: ContestOut
    note: str


def _out(contest: Contest) -> dict:
    return {
        "id": contest.pk, "public_id": contest.public_id, "title": contest.title, "state": contest.state,
        "starts_at": contest.starts_at, "ends_at": contest.ends_at, "timezone": contest.timezone,
        "prizes": contest.prizes, "winners_count": contest.winners_count, "mechanic": contest.mechanic,
        "seed_sha256": contest.seed_sha256, "frozen_sha256": contest.frozen_sha256,
        "frozen_count": contest.frozen_count, "regulations_url": services.public_url(contest),
        "verify_url": services.public_url(contest, "contest_verify"),
        "checklist": [item.__dict__ for item in checklist.checklist_for(contest)],
    }  # fmt: skip


def _entry_out(entry: Entry) -> dict:
    return {
        "id": entry.pk, "entry_id": entry.entry_id, "author": entry.author_handle, "text": entry.text,
        "entered_at": entry.entered_at, "decision": entry.decision, "decision_label": str(entry.get_decision_display()),
        "reason": entry.reason, "overrule_reason": entry.overrule_reason, "in_frozen_list": entry.in_frozen_list,
        "source_note": entry.source_note,
    }  # fmt: skip


def _fields(payload: ContestIn) -> tuple[dict, list[tuple[int, str]]]:
    data = payload.dict()
    posts = [(p["account"], p["post_id"]) for p in data.pop("posts")]
    return data, posts


@router.get("", response=list[ContestOut], summary="Contests of the workspace")
def contests_list(request):
    return [_out(c) for c in selectors.contests_of(access=request_access(request))]


@router.post("", response={201: ContestOut}, summary="Draft a contest (needs post.draft)")
def contests_create(request, payload: ContestIn):
    data, posts = _fields(payload)
    return Status(201, _out(services.contest_create(access=request_access(request), posts=posts, **data)))


@router.get("/{contest_id}", response=ContestOut)
def contests_get(request, contest_id: int):
    return _out(selectors.access_contest(access=request_access(request), contest_id=contest_id))


@router.put("/{contest_id}", response=ContestOut, summary="Change a draft")
def contests_update(request, contest_id: int, payload: ContestIn):
    access = request_access(request)
    selectors.access_contest(access=access, contest_id=contest_id)
    data, posts = _fields(payload)
    return _out(services.contest_update(access=access, contest_id=contest_id, posts=posts, **data))


@router.post("/{contest_id}/checklist", response=ContestOut, summary="Tick a checklist item checked by hand")
def contests_checklist(request, contest_id: int, payload: ChecklistIn):
    access = request_access(request)
    selectors.access_contest(access=access, contest_id=contest_id)
    return _out(services.contest_checklist_confirm(access=access, contest_id=contest_id, **payload.dict()))


@router.post(
    "/{contest_id}/approve", response=ContestOut, summary="Approve (refused while the checklist has gaps)"
)
def contests_approve(request, contest_id: int):
    return _out(services.contest_approve(access=request_access(request), contest_id=contest_id))


@router.post(
    "/{contest_id}/collect", response=dict[str, int], summary="Judge the new comments under the posts"
)
def contests_collect(request, contest_id: int):
    access = request_access(request)
    selectors.access_contest(access=access, contest_id=contest_id)
    return services.contest_collect(contest_id=contest_id, access=access)


@router.post("/{contest_id}/close", response=ContestOut, summary="Close and freeze the entry list")
def contests_close(request, contest_id: int):
    return _out(services.contest_close(access=request_access(request), contest_id=contest_id))


@router.post("/{contest_id}/draw", response=DrawOut, summary="Draw the winners and reveal the seed")
def contests_draw(request, contest_id: int):
    contest, note = services.contest_draw(access=request_access(request), contest_id=contest_id)
    return {"contest": _out(contest), "note": note}


@router.post("/{contest_id}/redraw", response=ContestOut, summary="Re-draw the unclaimed prizes")
def contests_redraw(request, contest_id: int):
    return _out(services.contest_redraw(access=request_access(request), contest_id=contest_id)[0])


@router.post("/{contest_id}/announce", response=ContestOut, summary="Draft the winners' post")
def contests_announce(request, contest_id: int):
    return _out(services.contest_announce(access=request_access(request), contest_id=contest_id))


@router.get("/{contest_id}/entries", response=list[EntryOut], summary="Entries with their decisions")
def contests_entries(request, contest_id: int, decision: str = "", offset: int = 0):
    contest = selectors.access_contest(access=request_access(request), contest_id=contest_id)
    offset = min(max(0, offset), 10**9)
    return [
        _entry_out(e)
        for e in selectors.entries_of(contest=contest, decision=decision)[offset : offset + MAX_PAGE]
    ]


@router.post("/{contest_id}/entries/{entry_pk}/overrule", response=EntryOut, summary="Overrule one decision")
def contests_overrule(request, contest_id: int, entry_pk: int, payload: OverruleIn):
    access = request_access(request)
    selectors.access_contest(access=access, contest_id=contest_id)
    return _entry_out(
        services.entry_overrule(access=access, contest_id=contest_id, entry_pk=entry_pk, **payload.dict())
    )


@router.get(
    "/{contest_id}/draw-export",
    response=dict,
    summary="The draw export (what `kopiena contest verify` checks)",
)
def contests_draw_export(request, contest_id: int):
    return services.draw_export(
        selectors.access_contest(access=request_access(request), contest_id=contest_id)
    )


@router.get("/{contest_id}/entries.csv", summary="Entries and decisions as CSV")
def contests_entries_csv(request, contest_id: int):
    access = request_access(request)
    contest = selectors.access_contest(access=access, contest_id=contest_id)
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="contest.entries_export",
        obj=contest,
        defer=True,
    )
    response = HttpResponse(entries_csv(contest), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contest-{contest.pk}-entries.csv"'
    return response
