"""Helpers for report tests: published deliveries with metric snapshots, straight into the tables the
delivery engine and the metrics poll write (the report reads them; how they got there is not its concern)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from kopiena.analytics.models import MetricSnapshot
from kopiena.analytics.rollups import rollups_refresh
from kopiena.publishing.models import Delivery, DeliveryState
from kopiena.publishing.services import post_create
from tests.api.conftest import api_client  # noqa: F401
from tests.inbox.conftest import account  # noqa: F401
from tests.publishing.conftest import access_for, make_account, manager_access  # noqa: F401

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2e4ef2e0000000049454e44ae426082"
)


@pytest.fixture
def publish(manager_access):  # noqa: F811
    """``publish(account, at, likes=…, text=…, content_type=…, views=…, measured=True)`` → Delivery."""

    def make(
        on,
        at: datetime,
        *,
        likes: int | None = 5,
        reposts: int | None = 1,
        replies: int | None = 0,
        views: int | None = None,
        text: str = "Kafija",
        content_type: str = "photo",
        measured: bool = True,
        access=None,
    ) -> Delivery:
        access = access or manager_access
        post = post_create(access=access, account_ids=[on.pk], content_type=content_type, text=text)
        delivery = Delivery.objects.create(
            workspace=access.workspace, post=post, variant=post.variants.get(), account=on,
            due_at=at, next_attempt_at=at, state=DeliveryState.PUBLISHED, published_at=at,
        )  # fmt: skip
        if measured:
            MetricSnapshot.objects.create(
                workspace=access.workspace, account=on, delivery=delivery, taken_at=at + timedelta(hours=2),
                likes=likes, reposts=reposts, replies=replies, views=views,
            )  # fmt: skip
        rollups_refresh()  # the report reads the analytics rollups, as the analytics pages do
        return delivery

    return make
