"""The hot path's SQL budget and the worker's short-lived permission answers (bench/publish.py figures)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kopiena.publishing.engine import deliveries_drain
from kopiena.publishing.models import Delivery, DeliveryState
from kopiena.teams.models import Membership
from kopiena.teams.services import membership_remove
from tests.publishing.test_engine import CONFIG, scheduled  # noqa: F401  (fixture)

# A post without media to one account, connector already built, counted up to the drain's next (empty)
# claim: claim, load, two state moves, then one transaction for the outcome (delivery, attempt row, the
# post's state without locking it, the post's audit event queued for audit_flush) — 11 in all. The first
# delivery also reads the author's membership and the account's credential; later ones reuse both
# (permission answer cached a few seconds).
NEXT_DELIVERY_MAX_STATEMENTS = 11
FIRST_DELIVERY_MAX_STATEMENTS = NEXT_DELIVERY_MAX_STATEMENTS + 2
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
    assert len(statements) <= FIRST_DELIVERY_MAX_STATEMENTS, "\n".join(statements)

    Delivery.objects.filter(post=second).update(next_attempt_at=Delivery.objects.get(post=first).due_at)
    statements = _drain_one()
    assert Delivery.objects.get(post=second).state == DeliveryState.PUBLISHED
    assert not any("teams_membership" in sql for sql in statements)  # permission answer reused
    # Neither the post row nor the audit chain is locked on a one-account post's hot path.
    assert not any("publishing_post" in sql and "FOR UPDATE" in sql for sql in statements), statements
    assert not any("audit_auditevent" in sql or "advisory" in sql for sql in statements), statements
    # The fixture gives each post its own account: its connector (and credential read) is built once.
    statements = [sql for sql in statements if "integrations_credential" not in sql]
    assert len(statements) <= NEXT_DELIVERY_MAX_STATEMENTS, "\n".join(statements)


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
