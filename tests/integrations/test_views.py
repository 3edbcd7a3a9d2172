"""Settings → Accounts in the browser's shoes: list, connect with a token, account page, disconnect."""

from __future__ import annotations

import pytest

from kopiena.integrations.models import AccountStatus, ConnectedAccount
from kopiena.integrations.services import account_connect_checked, account_mark_needs_reconnect
from kopiena.teams.models import Role
from tests.integrations.fakes import GOOD_TOKEN

pytestmark = pytest.mark.django_db


def _url(workspace, suffix=""):
    return f"/w/{workspace.slug}/settings/accounts/{suffix}"


@pytest.fixture
def account(owner_access):
    return account_connect_checked(
        access=owner_access, platform="fakebook", values={"access_token": GOOD_TOKEN, "chat_id": "55"}
    )


def test_empty_list_invites_a_manager_to_connect(login, owner, workspace):
    html = login(owner).get(_url(workspace)).content.decode()
    assert "No accounts connected" in html
    assert _url(workspace, "connect/") in html


def test_list_shows_status_capabilities_and_last_error(login, member, workspace, account):
    account_mark_needs_reconnect(account=account, error="Invalid OAuth access token")
    html = login(member(Role.CONTRIBUTOR)).get(_url(workspace)).content.decode()
    assert "Kafija Rīga" in html
    assert "Needs reconnect" in html
    assert "Publish posts" in html and "Reply" in html
    assert "Invalid OAuth access token" in html
    assert _url(workspace, "connect/") not in html  # contributors cannot connect
    assert GOOD_TOKEN not in html


def test_the_picker_lists_registered_platforms(login, owner, workspace):
    html = login(owner).get(_url(workspace, "connect/")).content.decode()
    assert "Connect Fakebook" in html


def test_token_form_has_the_connectors_fields_with_secrets_as_password_inputs(login, owner, workspace):
    html = login(owner).get(_url(workspace, "connect/fakebook/")).content.decode()
    assert 'type="password" name="access_token"' in html
    assert 'type="text" name="chat_id"' in html
    assert 'value="https://fakebook.example"' in html  # the connector's default server


def test_connecting_with_a_good_token_lands_on_the_account_page(login, owner, workspace):
    client = login(owner)
    response = client.post(
        _url(workspace, "connect/fakebook/"),
        {
            "access_token": GOOD_TOKEN,
            "chat_id": "77",
            "base_url": "https://fakebook.example",
            "approval_required": "on",
        },
    )
    account = ConnectedAccount.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(workspace, f"{account.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert "Kafija Rīga" in page and "is connected" in page
    assert GOOD_TOKEN not in page


def test_a_refused_token_is_explained_and_never_echoed(login, owner, workspace):
    response = login(owner).post(
        _url(workspace, "connect/fakebook/"),
        {"access_token": "fk-WRONG-secret", "chat_id": "1", "base_url": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "did not accept these credentials" in html
    assert "fk-WRONG-secret" not in html
    assert not ConnectedAccount.objects.exists()


def test_unknown_platform_is_404(login, owner, workspace):
    assert login(owner).get(_url(workspace, "connect/myspace/")).status_code == 404


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.CONTRIBUTOR, Role.ANALYST])
def test_people_who_may_not_connect_get_403(login, member, workspace, account, role):
    client = login(member(role))
    assert client.get(_url(workspace, "connect/fakebook/")).status_code == 403
    assert client.post(_url(workspace, f"{account.pk}/disconnect/")).status_code == 403
    assert client.post(_url(workspace, f"{account.pk}/"), {"name": "hijacked"}).status_code == 403
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE and account.name != "hijacked"


def test_account_page_edits_settings(login, owner, workspace, account):
    client = login(owner)
    response = client.post(
        _url(workspace, f"{account.pk}/"), {"name": "Kafija (LV)", "timezone": "Europe/Riga"}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.timezone, account.approval_required) == (
        "Kafija (LV)",
        "Europe/Riga",
        False,
    )


def test_disconnect_from_the_account_page(login, owner, workspace, account):
    response = login(owner).post(_url(workspace, f"{account.pk}/disconnect/"))
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.status == AccountStatus.DISABLED


def test_another_workspaces_account_page_is_404(login, other_workspace, workspace, account):
    stranger = other_workspace.memberships.get().user
    client = login(stranger)
    assert client.get(_url(workspace, f"{account.pk}/")).status_code == 404
    assert client.get(_url(other_workspace, f"{account.pk}/")).status_code == 404
