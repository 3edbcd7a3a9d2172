"""Connecting accounts: credentials encrypted, verified with the platform, audited without secrets."""

from __future__ import annotations

import json

import pytest
from django.http import Http404

from kopiena.audit.models import AuditEvent
from kopiena.core.errors import DomainError, NotPermitted
from kopiena.integrations.models import AccountStatus, ConnectedAccount, Credential, WebhookEndpoint
from kopiena.integrations.selectors import access_account, accounts_of, credential_for
from kopiena.integrations.services import (
    account_connect,
    account_connect_checked,
    account_credentials_refresh,
    account_disconnect,
    account_mark_needs_reconnect,
    account_update,
    webhook_endpoint_create,
)
from kopiena.publishing.models import Notification
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.integrations.fakes import GOOD_TOKEN, SESSION_TOKEN

pytestmark = pytest.mark.django_db


def _connect(access, **extra):
    values = {"access_token": GOOD_TOKEN, "chat_id": "-100123", **extra}
    return account_connect_checked(access=access, platform="fakebook", values=values)


def test_connect_checks_with_the_platform_and_stores_the_secret_encrypted(owner_access):
    account = _connect(owner_access)
    assert (account.platform, account.external_id, account.handle) == ("fakebook", "chat--100123", "@kafija")
    assert account.name == "Kafija Rīga"
    assert account.base_url == "https://fakebook.example"
    assert account.status == AccountStatus.ACTIVE
    ciphertext = Credential.objects.get(account=account).ciphertext
    assert GOOD_TOKEN not in ciphertext
    # What the form gave, plus the session the connector opened while verifying (updated_secrets()).
    assert credential_for(account) == {
        "access_token": GOOD_TOKEN,
        "chat_id": "-100123",
        "session": SESSION_TOKEN,
    }


def test_the_audit_event_names_credential_fields_never_values(owner_access):
    account = _connect(owner_access)
    event = AuditEvent.objects.get(action="account.connect", object_id=str(account.pk))
    assert event.after["credential_fields"] == ["access_token", "chat_id", "session"]
    assert GOOD_TOKEN not in json.dumps([event.before, event.after])
    assert SESSION_TOKEN not in json.dumps([event.before, event.after])


def test_a_refused_token_stores_nothing_and_says_why(owner_access):
    with pytest.raises(DomainError, match="Invalid OAuth access token"):
        _connect(owner_access, access_token="wrong")
    assert not ConnectedAccount.objects.exists()


def test_an_unreachable_server_is_a_clear_message(owner_access):
    with pytest.raises(DomainError, match="Could not reach Fakebook"):
        _connect(owner_access, base_url="https://unreachable.example")


def test_missing_required_fields_are_named(owner_access):
    with pytest.raises(DomainError) as excinfo:
        account_connect_checked(access=owner_access, platform="fakebook", values={"access_token": GOOD_TOKEN})
    assert excinfo.value.field == "chat_id"


def test_unknown_platform_is_refused(owner_access):
    with pytest.raises(DomainError, match="cannot connect"):
        account_connect(access=owner_access, platform="myspace", name="x", credentials={})


@pytest.mark.parametrize("base_url", ["ftp://x.example", "https://user:pw@x.example", "not a url"])
def test_bad_server_addresses_are_refused(owner_access, base_url):
    with pytest.raises(DomainError) as excinfo:
        account_connect(access=owner_access, platform="fakebook", name="x", credentials={}, base_url=base_url)
    assert excinfo.value.field == "base_url"


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.CONTRIBUTOR, Role.ANALYST])
def test_only_owners_and_managers_connect(member, workspace, role):
    access = access_workspace(actor=member(role), slug=workspace.slug)
    with pytest.raises(NotPermitted):
        _connect(access)


def test_connecting_the_same_remote_account_again_reconnects_it(owner_access):
    first = _connect(owner_access)
    account_mark_needs_reconnect(account=first, error="revoked")
    again = _connect(owner_access)
    assert again.pk == first.pk
    assert again.status == AccountStatus.ACTIVE
    assert again.last_error == ""
    assert ConnectedAccount.objects.count() == 1
    assert AuditEvent.objects.filter(action="account.reconnect").count() == 1


def test_update_changes_given_fields_and_replaces_credentials(owner_access):
    account = _connect(owner_access)
    account_update(
        access=owner_access, account=account, name="Kafija LV", credentials={"access_token": "new-tok"}
    )
    account.refresh_from_db()
    assert account.name == "Kafija LV"
    assert account.handle == "@kafija"
    assert credential_for(account) == {"access_token": "new-tok"}
    assert "new-tok" not in json.dumps(
        AuditEvent.objects.filter(action="account.update").values("after").get()
    )


