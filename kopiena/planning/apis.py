"""REST /api/v1/planning: the week planner's gap finder as JSON."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import BeforeValidator, StrictInt

from kopiena.core.auth_api import request_access
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.core.params import IsoDate, check_day
from kopiena.core.zones import zone_of
from kopiena.planning import days as days_lib
from kopiena.planning import services
from kopiena.planning.selectors import ideas_of, proposals_for_week, week_plan

router = Router(tags=["planning"])


def _iso_day_only(value: object) -> object:
    """In a body, a date is an ISO 8601 string (pydantic would read 0 as 1970-01-01)."""
    if not isinstance(value, str | date) or isinstance(value, datetime):
        raise ValueError("expected an ISO 8601 date (YYYY-MM-DD)")
    return value


BodyDate = Annotated[IsoDate, BeforeValidator(_iso_day_only)]


class WeekGapOut(Schema):
    account_id: int
    day: date
    slot: str | None  # "HH:MM" of an empty queue slot; None: the account has nothing planned that week


class WeekThemeOut(Schema):
    day: date
    themes: list[str]


class WeekPlanOut(Schema):
    start: date
    planned_posts: int
    gaps: list[WeekGapOut]
    missing_themes: list[WeekThemeOut]
    in_review: int
    approved_unscheduled: int
    mix_drifts: list[dict]
    todo_count: int


@router.get("/week", response=WeekPlanOut, summary="C9: what next week's plan still lacks (?week=any day)")
def week_plan_get(request, week: IsoDate | None = None):
    access = request_access(request)
    plan = week_plan(access=access, start=check_day(week, field="week") if week else None)
    gaps = []
    for account_week in plan.accounts:
        for day in account_week.days:
            gaps += [
                WeekGapOut(account_id=account_week.account.pk, day=day.day, slot=f"{t:%H:%M}")
                for t in day.empty_slots
            ]
        if not account_week.has_slots and not account_week.planned:
            gaps.append(WeekGapOut(account_id=account_week.account.pk, day=plan.start, slot=None))
    return WeekPlanOut(
        start=plan.start,
        planned_posts=plan.planned_posts,
        gaps=gaps,
        missing_themes=[
            WeekThemeOut(day=h.day, themes=[t.name for t in h.themes]) for h in plan.missing_themes
        ],
        in_review=plan.in_review,
        approved_unscheduled=plan.approved_unscheduled,
        mix_drifts=[
            {
                "content_type": d.content_type,
                "planned_percent": d.planned_percent,
                "target_percent": d.target_percent,
            }
            for d in plan.mix_drifts
        ],
        todo_count=plan.todo_count,
    )


# ---------------------------------------------------------------- days, ideas, consent, proposals


class DayOut(Schema):
    day: date
    kind: str
    key: str
    name: str
    hashtag: str
    category: str
    note: str


@router.get(
    "/days", response=list[DayOut], summary="C2/C5: holidays, name days, special days and local events"
)
def days_get(request, start: IsoDate | None = None, end: IsoDate | None = None, language: str = ""):
    """Without dates: the next four weeks from today in the workspace's time zone."""
    access = request_access(request)
    today = now().astimezone(zone_of(access.workspace.timezone)).date()
    first = check_day(start, field="start") if start else today
    last = check_day(end, field="end") if end else first + timedelta(days=27)
    if last < first or (last - first).days > 366:
        raise DomainError(_("Ask for at most a year, with end after start."), field="end")
    return [
        DayOut(
            day=d.day,
            kind=d.kind,
            key=d.key,
            name=d.name,
            hashtag=d.hashtag,
            category=d.category,
            note=d.note,
        )
        for d in days_lib.days_between(
            workspace=access.workspace, start=first, end=last, language=language[:2] or None
        )
    ]


class IdeaIn(Schema):
    kind: str
    title: str
    text: str = ""
    language: str = ""
    content_type: str = ""
    hashtags: list[str] = []
    link: str = ""
    link_context: str = ""
    day: BodyDate | None = None
    event_id: StrictInt | None = None
    consent_id: StrictInt | None = None
    promo_code: str = ""


class IdeaOut(Schema):
    id: int
    kind: str
    title: str
    text: str
    hashtags: list[str]
    link: str
    day: date | None
    promo_code: str
    promo_uses: int
    count: int
    source_item_ids: list[int]
    status: str


def _idea_out(idea, uses: int | None = None) -> IdeaOut:
    return IdeaOut(
        id=idea.pk,
        kind=idea.kind,
        title=idea.title,
        text=idea.text,
        hashtags=idea.hashtags,
        link=idea.link,
        day=idea.day,
        promo_code=idea.promo_code,
        promo_uses=uses if uses is not None else getattr(idea, "promo_uses_count", 0),
        count=idea.count,
        source_item_ids=idea.source_item_ids,
        status=idea.status,
    )


@router.get("/ideas", response=list[IdeaOut], summary="The idea bank (?status=open|used|archived, ?kind=)")
def ideas_get(request, status: str = "open", kind: str = ""):
    access = request_access(request)
    return [_idea_out(i) for i in ideas_of(access=access, status=status or None, kind=kind or None)[:500]]


