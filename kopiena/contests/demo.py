"""Demo content: a running contest on the sandbox account's giveaway post, with comments that show every
kind of decision (eligible, a duplicate, the roastery's own barista, a comment without the hashtag)."""

from __future__ import annotations

from datetime import timedelta

from kopiena.connectors.types import AccountRef, ItemKind, RemoteItem
from kopiena.contests.models import Contest
from kopiena.contests.services import (
    contest_approve,
    contest_checklist_confirm,
    contest_collect,
    contest_create,
)
from kopiena.core.clock import now
from kopiena.inbox.services import items_ingest
from kopiena.integrations.models import ConnectedAccount
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace

DEMO_TITLE = "Ziemassvētku kafijas izloze"
DEMO_POST_ID = "demo-giveaway"
COMMENTS = [
    ("g1", "laura", "Laura", "Gribu piedalīties! #kafijaszieme"),
    ("g2", "maksims", "Максим", "Участвую! #kafijaszieme"),
    ("g3", "laura", "Laura", "Vēlreiz, lai veicas! #kafijaszieme"),
    ("g4", "barista_janis", "Jānis (barista)", "Es arī gribu! #kafijaszieme"),
    ("g5", "emily", "Emily", "Love your coffee!"),
    ("g6", "karlis", "Kārlis", "Piedalos #kafijaszieme ☕"),
]


def load_contest(ctx) -> None:
    if Contest.objects.filter(workspace=ctx.workspace, title=DEMO_TITLE).exists():
        return
    account = ConnectedAccount.objects.filter(workspace=ctx.workspace, is_sandbox=True).first()
    if account is None:
        return
    manager = access_workspace(actor=ctx.people[Role.MANAGER], slug=ctx.workspace.slug)
    moment = now()
    contest = contest_create(
        access=manager,
        posts=[(account.pk, DEMO_POST_ID)],
        title=DEMO_TITLE,
        description="Komentē ar #kafijaszieme un laimē kilogramu Ziemassvētku kafijas.",
        timezone=ctx.workspace.timezone,
        starts_at=moment - timedelta(days=2),
        ends_at=moment + timedelta(days=5),
        prizes=["1 kg Ziemassvētku kafijas", "Grauzdētavas krūze"],
        winners_count=2,
        mechanic="keyword",
        keyword="#kafijaszieme",
        excluded_handles=["barista_janis"],
        min_age=18,
        organiser="SIA Kafijas Grauzdētava Rīga",
        organiser_contact="konkursi@grauzdetava.example.lv",
        who_may_enter="Latvijas iedzīvotāji no 18 gadu vecuma.",
        winners_notice="Uzvarētājiem atbildēsim zem komentāra 3 darba dienu laikā.",
        prize_delivery="Balvu nosūtām ar pakomātu 14 dienu laikā pēc uzvarētāja atbildes.",
        privacy_url="https://grauzdetava.example.lv/privatums",
        complaints="Rakstiet uz konkursi@grauzdetava.example.lv 30 dienu laikā pēc izlozes.",
        retention_days=60,
    )
    contest_checklist_confirm(access=manager, contest_id=contest.pk, key="platform_rules", confirmed=True)
    contest_approve(access=manager, contest_id=contest.pk)
    items = [
        RemoteItem(
            external_id=f"{DEMO_POST_ID}-{key}",
            kind=ItemKind.COMMENT,
            text=text,
            created_at=moment - timedelta(hours=30 - n * 4),
            author=AccountRef(id=f"demo-{handle}", handle=f"@{handle}", name=name, is_follower=True),
            url="",
            parent_id=DEMO_POST_ID,
            thread_id=DEMO_POST_ID,
        )
        for n, (key, handle, name, text) in enumerate(COMMENTS)
    ]
    # History: stored closed, no response clocks (the demo inbox stays about the audience's questions).
    items_ingest(account=account, remote_items=items, history_before=moment)
    contest_collect(contest_id=contest.pk)
    ctx.log(f"Added the running contest “{DEMO_TITLE}” with {len(COMMENTS)} entries.")
