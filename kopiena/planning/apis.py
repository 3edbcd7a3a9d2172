"""REST /api/v1/planning: the week planner's gap finder as JSON."""

from __future__ import annotations

from datetime import date

from ninja import Router, Schema

from kopiena.core.auth_api import request_access
from kopiena.core.params import IsoDate, check_day
from kopiena.planning.selectors import week_plan

router = Router(tags=["planning"])


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