def test_disconnect_forgets_the_secret_and_keeps_the_history(owner_access):
    account = account_connect_checked(
        access=owner_access, platform="fakehook", values={"access_token": GOOD_TOKEN, "chat_id": "-100123"}
    )
    webhook_endpoint_create(account=account)
    account_disconnect(access=owner_access, account=account)
    account.refresh_from_db()
    assert account.status == AccountStatus.DISABLED
    assert not Credential.objects.filter(account=account).exists()
    assert not WebhookEndpoint.objects.filter(account=account).exists()
    assert credential_for(account) == {}


def test_needs_reconnect_redacts_secrets_and_tells_people_who_can_fix_it_once(
    owner_access, member, workspace
):
    manager, moderator = member(Role.MANAGER), member(Role.MODERATOR)
    account = _connect(owner_access)
    error = f"401 Unauthorized: token {GOOD_TOKEN} was revoked (access_token=abc123xyz)"
    account_mark_needs_reconnect(account=account, error=error)
    account_mark_needs_reconnect(account=account, error=error)  # the next failing call: no second ping
    account.refresh_from_db()
    assert account.status == AccountStatus.NEEDS_RECONNECT
    assert "revoked" in account.last_error
    assert GOOD_TOKEN not in account.last_error and "abc123xyz" not in account.last_error
    notified = Notification.objects.filter(kind="account.needs_reconnect")
    assert sorted(n.recipient.username for n in notified) == sorted(
        [owner_access.user.username, manager.username]
    )
    assert moderator.pk not in {n.recipient_id for n in notified}
    assert all(GOOD_TOKEN not in n.body for n in notified)
    events = AuditEvent.objects.filter(action="account.needs_reconnect")
    assert events.count() == 1 and GOOD_TOKEN not in json.dumps(list(events.values_list("after", flat=True)))


def test_access_account_is_404_for_another_workspaces_account(owner_access, other_workspace):
    stranger = other_workspace.memberships.get().user
    theirs = _connect(access_workspace(actor=stranger, slug=other_workspace.slug))
    with pytest.raises(Http404):
        access_account(access=owner_access, pk=theirs.pk)
    assert list(accounts_of(access=owner_access)) == []


def test_credential_repr_never_shows_the_secret(owner_access):
    account = _connect(owner_access)
    credential = Credential.objects.get(account=account)
    assert GOOD_TOKEN not in repr(credential) + str(credential) + repr(account)
    assert credential.ciphertext not in repr(credential)


def test_refreshed_secrets_are_merged_and_audited_by_name(owner_access):
    account = _connect(owner_access)
    account_credentials_refresh(account=account, updated={"session": "fk-SESSION-renewed"})
    assert credential_for(account)["session"] == "fk-SESSION-renewed"
    assert credential_for(account)["access_token"] == GOOD_TOKEN
    event = AuditEvent.objects.get(action="account.credentials_refresh")
    assert event.after == {"credential_fields": ["session"]}


def test_a_refresh_after_disconnect_does_not_bring_the_secret_back(owner_access):
    account = _connect(owner_access)
    account_disconnect(access=owner_access, account=account)
    account_credentials_refresh(account=account, updated={"session": "late"})
    assert credential_for(account) == {}


@pytest.mark.parametrize("allow_private", [False, True])
def test_outbound_allow_private_reaches_every_connector_the_product_builds(owner_access, allow_private):
    """KOPIENA_OUTBOUND_ALLOW_PRIVATE=1 is for on-premise platforms (10/8, 172.16/12, 192.168/16, fd00::/8);
    it used to unlock loopback only. Link-local / metadata addresses stay refused either way."""
    from django.test import override_settings

    from kopiena.integrations import connecting
    from kopiena.publishing import platform

    account = _connect(owner_access)
    with override_settings(OUTBOUND_ALLOW_PRIVATE=allow_private):
        built = [connecting.connector_for(account), platform.connector_for(account)]
        for connector in built:
            for address in ("10.1.2.3", "172.20.0.9", "192.168.10.2", "fd42::7"):
                assert (connector.http.address_problem(address) is None) is allow_private, address
            for address in ("169.254.169.254", "fe80::1", "fd00:ec2::254"):
                assert connector.http.address_problem(address) is not None
