"""Analytics fixtures: published deliveries with snapshots, written the way the engine writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kopiena.analytics.models import MetricSnapshot
from kopiena.publishing.models import Delivery, DeliveryState, Post
from kopiena.publishing.services import post_create
from kopiena.teams.models import Membership, Role
from kopiena.teams.selectors import access_workspace
from tests.publishing.conftest import (  # noqa: F401  (fixtures)
    _fake_connector,
    access_for,
    make_account,
    manager_access,
)

RIGA = ZoneInfo("Europe/Riga")


def riga(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=RIGA).astimezone(UTC)


@pytest.fixture
def publish(manager_access):  # noqa: F811
    """``publish(account, at, content_type=…, theme=…, likes=…, views=…)`` → a published delivery with one
    snapshot (``likes=None``: no snapshot at all, as for a platform without metrics)."""

    def make(
        account, at, *, content_type="photo", theme="", likes=0, reposts=0, replies=0, views=None, text=""
    ):
        access = manager_access
        if account.workspace_id != manager_access.workspace.pk:
            owner = Membership.objects.filter(workspace_id=account.workspace_id, role=Role.OWNER).first().user
            access = access_workspace(actor=owner, slug=account.workspace.slug)
        post = post_create(
            access=access, account_ids=[account.pk], content_type=content_type,
            text=text or f"{content_type} {at:%H:%M}",
        )  # fmt: skip
        if theme:
            Post.objects.filter(pk=post.pk).update(theme=theme)
        delivery = Delivery.objects.create(
            workspace=account.workspace, post=post, variant=post.variants.get(), account=account, due_at=at,
            next_attempt_at=at, state=DeliveryState.PUBLISHED, published_at=at, remote_id=f"r{post.pk}",
            remote_url=f"https://social.example/@kafija/{post.pk}",
        )  # fmt: skip
        if likes is not None:
            MetricSnapshot.objects.create(
                workspace=account.workspace, account=account, delivery=delivery, taken_at=at + timedelta(hours=2),
                likes=likes, reposts=reposts, replies=replies, views=views,
            )  # fmt: skip
        return delivery

    return make
