"""The delivery engine against a local fake platform over real HTTP (faults injected on the server)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from kopiena.analytics.models import MetricSnapshot
from kopiena.core.clock import now
from kopiena.integrations.models import AccountStatus
from kopiena.publishing.engine import (
    EngineConfig,
    deliveries_drain,
    deliveries_reconcile,
    deliveries_recover,
    delivery_claim,
    metrics_poll,
)
from kopiena.publishing.fakeplatform import FakePlatform
from kopiena.publishing.models import AttemptOutcome, Delivery, DeliveryState, Notification, PostState
from kopiena.publishing.services import post_create, post_schedule
from kopiena.publishing.tasks import deliveries_dispatch, deliveries_housekeeping, publishing_metrics_poll

CONFIG = EngineConfig(
    late_cutoff_seconds=2 * 3600,
    lease_seconds=60,
    max_attempts=4,
    retry_base_seconds=5,
    reconcile_delay_seconds=5,
    reconcile_confirm_checks=2,
    metrics_interval_seconds=3600,
    metrics_window_seconds=7 * 86400,
)
POSTS = r"/posts"


@pytest.fixture
def scheduled(manager_access, make_account, fake_platform, soon):
    """``scheduled(n_accounts=1, platforms=None)`` → a post scheduled to fresh accounts, due now."""

    def make(n_accounts: int = 1, base_urls: list[str] | None = None, late_by: timedelta = timedelta(0)):
        urls = base_urls or [fake_platform.base_url] * n_accounts
        accounts = [
            make_account(f"Account {i}", approval_required=False, base_url=url) for i, url in enumerate(urls)
        ]
        post = post_create(access=manager_access, account_ids=[a.pk for a in accounts], text="Labdien, Rīga!")
        post_schedule(access=manager_access, post_id=post.pk, at=soon)
        due = now() - late_by  # the scheduled minute has come
        Delivery.objects.filter(post=post).update(due_at=due, next_attempt_at=due)
        return post

    return make


def _only(post) -> Delivery:
    return Delivery.objects.get(post=post)


def _make_due(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now())


def _outcomes(delivery: Delivery) -> list[str]:
    return list(delivery.attempt_log.order_by("id").values_list("outcome", flat=True))


def test_publishes_once_and_stores_remote_id(scheduled, fake_platform):
    post = scheduled()
    assert deliveries_drain(worker="w1", config=CONFIG) == 1
    delivery = _only(post)
    assert delivery.state == DeliveryState.PUBLISHED
    assert delivery.remote_id and delivery.remote_url.endswith(delivery.remote_id)
    assert fake_platform.posts_per_key == {delivery.idempotency_key: 1}
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED and post.published_at is not None
    assert deliveries_drain(worker="w1", config=CONFIG) == 0  # nothing left: never sent twice


@pytest.mark.parametrize(
    ("status", "outcome"), [(429, AttemptOutcome.RATE_LIMITED), (503, AttemptOutcome.RETRY)]
)
def test_rate_limit_and_unavailable_are_retried_later(scheduled, fake_platform, status, outcome):
    post = scheduled()
    fake_platform.server.fail_next("POST", POSTS, status=status, headers={"Retry-After": "1"})
    deliveries_drain(worker="w1", config=CONFIG)
    delivery = _only(post)
    assert delivery.state == DeliveryState.PENDING
    assert (delivery.next_attempt_at - now()).total_seconds() > 3  # backoff from retry_base_seconds=5
    assert deliveries_drain(worker="w1", config=CONFIG) == 0  # not before its time
    time.sleep(1.1)  # the connector's own limiter honours Retry-After too
    _make_due(delivery)
    deliveries_drain(worker="w1", config=CONFIG)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PUBLISHED
    assert _outcomes(delivery) == [outcome, AttemptOutcome.ACCEPTED]
    assert fake_platform.posts_per_key == {delivery.idempotency_key: 1}


def test_retry_after_longer_than_backoff_is_honoured(scheduled, fake_platform):
    post = scheduled()
    fake_platform.server.fail_next("POST", POSTS, status=429, headers={"Retry-After": "600"})
    deliveries_drain(worker="w1", config=CONFIG)
    delivery = _only(post)
    assert delivery.state == DeliveryState.PENDING
    assert (delivery.next_attempt_at - now()).total_seconds() > 590


def test_retries_give_up_after_max_attempts(scheduled, fake_platform):
    post = scheduled()
    for _ in range(CONFIG.max_attempts):
        fake_platform.server.fail_next("POST", POSTS, status=503)
        _make_due(_only(post))
        deliveries_drain(worker="w1", config=CONFIG)
    delivery = _only(post)
    assert (delivery.state, delivery.failure_code) == (DeliveryState.FAILED, "gave_up")
    assert delivery.attempts == CONFIG.max_attempts


def test_timeout_after_accept_is_unconfirmed_then_reconciled_without_resending(scheduled, fake_platform):
    post = scheduled()
    fake_platform.server.hang_next("POST", POSTS, apply=True)
    deliveries_drain(worker="w1", config=CONFIG)
    delivery = _only(post)
    assert delivery.state == DeliveryState.UNCONFIRMED
    assert Delivery.objects.get(pk=delivery.pk).post.state == PostState.UNCONFIRMED
    assert deliveries_drain(worker="w1", config=CONFIG) == 0  # an unknown outcome is never re-sent

    _make_due(delivery)
    assert deliveries_reconcile(config=CONFIG) == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PUBLISHED
    assert delivery.remote_id == next(iter(fake_platform.posts))
    assert fake_platform.server.count("POST", POSTS) == 1
    assert fake_platform.posts_per_key == {delivery.idempotency_key: 1}
    assert _outcomes(delivery) == [AttemptOutcome.UNKNOWN, AttemptOutcome.FOUND]
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED


def test_dead_worker_claim_is_recovered_and_sent_once(scheduled, fake_platform):
    scheduled()
    delivery = delivery_claim(worker="died-before-sending", lease_seconds=60)
    assert delivery is not None and deliveries_drain(worker="w2", config=CONFIG) == 0  # still leased
    Delivery.objects.filter(pk=delivery.pk).update(lease_expires_at=now() - timedelta(seconds=1))
    assert deliveries_recover(config=CONFIG) == 1
    assert deliveries_drain(worker="w2", config=CONFIG) == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PUBLISHED
    assert _outcomes(delivery) == [AttemptOutcome.RECOVERED, AttemptOutcome.ACCEPTED]
    assert fake_platform.posts_per_key == {delivery.idempotency_key: 1}


@pytest.mark.parametrize("reached_platform", [True, False])
def test_worker_dead_while_publishing_is_reconciled_never_blindly_resent(
    scheduled, fake_platform, reached_platform
):
    scheduled()
    delivery = delivery_claim(worker="died-while-sending", lease_seconds=60)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.PUBLISHING, lease_expires_at=now() - timedelta(seconds=1)
    )
    if reached_platform:  # the POST got there before the SIGKILL
        fake_platform.posts_per_key[delivery.idempotency_key] += 1
        fake_platform.posts["99"] = {
            "id": "99",
            "key": delivery.idempotency_key,
            "url": "http://x/99",
            "text": "",
        }
    assert deliveries_recover(config=CONFIG) == 1
    assert Delivery.objects.get(pk=delivery.pk).state == DeliveryState.UNCONFIRMED
    assert deliveries_drain(worker="w2", config=CONFIG) == 0

    for _ in range(CONFIG.reconcile_confirm_checks):
        _make_due(delivery)
        deliveries_reconcile(config=CONFIG)
    deliveries_drain(worker="w2", config=CONFIG)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PUBLISHED
    assert fake_platform.posts_per_key == {delivery.idempotency_key: 1}
    assert delivery.remote_id == ("99" if reached_platform else "1")


def test_a_failed_look_up_is_not_a_not_found(scheduled, fake_platform):
    """Only real answers count: a look-up that could not reach the platform is no evidence of absence, and
    two "not found" answers in a row are needed before the same key is sent again (docs/publishing.md)."""
    scheduled()
    delivery = delivery_claim(worker="died-while-sending", lease_seconds=60)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.PUBLISHING, lease_expires_at=now() - timedelta(seconds=1)
    )
    deliveries_recover(config=CONFIG)

    fake_platform.server.fail_next("GET", POSTS, status=503)  # the look-up itself fails
    _make_due(delivery)
    deliveries_reconcile(config=CONFIG)
    _make_due(delivery)
    deliveries_reconcile(config=CONFIG)  # the first real "not found"
    deliveries_drain(worker="w2", config=CONFIG)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.UNCONFIRMED
    assert fake_platform.server.count("POST", POSTS) == 0

    fake_platform.server.fail_next("GET", POSTS, status=503)  # a failure between answers changes nothing
    _make_due(delivery)
    deliveries_reconcile(config=CONFIG)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.UNCONFIRMED

    _make_due(delivery)
    deliveries_reconcile(config=CONFIG)  # the second real "not found": now it is safe to send again
    deliveries_drain(worker="w2", config=CONFIG)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PUBLISHED
    assert fake_platform.posts_per_key == {delivery.idempotency_key: 1}


def test_not_found_checks_start_over_after_each_unknown_outcome(scheduled, fake_platform):
    """After a re-send that again ends unknown, two fresh "not found" answers are needed once more."""
    scheduled()
    delivery = delivery_claim(worker="died-while-sending", lease_seconds=60)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.PUBLISHING, lease_expires_at=now() - timedelta(seconds=1)
    )
    deliveries_recover(config=CONFIG)
    for _ in range(CONFIG.reconcile_confirm_checks):
        _make_due(delivery)
        deliveries_reconcile(config=CONFIG)
    fake_platform.server.drop_next("POST", POSTS)  # the re-send's answer is lost before it was applied
    deliveries_drain(worker="w2", config=CONFIG)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.UNCONFIRMED
    _make_due(delivery)
    deliveries_reconcile(config=CONFIG)
    deliveries_drain(worker="w2", config=CONFIG)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.UNCONFIRMED  # one "not found" is not enough
    assert fake_platform.server.count("POST", POSTS) == 1


def test_late_cutoff_fails_instead_of_posting_hours_late(scheduled, fake_platform, owner):
    post = scheduled(late_by=timedelta(hours=3))
    deliveries_drain(worker="w1", config=CONFIG)
    delivery = _only(post)
    assert (delivery.state, delivery.failure_code) == (DeliveryState.FAILED, "late")
    assert fake_platform.server.count("POST", POSTS) == 0
    post.refresh_from_db()
    assert post.state == PostState.FAILED
    notified = set(Notification.objects.filter(post=post).values_list("recipient_id", flat=True))
    assert {post.author_id, owner.pk} <= notified


def test_one_failing_account_does_not_affect_the_others(scheduled, fake_platform):
    with FakePlatform() as broken:
        broken.server.fail_next("POST", POSTS, status=422, body={"error": "Validation failed: Text too long"})
        post = scheduled(base_urls=[broken.base_url, fake_platform.base_url])
        deliveries_drain(worker="w1", config=CONFIG)
        deliveries_drain(worker="w1", config=CONFIG)
    failed, published = Delivery.objects.filter(post=post).order_by("id")
    assert (failed.state, failed.failure_code) == (DeliveryState.FAILED, "rejected")
    assert "Text too long" in failed.failure_message
    assert published.state == DeliveryState.PUBLISHED
    assert fake_platform.server.count("POST", POSTS) == 1
    post.refresh_from_db()
    assert post.state == PostState.FAILED
    note = Notification.objects.filter(post=post).first()
    assert "Text too long" in note.body and "Edit the post" in note.body


def test_auth_expired_is_retried_once_then_account_needs_reconnect(scheduled, fake_platform):
    post = scheduled()
    for _ in range(2):
        fake_platform.server.fail_next(
            "POST", POSTS, status=401, body={"error": "The access token is invalid"}
        )
    deliveries_drain(worker="w1", config=CONFIG)
    delivery = _only(post)
    assert (delivery.state, delivery.failure_code) == (DeliveryState.FAILED, "auth")
    assert fake_platform.server.count("POST", POSTS) == 2
    delivery.account.refresh_from_db()
    assert delivery.account.status == AccountStatus.NEEDS_RECONNECT


def test_inactive_account_is_not_sent(scheduled, fake_platform):
    post = scheduled()
    delivery = _only(post)
    type(delivery.account).objects.filter(pk=delivery.account_id).update(status=AccountStatus.DISABLED)
    deliveries_drain(worker="w1", config=CONFIG)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.failure_code) == (DeliveryState.FAILED, "account_inactive")
    assert fake_platform.server.count("POST", POSTS) == 0


def test_metrics_are_polled_into_append_only_snapshots(scheduled, fake_platform):
    post = scheduled(n_accounts=2)
    deliveries_drain(worker="w1", config=CONFIG)
    assert metrics_poll(config=CONFIG) == 2
    assert metrics_poll(config=CONFIG) == 0  # not due again within the interval
    Delivery.objects.filter(post=post).update(metrics_polled_at=now() - timedelta(hours=2))
    assert metrics_poll(config=CONFIG) == 2
    assert MetricSnapshot.objects.filter(delivery__post=post).count() == 4
    assert set(MetricSnapshot.objects.values_list("likes", "reposts", "replies", "views")) == {
        (3, 1, 2, None)
    }


def test_periodic_tasks_drive_the_engine(scheduled, fake_platform):
    post = scheduled()
    assert deliveries_dispatch.call() == 1
    assert deliveries_dispatch.call() == 0
    assert deliveries_housekeeping.call() == {"recovered": 0, "reconciled": 0}
    assert publishing_metrics_poll.call() == 1
    assert _only(post).state == DeliveryState.PUBLISHED
