"""Demo loader: a week of the roastery's posts on the sandbox account, in Latvian, Russian and English.

One post falls due a minute after the demo is loaded, so a newcomer watching the calendar sees it go out
to the sandbox and the simulated audience's comments come back into the inbox. The rest show the
workflow's states: published-to-be posts following the weekday themes (C1), an engaging question with a
poll (C3), an FAQ post (C7), a social-only discount (C8), a freelancer's draft waiting for review.
Idempotent: the posts carry the campaign ``DEMO_CAMPAIGN`` and are created only once per workspace.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from kopiena.core.clock import now
from kopiena.core.zones import zone_of
from kopiena.integrations.models import ConnectedAccount
from kopiena.publishing.models import ContentType, Post, PostState
from kopiena.publishing.services import (
    ScheduleRefused,
    post_approve,
    post_create,
    post_schedule,
    post_submit,
)
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace

DEMO_CAMPAIGN = "demo-week"

# (weekday (0 = Monday), local time, content type, theme, text, extra post_create arguments)
_PLAN = [
    (
        1,
        time(10, 0),
        ContentType.TEXT,
        "Tuesday tip",
        "Padoms: maliet kafiju tieši pirms pagatavošanas — aromāts saglabājas daudz ilgāk. #TuesdayTip",
        {},
    ),
    (
        2,
        time(11, 0),
        ContentType.POLL,
        "Engaging question",
        "Какой кофе вы пьёте по утрам? Выберите свой вариант!",
        {"poll_options": ["Эспрессо", "Капучино", "Фильтр", "Чай 🙂"], "poll_duration_seconds": 86400},
    ),
    (
        3,
        time(10, 30),
        ContentType.TEXT,
        "Throwback Thursday",
        "#ThrowbackThursday: our very first roast in 2016 — one small drum in a garage in Āgenskalns.",
        {},
    ),
    (
        0,
        time(12, 0),
        ContentType.LINK,
        "FAQ",
        "Biežāk uzdotie jautājumi par piegādi — viss vienuviet.",
        {
            "link": "https://grauzdetava.example.lv/buj",
            "link_context": "FAQ: people keep asking about delivery",
        },
    ),
    (
        4,
        time(10, 0),
        ContentType.TEXT,
        "Social-only discount",
        "Tikai mūsu sekotājiem: sestdien -15% visām pupiņām ar kodu KOPIENA15. ☕",
        {},
    ),
]


def load_demo_posts(ctx) -> None:
    account = ConnectedAccount.objects.filter(workspace=ctx.workspace, is_sandbox=True).first()
    if account is None or Post.objects.filter(workspace=ctx.workspace, campaign=DEMO_CAMPAIGN).exists():
        return
    manager = access_workspace(actor=ctx.people[Role.MANAGER], slug=ctx.workspace.slug)
    contributor = access_workspace(actor=ctx.people[Role.CONTRIBUTOR], slug=ctx.workspace.slug)
    zone = zone_of(ctx.workspace.timezone)

    first = post_create(
        access=manager,
        account_ids=[account.pk],
        content_type=ContentType.TEXT,
        theme="Engaging question",
        campaign=DEMO_CAMPAIGN,
        text="Labrīt, Rīga! ☕ Jaunā Etiopijas kafija ir klāt. Kā jūs to dzertu — melnu vai ar pienu?",
    )
    # At any hour: at night the policy's quiet hours would push it to the morning, so the manager
    # overrides them (audited), as a real manager may.
    _schedule(
        manager, first, now() + timedelta(minutes=1), ctx, override_reason="Demo: show a post going out."
    )

    today = now().astimezone(zone).date()
    for weekday, at, content_type, theme, text, extra in _PLAN:
        days = (weekday - today.weekday() - 1) % 7 + 1  # the next such weekday, never today
        post = post_create(
            access=manager,
            account_ids=[account.pk],
            content_type=content_type,
            theme=theme,
            text=text,
            campaign=DEMO_CAMPAIGN,
            **extra,
        )
        local = datetime.combine(today + timedelta(days=days), at, tzinfo=zone)
        _schedule(manager, post, local, ctx)

    draft = post_create(
        access=contributor,
        account_ids=[account.pk],
        content_type=ContentType.TEXT,
        theme="Follow Friday",
        campaign=DEMO_CAMPAIGN,
        text="#FollowFriday: thank you @kafijas_draugs for the lovely latte art photos this week!",
    )
    post_submit(access=contributor, post_id=draft.pk)
    ctx.log(f"Planned {len(_PLAN) + 2} demo posts on “{account.name}” (the first goes out in a minute).")


def _schedule(access, post: Post, at: datetime, ctx, override_reason: str | None = None) -> None:
    """Schedule at ``at`` or, if the policy refuses that time, at the nearest time it allows (or at ``at``
    anyway with ``override_reason``)."""
    if post.state != PostState.APPROVED:
        post_approve(access=access, post_id=post.pk)
    try:
        post_schedule(access=access, post_id=post.pk, at=at)
    except ScheduleRefused as refused:
        if override_reason:
            post_schedule(access=access, post_id=post.pk, at=at, override_reason=override_reason)
            return
        if refused.proposed_at is None:
            ctx.log(f"Left a demo post unscheduled: {refused.message}")
            return
        post_schedule(access=access, post_id=post.pk, at=refused.proposed_at)
