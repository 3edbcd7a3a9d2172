"""REST for competitors and leaders (issue 11 items 6 and 8), with CSV; mounted at /listening/insights.

Reading needs ``inbox.read``; tracking competitors needs ``listening.manage``. Another workspace's
competitor or person is 404. Writes go through the services (audited); exports are audited too.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import StreamingHttpResponse
from ninja import Router, Schema, Status

from kopiena.audit.services import audit_record
from kopiena.core.auth_api import request_access
from kopiena.listening import competitors as comp
from kopiena.listening import leaders as lead
from kopiena.listening.insight_export import competitor_posts_csv, leaders_csv
from kopiena.teams.permissions import Perm

router = Router(tags=["listening"])


class AccountIn(Schema):
    platform: str = "rss"
    handle: str = ""
    feed_url: str


class CompetitorAccountOut(Schema):
    id: int
    platform: str
    handle: str
    feed_url: str
    last_error: str
    last_success_at: datetime | None


class CompetitorIn(Schema):
    name: str
    aliases: list[str] = []
    accounts: list[AccountIn] = []


class CompetitorOut(Schema):
    id: int
    name: str
    aliases: list[str]
    accounts: list[CompetitorAccountOut]


class CompetitorPostOut(Schema):
    id: int
    published_at: datetime
    content_type: str
    text: str
    url: str
    likes: int
    shares: int
    replies: int


def _competitor_out(c) -> CompetitorOut:
    return CompetitorOut(
        id=c.pk, name=c.name, aliases=c.aliases,
        accounts=[CompetitorAccountOut(id=a.pk, platform=a.platform, handle=a.handle, feed_url=a.feed_url,
                             last_error=a.last_error, last_success_at=a.last_success_at)
                  for a in c.accounts.all()],
    )  # fmt: skip


def _csv(chunks, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/competitors", response=list[CompetitorOut], summary="Tracked competitors and their accounts")
def competitors_list(request):
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    return [_competitor_out(c) for c in comp.competitors_of(workspace=access.workspace)]


@router.post("/competitors", response={201: CompetitorOut}, summary="Track a competitor")
def competitors_create(request, payload: CompetitorIn):
    access = request_access(request)
    competitor = comp.competitor_create(access=access, name=payload.name, aliases=payload.aliases)
    for account in payload.accounts:
        comp.competitor_account_add(access=access, competitor_id=competitor.pk, platform=account.platform,
                                    handle=account.handle, feed_url=account.feed_url)  # fmt: skip
    return Status(201, _competitor_out(competitor))


@router.get("/competitors/{competitor_id}", response=CompetitorOut)
def competitors_get(request, competitor_id: int):
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    return _competitor_out(comp.access_competitor(access=access, pk=competitor_id))


@router.delete("/competitors/{competitor_id}", response={204: None})
def competitors_delete(request, competitor_id: int):
    comp.competitor_delete(access=request_access(request), competitor_id=competitor_id)
    return Status(204, None)


@router.post("/competitors/{competitor_id}/accounts", response={201: CompetitorAccountOut})
def competitors_account_add(request, competitor_id: int, payload: AccountIn):
    a = comp.competitor_account_add(access=request_access(request), competitor_id=competitor_id,
                                    platform=payload.platform, handle=payload.handle, feed_url=payload.feed_url)  # fmt: skip
    return Status(201, CompetitorAccountOut(id=a.pk, platform=a.platform, handle=a.handle, feed_url=a.feed_url,
                                  last_error=a.last_error, last_success_at=a.last_success_at))  # fmt: skip


@router.get(
    "/competitors/{competitor_id}/posts", response=list[CompetitorPostOut], summary="Their latest posts"
)
def competitors_posts(request, competitor_id: int, size: int = 50):
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    competitor = comp.access_competitor(access=access, pk=competitor_id)
    return [
        CompetitorPostOut(id=p.pk, published_at=p.published_at, content_type=p.content_type, text=p.text, url=p.url,
                likes=p.likes, shares=p.shares, replies=p.replies)
        for p in comp.competitor_posts(competitor=competitor, limit=max(1, min(size, 200)))
    ]  # fmt: skip


@router.get("/competitors.csv", summary="Competitors' posts as CSV")
def competitors_export(request):
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    audit_record(actor=access.user, workspace=access.workspace, action="listening.competitors_export",
                 object_type="listening.competitorpost", defer=True)  # fmt: skip
    return _csv(competitor_posts_csv(workspace=access.workspace), "competitor-posts.csv")


class LeaderOut(Schema):
    platform: str
    handle: str
    handles: list[str]
    name: str
    person_id: int | None
    score: float
    mentions: int
    comments: int
    replies_drawn: int
    positivity: float
    followers: int | None
    last_seen: datetime | None


@router.get("/leaders", response=list[LeaderOut], summary="People who engage with the brand, ranked")
def leaders_list(request, size: int = 50):
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    return [
        LeaderOut(platform=x.platform, handle=x.handle, handles=[f"{p}:{h}" for p, h in x.handles], name=x.name,
                  person_id=x.person_id, score=x.score, mentions=x.mentions, comments=x.comments,
                  replies_drawn=x.replies_drawn, positivity=x.positivity, followers=x.followers,
                  last_seen=x.last_seen)
        for x in lead.leaders_ranked(workspace=access.workspace, limit=max(1, min(size, 500)))
    ]  # fmt: skip


@router.get("/leaders.csv", summary="Leaders as CSV")
def leaders_export(request):
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    audit_record(actor=access.user, workspace=access.workspace, action="listening.leaders_export",
                 object_type="listening.person", defer=True)  # fmt: skip
    return _csv(leaders_csv(lead.leaders_ranked(workspace=access.workspace, limit=5000)), "leaders.csv")


class PersonOut(Schema):
    id: int
    display_name: str
    handles: list[str]


class PersonIn(Schema):
    platform: str
    handle: str
    display_name: str = ""


class NoteIn(Schema):
    body: str


class TaskIn(Schema):
    title: str
    assignee: int
    due_date: date


class MergeIn(Schema):
    other: int


def _person_out(p) -> PersonOut:
    return PersonOut(id=p.pk, display_name=p.display_name, handles=[str(h) for h in p.handles.all()])


@router.post("/people", response=PersonOut, summary="The person behind a handle (made on first use)")
def people_ensure(request, payload: PersonIn):
    access = request_access(request)
    person = lead.person_ensure(access=access, platform=payload.platform, handle=payload.handle,
                                display_name=payload.display_name)  # fmt: skip
    return _person_out(person)


@router.get("/people/{person_id}", response=PersonOut)
def people_get(request, person_id: int):
    access = request_access(request)
    access.require(Perm.INBOX_READ)
    return _person_out(lead.access_person(access=access, pk=person_id))


@router.post("/people/{person_id}/notes", response={201: dict})
def people_note(request, person_id: int, payload: NoteIn):
    note = lead.person_note_add(access=request_access(request), person_id=person_id, body=payload.body)
    return Status(201, {"id": note.pk})


@router.post("/people/{person_id}/tasks", response={201: dict})
def people_task(request, person_id: int, payload: TaskIn):
    task = lead.person_task_create(access=request_access(request), person_id=person_id, title=payload.title,
                                   assignee_id=payload.assignee, due_date=payload.due_date)  # fmt: skip
    return Status(201, {"id": task.pk})


@router.post("/people/{person_id}/merge", response=PersonOut, summary="Merge another person into this one")
def people_merge(request, person_id: int, payload: MergeIn):
    person = lead.person_merge(access=request_access(request), person_id=person_id, other_id=payload.other)
    return _person_out(person)