@router.post("/ideas", response={201: IdeaOut}, summary="Add an idea")
def ideas_post(request, payload: IdeaIn):
    idea = services.idea_create(access=request_access(request), **payload.dict())
    return 201, _idea_out(idea, 0)


@router.post("/ideas/refresh", summary="C7/C10/C4: ideas from inbox questions, comment topics and feeds")
def ideas_refresh(request, weeks: int = 4):
    found = services.ideas_refresh(access=request_access(request), weeks=max(1, min(weeks, 26)))
    return {"faq": found.faq, "topics": found.topics, "links": found.links}


@router.post(
    "/ideas/from-item/{item_id}", response={201: IdeaOut}, summary="C10: make a post from this comment"
)
def idea_from_item(request, item_id: int):
    return 201, _idea_out(services.idea_from_item(access=request_access(request), item_id=item_id), 0)


class PromoUseIn(Schema):
    promo_code: str
    note: str = ""


@router.post("/promo-uses", summary="C8: count one use of a social-only promo code")
def promo_use(request, payload: PromoUseIn):
    use = services.promo_use_record(
        access=request_access(request), promo_code=payload.promo_code, note=payload.note
    )
    return {"idea_id": use.idea_id, "uses": use.idea.promo_uses.count()}


class EventIn(Schema):
    title: str
    starts_on: BodyDate
    ends_on: BodyDate | None = None
    location: str = ""
    url: str = ""


@router.post("/events", summary="C5: add a local event")
def events_post(request, payload: EventIn):
    event = services.local_event_add(access=request_access(request), **payload.dict())
    return {"id": event.pk}


class FeedIn(Schema):
    url: str
    name: str = ""


@router.post("/feeds", summary="C5: import local events from an iCal address (refreshed every 6 hours)")
def feeds_post(request, payload: FeedIn):
    feed = services.event_feed_add(access=request_access(request), name=payload.name, url=payload.url)
    return {"id": feed.pk, "events": feed.event_count}


class ConsentIn(Schema):
    person_name: str
    purpose: str
    account_ids: list[StrictInt]
    person_handle: str = ""
    person_url: str = ""
    evidence_url: str = ""
    expires_on: BodyDate | None = None


@router.post("/consents", summary="C6: record a customer's consent to publish their testimonial")
def consents_post(request, payload: ConsentIn):
    consent = services.consent_create(access=request_access(request), **payload.dict())
    return {"id": consent.pk}


class WithdrawIn(Schema):
    reason: str = ""


@router.post("/consents/{consent_id}/withdraw", summary="C6: the customer withdrew; flags the posts using it")
def consents_withdraw(request, consent_id: int, payload: WithdrawIn):
    return {
        "flagged_posts": services.consent_withdraw(
            access=request_access(request), consent_id=consent_id, reason=payload.reason
        )
    }


class ProposalOut(Schema):
    id: int
    account: str
    at: datetime
    kind: str
    content_type: str
    theme: str
    text: str
    explanation: str
    status: str
    post_id: int | None


class GenerateIn(Schema):
    week: BodyDate
    account_ids: list[StrictInt] = []


def _proposals(access, start) -> list[ProposalOut]:
    return [
        ProposalOut(
            id=p.pk,
            account=p.account,
            at=p.at,
            kind=p.kind,
            content_type=p.content_type,
            theme=p.theme,
            text=p.text,
            explanation=p.explanation,
            status=p.status,
            post_id=p.post_id,
        )
        for p in proposals_for_week(access=access, start=start)
    ]


@router.get("/proposals", response=list[ProposalOut], summary="The proposed week (?week=any day), explained")
def proposals_get(request, week: IsoDate | None = None):
    """Without ``week``: next week."""
    access = request_access(request)
    if week:
        start = check_day(week, field="week")
    else:
        start = now().astimezone(zone_of(access.workspace.timezone)).date() + timedelta(days=7)
    return _proposals(access, start - timedelta(days=start.weekday()))


@router.post(
    "/proposals/generate", response=list[ProposalOut], summary="Propose the week (all accounts or some)"
)
def proposals_generate(request, payload: GenerateIn):
    access = request_access(request)
    result = services.proposals_generate(
        access=access, start=payload.week, account_ids=payload.account_ids or None
    )
    return _proposals(access, result.start)


class AcceptIn(Schema):
    proposal_ids: list[StrictInt]


@router.post("/proposals/accept", summary="Accepted proposals become drafts in the approval flow")
def proposals_accept(request, payload: AcceptIn):
    posts = services.proposals_accept(access=request_access(request), proposal_ids=payload.proposal_ids)
    return {"post_ids": [p.pk for p in posts]}


@router.post("/proposals/{proposal_id}/regenerate", summary="Propose something else for one slot")
def proposal_regenerate(request, proposal_id: int):
    proposal = services.proposal_regenerate(access=request_access(request), proposal_id=proposal_id)
    return {"id": proposal.pk if proposal else None}


@router.post("/consents/{consent_id}/posts/{post_id}", summary="C6: link a testimonial post to its consent")
def consent_link_post(request, consent_id: int, post_id: int):
    link = services.post_consent_link(access=request_access(request), post_id=post_id, consent_id=consent_id)
    return {"post_id": link.post_id, "consent_id": link.consent_id}
