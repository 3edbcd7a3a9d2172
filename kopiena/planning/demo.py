"""Demo loader: the roastery's idea bank, a local event, a testimonial consent and a proposed next week.

Idempotent: ideas are looked up by title, the event by title and day, the consent by person; the week is
proposed again only while it has no proposals.
"""

from __future__ import annotations

from datetime import time, timedelta

from kopiena.core.clock import now
from kopiena.core.zones import zone_of
from kopiena.integrations.models import ConnectedAccount
from kopiena.planning.models import Consent, Idea, IdeaKind, LocalEvent, Proposal
from kopiena.planning.selectors import next_week_start
from kopiena.planning.services import consent_create, idea_create, local_event_add, proposals_generate
from kopiena.publishing.queues import QueueSlot, queue_slot_add
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace

_IDEAS = [
    (IdeaKind.QUESTION, "Kur jūs dzerat savu pirmo rīta kafiju — mājās, ceļā vai pie mums?", {}),
    (IdeaKind.FAQ, "Vai jūs maļat kafiju arī kafijas automātiem?", {}),
    (IdeaKind.DISCOUNT, "−15 % visām pupiņām šonedēļ, tikai sekotājiem", {"promo_code": "SOCIAL15"}),
    (IdeaKind.NEWS, "Jauna Etiopijas Yirgacheffe partija ir klāt", {}),
]


def load_planning(ctx) -> None:
    accounts = list(ConnectedAccount.objects.filter(workspace=ctx.workspace))
    if not accounts:
        return
    manager = access_workspace(actor=ctx.people[Role.MANAGER], slug=ctx.workspace.slug)
    for kind, title, extra in _IDEAS:
        if not Idea.objects.filter(workspace=ctx.workspace, title=title).exists():
            idea_create(access=manager, kind=kind, title=title, **extra)
    zone = zone_of(ctx.workspace.timezone)
    start = next_week_start(zone)
    if not LocalEvent.objects.filter(
        workspace=ctx.workspace, title="Āgenskalna tirgus kafijas diena"
    ).exists():
        event = local_event_add(
            access=manager,
            title="Āgenskalna tirgus kafijas diena",
            starts_on=start + timedelta(days=5),
            location="Āgenskalna tirgus",
        )
        idea_create(access=manager, kind=IdeaKind.EVENT, title=event.title, event_id=event.pk)
    if not Consent.objects.filter(workspace=ctx.workspace, person_name="Laura Kalēja").exists():
        consent = consent_create(
            access=manager,
            person_name="Laura Kalēja",
            purpose="Viņas atsauksme par flat white mūsu kontos",
            account_ids=[a.pk for a in accounts],
            evidence_url="https://example.lv/messages/laura",
            expires_on=now().astimezone(zone).date() + timedelta(days=365),
        )
        idea_create(
            access=manager,
            kind=IdeaKind.TESTIMONIAL,
            title="Labākais flat white Rīgā!",
            consent_id=consent.pk,
        )
    for account in accounts:  # a daily lunchtime slot, so the planner has a week to fill
        if not QueueSlot.objects.filter(account=account).exists():
            for weekday in range(7):
                queue_slot_add(
                    access=manager, account_id=account.pk, weekday=weekday, local_time=time(12, 30)
                )
    if not Proposal.objects.filter(workspace=ctx.workspace, week_start=start).exists():
        proposals_generate(access=manager, start=start)
