"""The engine's precompiled statements answer exactly what the ORM would (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kopiena.audit.models import PendingAuditEvent
from kopiena.audit.services import audit_fields
from kopiena.core.clock import now
from kopiena.integrations.crypto import encrypt_secret
from kopiena.integrations.models import Credential
from kopiena.publishing.engine.sql import Write, load_delivery, update_row, write_together
from kopiena.publishing.models import (
    AttemptOutcome,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    Post,
    PostState,
)
from tests.publishing.test_engine import scheduled  # noqa: F401  (fixture)


def _as_dict(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_load_matches_select_related_field_by_field(scheduled):  # noqa: F811
    post = scheduled()
    Post.objects.filter(pk=post.pk).update(
        poll_options=["Melna", "Ar pienu", "Чёрный"],
        policy_flags=[{"code": "mix", "message": "Foto jau 60 %"}],
        tags=["kafija", "rīts"],
    )
    delivery_id = Delivery.objects.get(post=post).pk
    expected = Delivery.objects.select_related("post", "variant", "account").get(pk=delivery_id)

    with CaptureQueriesContext(connection) as queries:
        loaded = load_delivery(delivery_id)
        related = (loaded.post, loaded.variant, loaded.account)
        with pytest.raises(Credential.DoesNotExist):  # the answer "no credential" came with the row
            loaded.account.credential  # noqa: B018
    assert len(queries) == 1
    assert _as_dict(loaded) == _as_dict(expected)
    for got, want in zip(related, (expected.post, expected.variant, expected.account), strict=True):
        assert _as_dict(got) == _as_dict(want)
    assert loaded.post.poll_options == ["Melna", "Ar pienu", "Чёрный"]
    assert loaded.due_at.tzinfo is not None and isinstance(loaded.account.is_sandbox, bool)


def test_load_brings_the_credential_stamp(scheduled):  # noqa: F811
    post = scheduled()
    delivery = Delivery.objects.select_related("account").get(post=post)
    stored = Credential.objects.create(
        account=delivery.account, ciphertext=encrypt_secret({"token": "t0ken"})
    )
    loaded = load_delivery(delivery.pk)
    with CaptureQueriesContext(connection) as queries:
        assert loaded.account.credential.updated_at == stored.updated_at
    assert len(queries) == 0


@pytest.mark.django_db
def test_load_of_a_missing_row_raises():
    with pytest.raises(Delivery.DoesNotExist):
        load_delivery(987654321)


def test_update_row_changes_only_from_the_guarded_states(scheduled):  # noqa: F811
    delivery = Delivery.objects.get(post=scheduled())
    later = now() + timedelta(minutes=5)
    guard = [("state", "in", [DeliveryState.CLAIMED, DeliveryState.PUBLISHING]), ("claimed_by", "=", "w1")]
    assert update_row(Delivery, delivery.pk, {"state": DeliveryState.FAILED}, where=guard) == 0
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.CLAIMED, claimed_by="w2")
    assert update_row(Delivery, delivery.pk, {"state": DeliveryState.FAILED}, where=guard) == 0  # not ours
    Delivery.objects.filter(pk=delivery.pk).update(claimed_by="w1")
    values = {"state": DeliveryState.PUBLISHING, "lease_expires_at": later, "failure_message": "ā ж ' \" ;"}
    assert update_row(Delivery, delivery.pk, values, where=guard) == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PUBLISHING
    assert delivery.lease_expires_at == later and delivery.failure_message == "ā ж ' \" ;"

    post_id = delivery.post_id
    not_yet = [("state", "<>", PostState.PUBLISHED)]
    assert update_row(Post, post_id, {"state": PostState.PUBLISHED}, where=not_yet) == 1
    assert update_row(Post, post_id, {"state": PostState.PUBLISHED}, where=not_yet) == 0
    assert Post.objects.get(pk=post_id).state == PostState.PUBLISHED
    with pytest.raises(ValueError, match="unsupported operator"):
        update_row(Post, post_id, {"state": PostState.FAILED}, where=[("state", "LIKE", "%")])


def test_write_together_applies_a_write_only_after_the_one_it_depends_on(scheduled):  # noqa: F811
    delivery = Delivery.objects.get(post=scheduled())
    moment = now()
    attempt = {
        "delivery_id": delivery.pk,
        "number": 1,
        "outcome": AttemptOutcome.ACCEPTED,
        "worker": "w1",
        "started_at": moment,
        "finished_at": moment,
        "error_code": "",
        "message": "",
    }
    event = audit_fields(actor=None, workspace=delivery.workspace_id, action="post.published", obj=delivery)

    def writes(guard_state):
        return [
            Write(
                Delivery,
                {"state": DeliveryState.PUBLISHED},
                pk=delivery.pk,
                where=(("state", "in", [guard_state]),),
            ),
            Write(DeliveryAttempt, attempt, after=0),
            Write(PendingAuditEvent, event, after=1),  # NULL actor, JSON columns: typed placeholders
        ]

    assert write_together(writes(DeliveryState.CLAIMED)) == [0, 0, 0]  # it is pending: nothing happens
    assert not DeliveryAttempt.objects.filter(delivery=delivery).exists()
    assert write_together(writes(DeliveryState.PENDING)) == [1, 1, 1]
    assert Delivery.objects.get(pk=delivery.pk).state == DeliveryState.PUBLISHED
    stored = DeliveryAttempt.objects.get(delivery=delivery)
    assert (stored.outcome, stored.worker, stored.started_at) == (AttemptOutcome.ACCEPTED, "w1", moment)
    queued = PendingAuditEvent.objects.get(object_id=str(delivery.pk), action="post.published")
    assert queued.actor_id is None and queued.after is None and queued.workspace_id == delivery.workspace_id
