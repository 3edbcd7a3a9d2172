import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from kopiena.audit import triggers
from kopiena.audit.models import AppendOnlyError, AuditEvent
from kopiena.audit.selectors import audit_verify
from kopiena.audit.services import audit_record


@pytest.fixture
def three_events(workspace, owner):
    for n in range(3):
        audit_record(
            actor=owner, workspace=workspace, action="test.event", object_id=n, after={"n": n, "ž": "ķ"}
        )
    return list(AuditEvent.objects.order_by("id"))


def test_intact_chain_verifies(three_events):
    result = audit_verify()
    assert result.ok
    assert result.checked == AuditEvent.objects.count()
    call_command("audit", "verify")


def test_model_layer_refuses_update_and_delete(three_events):
    event = three_events[0]
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.django_db(transaction=True)
def test_database_trigger_refuses_raw_update_and_delete(three_events):
    for sql in ("UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.filter(action="x").count() == 0


def _tamper(sql: str, params=()):
    """What an attacker with database rights does: lift the triggers, change history, put them back."""
    triggers.uninstall(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    triggers.install(connection)


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("UPDATE audit_auditevent SET action = 'tampered' WHERE id = %s", "contents changed"),
        ("DELETE FROM audit_auditevent WHERE id = %s", "missing"),
    ],
)
def test_tampering_by_raw_sql_is_named(three_events, sql, reason):
    victim = three_events[1].id
    _tamper(sql, [victim])
    result = audit_verify()
    assert not result.ok
    assert reason in result.reason
    expected_bad = victim if "UPDATE" in sql else victim + 1
    assert result.bad_id == expected_bad
    with pytest.raises(CommandError, match=f"event #{expected_bad}"):
        call_command("audit", "verify")


def test_reordering_rows_is_detected(three_events):
    a, b = three_events[1], three_events[2]
    _tamper("UPDATE audit_auditevent SET id = -1 WHERE id = %s", [a.id])
    _tamper("UPDATE audit_auditevent SET id = %s WHERE id = %s", [a.id, b.id])
    _tamper("UPDATE audit_auditevent SET id = %s WHERE id = -1", [b.id])
    result = audit_verify()
    assert not result.ok
    assert result.bad_id == a.id
