"""End to end through the real Mastodon connector and the local Mastodon sandbox server."""

from __future__ import annotations

import pytest

from kopiena.connectors.http import HttpClient
from kopiena.connectors.mastodon import MastodonConnector
from kopiena.core.clock import now
from kopiena.integrations.services import account_connect
from kopiena.publishing.engine import deliveries_drain, deliveries_reconcile
from kopiena.publishing.fakeplatform import use_fake_platform
from kopiena.publishing.models import Delivery, DeliveryState, PostState
from kopiena.publishing.services import post_create, post_schedule
from kopiena.sandbox.server import start_sandbox

from .test_engine import CONFIG

STATUSES = r"/api/v1/statuses"


class QuickMastodon(MastodonConnector):
    """The real connector with a 1 s read timeout, so a lost answer shows up fast."""

    def __init__(self, credentials, *, http=None, allow_loopback=False, allow_private=False):
        http = http or HttpClient(
            base_url=credentials.base_url,
            account_key=credentials.account_key,
            secrets=credentials.secret_values(),
            allow_loopback=True,
            timeout=1.0,
        )
        super().__init__(credentials, http=http)


@pytest.fixture
def sandbox():
    server = start_sandbox()
    with use_fake_platform(QuickMastodon, key="mastodon"):
        yield server
    server.stop()


@pytest.fixture
def mastodon_post(sandbox, manager_access, soon):
    account = account_connect(
        access=manager_access,
        platform="mastodon",
        name="Sandbox Mastodon",
        credentials={"access_token": sandbox.access_token},
        base_url=sandbox.base_url,
        approval_required=False,
        is_sandbox=True,
    )
    post = post_create(access=manager_access, account_ids=[account.pk], text="Labrīt, Rīga! Kafija gatava ☕")
    post_schedule(access=manager_access, post_id=post.pk, at=soon)
    Delivery.objects.filter(post=post).update(due_at=now(), next_attempt_at=now())
    return post


def test_published_to_the_sandbox(sandbox, mastodon_post):
    deliveries_drain(worker="w1", config=CONFIG)
    delivery = Delivery.objects.get(post=mastodon_post)
    assert delivery.state == DeliveryState.PUBLISHED
    assert delivery.remote_url.startswith(sandbox.base_url)
    request = sandbox.http.requests_to("POST", STATUSES)[0]
    assert request.headers["idempotency-key"] == delivery.idempotency_key
    mastodon_post.refresh_from_db()
    assert mastodon_post.state == PostState.PUBLISHED


def test_lost_answer_is_reconciled_without_a_second_status(sandbox, mastodon_post):
    sandbox.http.hang_next("POST", STATUSES, apply=True)
    deliveries_drain(worker="w1", config=CONFIG)
    delivery = Delivery.objects.get(post=mastodon_post)
    assert delivery.state == DeliveryState.UNCONFIRMED
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now())
    deliveries_reconcile(config=CONFIG)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PUBLISHED and delivery.remote_id
    assert sandbox.http.count("POST", STATUSES) == 1
