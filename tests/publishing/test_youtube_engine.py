"""End to end through the delivery engine, the real YouTube connector and the fake Data API: a video post is
uploaded once; when the answer to the upload is lost, reconcile finds the video and nothing is uploaded twice."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kopiena.core.clock import now
from kopiena.integrations.services import account_connect
from kopiena.publishing.engine import deliveries_drain, deliveries_reconcile
from kopiena.publishing.models import Delivery, DeliveryState
from kopiena.publishing.services import MediaInput, post_create, post_schedule
from tests.connectors.youtube_fake import CHANNEL_ID, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, FakeYouTube

from .test_engine import CONFIG

UPLOAD = r"/upload/youtube/v3/videos"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 512


@pytest.fixture
def fake(settings, tmp_path):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the fake listens on 127.0.0.1
    settings.MEDIA_ROOT = tmp_path
    with FakeYouTube() as fake:
        yield fake


@pytest.fixture
def video_post(fake, manager_access, soon):
    account = account_connect(
        access=manager_access,
        platform="youtube",
        name="Kafija Rīga",
        credentials={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN},
        base_url=fake.base_url,
        external_id=CHANNEL_ID,
        approval_required=False,
    )
    post = post_create(
        access=manager_access,
        account_ids=[account.pk],
        content_type="video",
        text="Rīta kafija Rīgā\nKā mēs grauzdējam pupiņas.",
        media=[
            MediaInput(
                file=SimpleUploadedFile("kafija.mp4", VIDEO, content_type="video/mp4"), mime_type="video/mp4"
            )
        ],
    )
    post_schedule(access=manager_access, post_id=post.pk, at=soon)
    Delivery.objects.filter(post=post).update(due_at=now(), next_attempt_at=now())
    return post


def test_a_video_post_is_uploaded_with_title_and_description(fake, video_post):
    deliveries_drain(worker="w1", config=CONFIG)
    delivery = Delivery.objects.get(post=video_post)
    assert delivery.state == DeliveryState.PUBLISHED
    video = fake.videos[delivery.remote_id]
    assert video["snippet"]["title"] == "Rīta kafija Rīgā" and video["bytes"] == len(VIDEO)
    assert video["snippet"]["tags"] == [f"kopiena-{delivery.idempotency_key}"]


def test_lost_upload_answer_is_reconciled_without_a_second_upload(fake, video_post):
    fake.server.drop_next("PUT", UPLOAD, apply=True)  # YouTube created the video; the answer was lost
    deliveries_drain(worker="w1", config=CONFIG)
    delivery = Delivery.objects.get(post=video_post)
    assert delivery.state == DeliveryState.UNCONFIRMED
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now())
    deliveries_reconcile(config=CONFIG)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PUBLISHED and delivery.remote_id in fake.videos
    assert fake.server.count("PUT", UPLOAD) == 1 and len(fake.videos) == 1
