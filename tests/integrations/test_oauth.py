"""Mastodon OAuth against a local instance: app registered once, state checked once, token stored encrypted."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings

from kopiena.connectors import registry as connector_registry
from kopiena.connectors.registry import ConnectorRegistry
from kopiena.connectors.testing import LocalServer, Response
from kopiena.integrations.models import ConnectedAccount, Credential, OAuthApp
from kopiena.integrations.selectors import credential_for
from kopiena.teams.models import Role
from kopiena.teams.services import membership_add
from tests.integrations.oauth_steps import authorize_url_after_start

pytestmark = pytest.mark.django_db

ACCESS_TOKEN = "masto-ACCESS-8c1d77e0f1"
CLIENT_SECRET = "masto-CLIENT-SECRET-5e2b"


@pytest.fixture(autouse=True)
def connectors(monkeypatch):
    # Overrides the fake-only registry of conftest: this test drives the real Mastodon connector.
    real = ConnectorRegistry(paths=["kopiena.connectors.mastodon.MastodonConnector"])
    monkeypatch.setattr(connector_registry, "get", real.get)
    monkeypatch.setattr(connector_registry, "all", real.all)
    return real


@pytest.fixture
def instance():
    server = LocalServer()

    @server.route("POST", r"/api/v1/apps")
    def apps(request, match):
        return Response.json(
            {"id": "1", "client_id": "cid-1", "client_secret": CLIENT_SECRET, "name": "Kopiena"}
        )

    @server.route("POST", r"/oauth/token")
    def token(request, match):
        if request.arg("code") != "good-code" or request.arg("client_secret") != CLIENT_SECRET:
            return Response.json({"error": "invalid_grant"}, status=400)
        return Response.json(
            {"access_token": ACCESS_TOKEN, "token_type": "Bearer", "scope": request.arg("scope")}
        )

    @server.route("GET", r"/api/v1/accounts/verify_credentials")
    def verify(request, match):
        if request.bearer != ACCESS_TOKEN:
            return Response.json({"error": "The access token is invalid"}, status=401)
        return Response.json(
            {"id": "109", "username": "kafija", "acct": "kafija", "display_name": "Kafija Rīga"}
        )

    with override_settings(OUTBOUND_ALLOW_PRIVATE=True), server:
        yield server


def _start(client, workspace, instance) -> str:
    response = client.post(
        f"/w/{workspace.slug}/settings/accounts/connect/mastodon/oauth/", {"base_url": instance.url("")}
    )
    location = authorize_url_after_start(client, response)
    assert location.startswith(instance.url("/oauth/authorize?"))
    return parse_qs(urlsplit(location).query)["state"][0]


def _callback(client, *, state, code="good-code"):
    return client.get("/integrations/oauth/mastodon/callback/", {"state": state, "code": code})


def test_full_flow_connects_the_account(login, owner, workspace, instance):
    client = login(owner)
    state = _start(client, workspace, instance)
    response = _callback(client, state=state)
    account = ConnectedAccount.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/w/{workspace.slug}/settings/accounts/{account.pk}/"
    assert (account.platform, account.external_id, account.handle) == ("mastodon", "109", "kafija")
    assert credential_for(account) == {"access_token": ACCESS_TOKEN}
    assert ACCESS_TOKEN not in Credential.objects.get().ciphertext
    app = OAuthApp.objects.get()
    assert CLIENT_SECRET not in app.ciphertext and CLIENT_SECRET not in repr(app)


def test_the_app_is_registered_once_per_instance(login, owner, workspace, instance):
    client = login(owner)
    _start(client, workspace, instance)
    _start(client, workspace, instance)
    assert instance.count("POST", r"/api/v1/apps") == 1


def test_a_state_works_once(login, owner, workspace, instance):
    client = login(owner)
    state = _start(client, workspace, instance)
    _callback(client, state=state)
    again = _callback(client, state=state)
    assert again["Location"] == "/"
    assert instance.count("POST", r"/oauth/token") == 1


def test_a_state_from_another_browser_is_refused(login, client, owner, workspace, instance, make_user):
    state = _start(login(owner), workspace, instance)
    other = make_user("mallory")
    client.force_login(other)
    response = _callback(client, state=state)
    assert response.status_code == 302
    assert not ConnectedAccount.objects.exists()
    assert instance.count("POST", r"/oauth/token") == 0


def test_a_refused_code_connects_nothing(login, owner, workspace, instance):
    client = login(owner)
    state = _start(client, workspace, instance)
    _callback(client, state=state, code="forged")
    assert not ConnectedAccount.objects.exists()


def test_losing_the_right_to_connect_mid_flow_is_refused(login, owner, member, workspace, instance):
    from kopiena.teams.models import Membership

    manager = member(Role.MANAGER)
    client = login(manager)
    state = _start(client, workspace, instance)
    Membership.objects.filter(user=manager).update(role=Role.CONTRIBUTOR)
    response = _callback(client, state=state)
    assert response.status_code == 302
    assert not ConnectedAccount.objects.exists()
    assert instance.count("POST", r"/oauth/token") == 0  # checked before the code is redeemed


def test_private_addresses_are_refused_outside_tests(login, owner, workspace, instance):
    with override_settings(OUTBOUND_ALLOW_PRIVATE=False):
        response = login(owner).post(
            f"/w/{workspace.slug}/settings/accounts/connect/mastodon/oauth/", {"base_url": instance.url("")}
        )
    assert response.status_code == 400
    assert instance.count("POST", r"/api/v1/apps") == 0


def test_the_continue_page_needs_the_flow_of_this_browser_and_workspace(
    login, client, owner, workspace, other_workspace, instance
):
    start = login(owner).post(
        f"/w/{workspace.slug}/settings/accounts/connect/mastodon/oauth/", {"base_url": instance.url("")}
    )
    continue_url = start["Location"]
    state = parse_qs(urlsplit(continue_url).query)["state"][0]
    # The same person's other workspace does not hand out this workspace's flow.
    membership_add(access=None, workspace=other_workspace, user=owner, role=Role.OWNER)
    elsewhere = client.get(
        f"/w/{other_workspace.slug}/settings/accounts/connect/mastodon/oauth/continue/", {"state": state}
    )
    assert elsewhere.status_code == 302 and "Refresh" not in elsewhere
    # Another person's browser holds no flow under that state.
    stranger = other_workspace.memberships.get(role=Role.OWNER, user__username="stranger").user
    membership_add(access=None, workspace=workspace, user=stranger, role=Role.OWNER)
    client.force_login(stranger)
    other = client.get(continue_url)
    assert other.status_code == 302 and other["Location"].endswith("/connect/mastodon/")
    assert "Refresh" not in other
