"""Demo history for analytics: twelve weeks of published posts with engagement snapshots, daily follower
counts, and answered comments with their SLA clocks — so every chart of the analytics page has something
to show on a fresh demo. History cannot be published today, so the published posts and their readings are
written as the delivery engine and the metrics poll would have written them; comments go through the
inbox's own ingest (classified, routed, SLA started) and answers stop the SLA clock as ``item_reply``
does. Idempotent: a second run finds the history campaign and does nothing."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db import transaction

from kopiena.analytics.accounts import account_snapshot_record
from kopiena.analytics.models import MetricSnapshot
from kopiena.analytics.rollups import rollups_rebuild
from kopiena.connectors.types import AccountRef, ItemKind, RemoteItem
from kopiena.core.clock import now
from kopiena.core.zones import zone_of
from kopiena.inbox.models import Reply, ReplyState, Thread
from kopiena.inbox.services import items_ingest
from kopiena.inbox.sla_clock import sla_answer
from kopiena.integrations.models import ConnectedAccount
from kopiena.publishing.models import Delivery, DeliveryState, Post, PostState
from kopiena.publishing.services import post_create
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace

HISTORY_CAMPAIGN = "demo-history"
WEEKS = 12
# (weekday, local hour, content type, theme, engagement weight): Tuesday and Thursday evenings do best.
_SLOTS = [
    (0, 9, "photo", "Motivation Monday", 1.0),
    (1, 18, "text", "Tuesday tip", 2.2),
    (2, 12, "link", "Wednesday wisdom", 0.8),
    (3, 18, "photo", "Throwback Thursday", 2.0),
    (4, 15, "video", "Friday fun", 1.4),
    (5, 11, "photo", "Selfie Saturday", 1.1),
]
_COMMENTS = [
    ("Lieliska kafija, paldies! Ļoti garšoja.", "lv"),
    ("Kad atvērsiet jauno kafejnīcu Āgenskalnā?", "lv"),
    ("Очень вкусный кофе, спасибо!", "ru"),
    ("Заказ пришёл холодным, это ужасно.", "ru"),
    ("Do you ship beans to Tallinn?", "en"),
    ("Kafija bija rūgta un pārdedzināta, vīlos.", "lv"),
]


def load_analytics_history(ctx) -> None:
    account = ConnectedAccount.objects.filter(workspace=ctx.workspace, is_sandbox=True).first()
    if account is None or Post.objects.filter(workspace=ctx.workspace, campaign=HISTORY_CAMPAIGN).exists():
        return
    rng = random.Random(13)  # the same demo every time
    zone = zone_of(ctx.workspace.timezone)
    today = now().astimezone(zone).date()
    manager = access_workspace(actor=ctx.people[Role.MANAGER], slug=ctx.workspace.slug)
    posts = 0
    for week in range(WEEKS, 0, -1):
        monday = today - timedelta(days=today.weekday() + 7 * week)
        for weekday, hour, content_type, theme, weight in _SLOTS:
            local = datetime.combine(
                monday + timedelta(days=weekday), time(hour, rng.choice((0, 15, 30))), zone
            )
            published = local.astimezone(zone)
            post = post_create(
                access=manager, account_ids=[account.pk], content_type=content_type, theme=theme,
                campaign=HISTORY_CAMPAIGN, text=f"{theme}: {_TEXTS[content_type]} ☕",
            )  # fmt: skip
            Post.objects.filter(pk=post.pk).update(state=PostState.PUBLISHED, published_at=published)
            delivery = Delivery.objects.create(
                workspace=ctx.workspace, post=post, variant=post.variants.get(), account=account,
                due_at=published, next_attempt_at=published, state=DeliveryState.PUBLISHED, published_at=published,
                metrics_polled_at=published + timedelta(days=7),
            )  # fmt: skip
            growth = 1 + (WEEKS - week) / WEEKS / 2  # the audience grows, so engagement does too
            likes = int(rng.gauss(14, 4) * weight * growth)
            for hours, share in ((3, 0.55), (72, 1.0)):
                MetricSnapshot.objects.create(
                    workspace=ctx.workspace, account=account, delivery=delivery,
                    taken_at=published + timedelta(hours=hours), likes=max(0, int(likes * share)),
                    reposts=max(0, int(likes * share / 5)), replies=max(0, int(likes * share / 8)), views=None,
                )  # fmt: skip
            posts += 1
    followers = 1180
    for days in range(WEEKS * 7, -1, -1):
        followers += rng.choice((0, 1, 2, 3, 4, 6))
        day = today - timedelta(days=days)
        at = datetime.combine(day, time(6, 0), zone)
        account_snapshot_record(
            account=account, day=day, taken_at=at, followers=followers, following=210, posts=posts
        )
    answered = _conversations(ctx, account, rng, today, zone)
    rollups_rebuild(workspace=ctx.workspace)
    ctx.log(f"Analytics history: {posts} published posts, {WEEKS} weeks of followers, {answered} answers.")


_TEXTS = {
    "photo": "šodienas grauzdējums bildē",
    "text": "kā pagatavot kafiju mājās",
    "link": "raksts par kafijas audzētājiem",
    "video": "video no grauzdētavas",
}


def _conversations(ctx, account, rng: random.Random, today, zone) -> int:
    """About five comments a week, most answered within working hours by the moderator or the manager."""
    people = [ctx.people[Role.MODERATOR], ctx.people[Role.MODERATOR], ctx.people[Role.MANAGER]]
    answered = 0
    for n in range(WEEKS * 5):
        day = today - timedelta(days=rng.randint(1, WEEKS * 7))
        asked = datetime.combine(day, time(rng.randint(8, 19), rng.randint(0, 59)), zone)
        text, language = _COMMENTS[n % len(_COMMENTS)]
        item = RemoteItem(
            external_id=f"demo-history-{n}",
            kind=ItemKind.COMMENT,
            text=text,
            created_at=asked,
            author=AccountRef(
                id=f"fan{n % 17}", handle=f"@fan{n % 17}", name=f"Fan {n % 17}", is_follower=True
            ),
            parent_id=f"demo-history-post-{n}",
            thread_id=f"demo-history-post-{n}",
            language=language,
        )
        with transaction.atomic():
            items_ingest(account=account, remote_items=[item])
            if rng.random() < 0.1:
                continue  # a few still wait for an answer
            thread = Thread.objects.get(account=account, items__external_id=item.external_id)
            sent = asked + timedelta(minutes=rng.choice((20, 45, 90, 150, 240, 420, 900)))
            Reply.objects.create(
                item=thread.items.first(), author=rng.choice(people), text="Paldies! ☕", state=ReplyState.SENT,
                sent_at=sent,
            )  # fmt: skip
            sla_answer(thread=thread, at=sent)
            Thread.objects.filter(pk=thread.pk).update(first_responded_at=sent, response_due_at=None)
            answered += 1
    return answered
