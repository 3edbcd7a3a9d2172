"""Demo: the workspace's report branding, two months of published history with metrics, and one client
report sent monthly to the client (``kopiena demo`` → Client reports).

The history is written straight into the delivery and metric tables: the delivery engine publishes only
forward in time, and a report needs a past. Posts are created through ``post_create``; their deliveries
are marked published as the engine would have done, and the metrics poll's snapshots are added. Idempotent:
nothing is added when the demo campaign exists already.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, time, timedelta

from kopiena.analytics.models import MetricSnapshot
from kopiena.core.clock import now
from kopiena.core.zones import zone_of
from kopiena.integrations.models import ConnectedAccount
from kopiena.publishing.models import Delivery, DeliveryState, Post, PostState
from kopiena.publishing.services import post_create
from kopiena.reports.models import ALL_SECTIONS, Branding, ClientReport, Period, Schedule
from kopiena.reports.services import branding_update, report_create
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace

HISTORY_CAMPAIGN = "Demo history (client report)"
DEMO_REPORT_TITLE = "Mēneša pārskats — Kafijas Grauzdētava"
DEMO_COLOUR = "#8b4513"
_HISTORY = [
    ("photo", "Jaunā Etiopijas kafija ir klāt ☕"),
    ("video", "Kā mēs grauzdējam: 60 sekundes cepšanas telpā"),
    ("text", "Kura kafija jums garšo labāk — Kenija vai Kolumbija?"),
    ("carousel", "Pieci veidi, kā pagatavot kafiju mājās"),
    ("link", "Mūsu kafijas ceļvedis iesācējiem"),
    ("photo", "Latte māksla no mūsu baristiem"),
]


def _logo_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 80), DEMO_COLOUR)
    draw = ImageDraw.Draw(image)
    draw.ellipse((12, 12, 68, 68), fill="#f5deb3")
    draw.text((84, 30), "KAFIJAS GRAUZDETAVA", fill="#ffffff")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def load_client_report(ctx) -> None:
    if not Branding.objects.filter(workspace=ctx.workspace).exists():
        owner = access_workspace(actor=ctx.owner, slug=ctx.workspace.slug)
        branding_update(
            access=owner,
            primary_colour=DEMO_COLOUR,
            report_footer="Kafijas Grauzdētava Rīga",
            logo=_logo_png(),
        )
    _history(ctx)
    if not ClientReport.objects.filter(workspace=ctx.workspace, title=DEMO_REPORT_TITLE).exists():
        manager = access_workspace(actor=ctx.people[Role.MANAGER], slug=ctx.workspace.slug)
        report_create(
            access=manager,
            title=DEMO_REPORT_TITLE,
            sections=ALL_SECTIONS,
            period=Period.LAST_30,
            schedule=Schedule.MONTHLY,
            recipients=["klients@grauzdetava.example.lv"],
            language="lv",
        )
        ctx.log(f"Configured the client report “{DEMO_REPORT_TITLE}” (monthly by e-mail).")


def _history(ctx) -> None:
    account = ConnectedAccount.objects.filter(workspace=ctx.workspace, is_sandbox=True).first()
    if account is None or Post.objects.filter(workspace=ctx.workspace, campaign=HISTORY_CAMPAIGN).exists():
        return
    manager = access_workspace(actor=ctx.people[Role.MANAGER], slug=ctx.workspace.slug)
    zone = zone_of(ctx.workspace.timezone)
    today = now().astimezone(zone).date()
    rng = random.Random(13)  # the same demo every time
    for n in range(40):
        day = today - timedelta(days=2 + int(n * 1.5))
        content_type, text = _HISTORY[n % len(_HISTORY)]
        at = datetime.combine(day, time(9 + rng.randrange(9), rng.choice((0, 15, 30))), tzinfo=zone)
        post = post_create(
            access=manager,
            account_ids=[account.pk],
            content_type=content_type,
            text=text,
            campaign=HISTORY_CAMPAIGN,
        )
        Post.objects.filter(pk=post.pk).update(state=PostState.PUBLISHED, scheduled_at=at, published_at=at)
        delivery = Delivery.objects.create(
            workspace=ctx.workspace,
            post=post,
            variant=post.variants.get(),
            account=account,
            due_at=at,
            next_attempt_at=at,
            state=DeliveryState.PUBLISHED,
            published_at=at,
            remote_id=f"demo-history-{n}",
            metrics_polled_at=at + timedelta(days=1),
        )
        base = {"video": 60, "carousel": 45, "photo": 35}.get(content_type, 15)
        MetricSnapshot.objects.create(
            workspace=ctx.workspace,
            account=account,
            delivery=delivery,
            taken_at=at + timedelta(days=1),
            likes=base + rng.randrange(30),
            reposts=rng.randrange(8),
            replies=rng.randrange(12),
            views=(base + rng.randrange(30)) * 20,
        )
    ctx.log("Added two months of published demo history with engagement figures (client report).")
