"""The hot path's SQL budget, batched claims, and the worker's short-lived permission answers (bench/publish.py
figures)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kopiena.core.clock import now
from kopiena.publishing.engine import deliveries_claim, deliveries_drain, deliveries_recover, run
from kopiena.publishing.models import Delivery, DeliveryState
from kopiena.teams.models import Membership
from kopiena.teams.services import membership_remove
from tests.publishing.test_engine import CONFIG, scheduled  # noqa: F401  (fixture)

# A post without media to one account, connector already built, counted up to the drain's next (empty)
# claim. PostgreSQL: the claim that also loads delivery + post + variant + account + credential stamp,
# one statement moving delivery and post to "publishing", one statement for the outcome (delivery,
# attempt row, the post's state without locking it, the post's audit event queued for audit_flush), and
# the empty claim — 4 (11 before issue 18). SQLite, without data-modifying WITH: claim, load, two state
# moves, four writes for the outcome (in one transaction), the empty claim — 9. The first delivery also
# reads the author's membership and the account's credential; later ones reuse both (permission answer
# cached a few seconds).
NEXT_DELIVERY_MAX_STATEMENTS = {"postgresql": 4, "sqlite": 9}
FIRST_DELIVERY_EXTRA_STATEMENTS = 2
LATER = datetime(9999, 1, 1, tzinfo=UTC)


def _drain_one() -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert deliveries_drain(worker="w1", config=CONFIG) == 1
    # Savepoints stand in for the BEGIN/COMMIT a worker sends outside the test's transaction.
    return [q["sql"] for q in queries.captured_queries]


def test_one_delivery_costs_few_statements(scheduled, fake_platform):  # noqa: F811
    first, second = scheduled(), scheduled()
    Delivery.objects.filter(post=second).update(next_attempt_at=LATER)
    statements = _drain_one()
    assert Delivery.objects.get(post=first).state == DeliveryState.PUBLISHED
    assert not any("publishing_postmedia" in sql for sql in statements)  # the post has no media
    budget = NEXT_DELIVERY_MAX_STATEMENTS[connection.vendor]
    assert len(statements) <= budget + FIRST_DELIVERY_EXTRA_STATEMENTS, "\n".join(statements)

    Delivery.objects.filter(post=second).update(next_attempt_at=Delivery.objects.get(post=first).due_at)
    statements = _drain_one()
    assert Delivery.objects.get(post=second).state == DeliveryState.PUBLISHED
    assert not any("teams_membership" in sql for sql in statements)  # permission answer reused
    # Neither the post row nor the audit chain is locked on a one-account post's hot path.
    assert not any('FROM "publishing_post"' in sql and "FOR UPDATE" in sql for sql in statements), statements
    assert not any("audit_auditevent" in sql or "advisory" in sql for sql in statements), statements
    # The fixture gives each post its own account: its connector (and credential read) is built once.
    statements = [sql for sql in statements if not sql.startswith('SELECT "integrations_credential"')]
    assert len(statements) <= budget, "\n".join(statements)


def test_removed_author_is_refused_at_once(scheduled, fake_platform, owner_access):  # noqa: F811
    first, second = scheduled(), scheduled()
    Delivery.objects.filter(post=second).update(next_attempt_at=LATER)
    assert deliveries_drain(worker="w1", config=CONFIG) == 1  # permission answer now cached
    membership = Membership.objects.get(workspace_id=second.workspace_id, user_id=second.author_id)
    membership_remove(access=owner_access, membership_id=membership.pk)

    Delivery.objects.filter(post=second).update(next_attempt_at=Delivery.objects.get(post=first).due_at)
    assert deliveries_drain(worker="w1", config=CONFIG) == 1
    delivery = Delivery.objects.get(post=second)
    assert delivery.state == DeliveryState.FAILED and delivery.failure_code == "not_permitted"
    assert fake_platform.posts_per_key.get(delivery.idempotency_key, 0) == 0


def _claims(statements: list[str]) -> int:
    return sum("SET state = 'claimed'" in sql for sql in statements)


def test_due_deliveries_are_claimed_in_batches(scheduled, fake_platform):  # noqa: F811
    posts = [scheduled() for _ in range(3)]
    statements = []
    with CaptureQueriesContext(connection) as queries:
        assert deliveries_drain(worker="w1", config=CONFIG) == 3
    statements = [q["sql"] for q in queries.captured_queries]
    assert _claims(statements) == 2  # all three in one claim, then the empty one
    for post in posts:
        delivery = Delivery.objects.get(post=post)
        assert delivery.state == DeliveryState.PUBLISHED and delivery.attempts == 1
        assert fake_platform.posts_per_key[delivery.idempotency_key] == 1


def test_a_slow_send_hands_the_rest_of_its_batch_back(scheduled, fake_platform, monkeypatch):  # noqa: F811
    """Per-account isolation: rows claimed behind a slow send go back to the queue for other workers."""
    posts = [scheduled() for _ in range(3)]
    monkeypatch.setattr(run, "BATCH_HOLD_SECONDS", 0.0)  # every send counts as slow
    released = []
    original = run.deliveries_release

    def spy(batch, *, worker):
        released.append(len(batch))
        return original(batch, worker=worker)

    monkeypatch.setattr(run, "deliveries_release", spy)
    assert deliveries_drain(worker="w1", config=CONFIG) == 3
    assert released == [2, 1]
    for post in posts:
        delivery = Delivery.objects.get(post=post)
        # Released rows were not attempts: each delivery counts the one send it had.
        assert delivery.state == DeliveryState.PUBLISHED and delivery.attempts == 1
        assert fake_platform.posts_per_key[delivery.idempotency_key] == 1


def test_a_batch_claimed_by_a_dead_worker_comes_back_unsent(scheduled, fake_platform):  # noqa: F811
    for _ in range(2):
        scheduled()
    batch = deliveries_claim(worker="died-holding-a-batch", lease_seconds=60, limit=4)
    assert len(batch) == 2 and {d.state for d in batch} == {DeliveryState.CLAIMED}
    assert deliveries_drain(worker="w2", config=CONFIG) == 0  # both still leased
    Delivery.objects.filter(pk__in=[d.pk for d in batch]).update(
        lease_expires_at=now() - timedelta(seconds=1)
    )
    assert deliveries_recover(config=CONFIG) == 2
    assert deliveries_drain(worker="w2", config=CONFIG) == 2
    assert sorted(fake_platform.posts_per_key.values()) == [1, 1]
