"""YouTube through the product against the fake Data API (tests/connectors/youtube_fake.py): a connected
channel's video comments and replies arrive in the inbox, an answer goes into the thread, and hiding a spam
comment holds it for review on YouTube."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from kopiena.connectors.http import RATE_LIMITER
from kopiena.core.clock import now
from kopiena.inbox import polling
from kopiena.inbox.models import Item
from kopiena.inbox.sending import item_hide_deliver
from kopiena.inbox.services import item_hide
from kopiena.integrations.selectors import credential_for
from kopiena.integrations.services import account_connect_checked
from kopiena.publishing.models import Delivery, DeliveryState
from kopiena.publishing.services import post_create
from tests.connectors.youtube_fake import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, FakeYouTube

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits():
    RATE_LIMITER.reset()
    cache.clear()
    yield
    RATE_LIMITER.reset()


@pytest.fixture
def fake(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the fake listens on 127.0.0.1
    with FakeYouTube() as fake:
        fake.clock = datetime.now(UTC)  # comments written after the channel was connected
        yield fake


@pytest.fixture
def channel(owner_access, fake):
    return account_connect_checked(
        access=owner_access,
        platform="youtube",
        values={
            "base_url": fake.base_url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN,
        },
    )


def published_video(access, account, fake) -> str:
    """A delivery the engine published as a video (the upload itself is covered by the connector tests)."""
    video_id = "vid-published-1"
    fake.videos[video_id] = {
        "kind": "youtube#video",
        "id": video_id,
        "snippet": {"title": "Rīta kafija", "description": "", "publishedAt": "2026-12-04T08:00:00Z"},
        "status": {"privacyStatus": "public"},
        "statistics": {"viewCount": "0", "likeCount": "0", "commentCount": "0"},
    }
    post = post_create(access=access, account_ids=[account.pk], text="Rīta kafija")
    Delivery.objects.create(  # the row the engine leaves behind after publishing
        workspace=post.workspace,
        post=post,
        variant=post.variants.get(),
        account_id=account.pk,
        due_at=now(),
        next_attempt_at=now(),
        state=DeliveryState.PUBLISHED,
        remote_id=video_id,
        published_at=now(),
    )
    return video_id


def test_comments_and_replies_arrive_in_the_inbox_and_spam_is_held_for_review(owner_access, channel, fake):
    video = published_video(owner_access, channel, fake)
    question = fake.add_comment(video, "Cik maksā kilograms?")
    fake.add_comment(video, "Tas ir 12 EUR", parent_id=question, author="Boris")
    spam = fake.add_comment(video, "Lēti sekotāji šeit!!!", author="Spammer")
    assert polling.account_poll(channel) == 3
    items = {i.external_id: i for i in Item.objects.filter(account=channel)}
    assert set(items) == set(fake.comments)
    assert items[f"{question}"].text == "Cik maksā kilograms?"
    assert polling.account_poll(channel) == 0  # the cursor remembers what was read
    assert "access_token" in credential_for(channel)  # the refreshed token is stored for the next call

    Item.objects.filter(pk=items[spam].pk).update(spam=True)  # what the classifier would have flagged
    item_hide(access=owner_access, item=Item.objects.get(pk=items[spam].pk), reason="spam")
    assert item_hide_deliver(item_id=items[spam].pk) == "hidden"
    assert fake.comments[spam]["moderationStatus"] == "heldForReview"
