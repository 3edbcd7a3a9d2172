"""`kopiena keys rotate`: every credential and webhook secret re-encrypted with the newest key, idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from kopiena.integrations.crypto import CredentialDecryptError
from kopiena.integrations.models import Credential, WebhookEndpoint
from kopiena.integrations.selectors import credential_for, webhook_secret_for
from kopiena.integrations.services import account_connect, webhook_endpoint_create

pytestmark = pytest.mark.django_db

OLD, NEW = "old-key-" + "o" * 40, "new-key-" + "n" * 40


def _rotate() -> str:
    out = StringIO()
    call_command("keys", "rotate", stdout=out)
    return out.getvalue()


@pytest.fixture
def secrets_under_old_key(owner_access):
    with override_settings(SECRET_KEYS=[OLD]):
        accounts = [
            account_connect(
                access=owner_access,
                platform="fakehook",  # webhook endpoints only for platforms that send webhooks
                name=f"a{i}",
                credentials={"access_token": f"tok-{i}"},
            )
            for i in range(3)
        ]
        webhook_endpoint_create(account=accounts[0], secret="hook-secret")
        from kopiena.notifications.services import webhook_endpoint_create as notification_endpoint_create

        notification_endpoint_create(
            user=owner_access.user, name="Mine", fmt="slack", url="https://hooks.example/T/1"
        )
    return accounts


def test_rotation_re_encrypts_everything_and_old_key_can_then_go(secrets_under_old_key):
    before = set(Credential.objects.values_list("ciphertext", flat=True))
    with override_settings(SECRET_KEYS=[NEW, OLD]):
        output = _rotate()
    assert "credentials: 3 re-encrypted, 0 already current, 0 failed" in output
    assert "webhook secrets: 1 re-encrypted, 0 already current, 0 failed" in output
    assert "notification webhook addresses: 1 re-encrypted, 0 already current, 0 failed" in output
    assert before.isdisjoint(Credential.objects.values_list("ciphertext", flat=True))
    with override_settings(SECRET_KEYS=[NEW]):  # the old key removed: everything still opens
        assert [credential_for(a) for a in secrets_under_old_key] == [
            {"access_token": f"tok-{i}"} for i in range(3)
        ]
        assert webhook_secret_for(WebhookEndpoint.objects.get()) == "hook-secret"
        from kopiena.notifications.models import WebhookEndpoint as NotificationEndpoint

        assert NotificationEndpoint.objects.get().secrets()["url"] == "https://hooks.example/T/1"


def test_a_second_run_changes_nothing(secrets_under_old_key):
    with override_settings(SECRET_KEYS=[NEW, OLD]):
        _rotate()
        after_first = list(Credential.objects.order_by("pk").values_list("ciphertext", flat=True))
        output = _rotate()
    assert "credentials: 0 re-encrypted, 3 already current, 0 failed" in output
    assert list(Credential.objects.order_by("pk").values_list("ciphertext", flat=True)) == after_first


def test_a_secret_no_key_opens_is_reported_and_left_alone(secrets_under_old_key):
    with override_settings(SECRET_KEYS=[NEW]), pytest.raises(CommandError, match="Put the old key back"):
        _rotate()
    with override_settings(SECRET_KEYS=[NEW]), pytest.raises(CredentialDecryptError):
        credential_for(secrets_under_old_key[0])
    with override_settings(SECRET_KEYS=[OLD]):  # untouched: the old key still opens it
        assert credential_for(secrets_under_old_key[0]) == {"access_token": "tok-0"}
