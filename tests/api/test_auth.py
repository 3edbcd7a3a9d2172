"""Personal API tokens: Bearer kop_…, one workspace each, revocation, last_used_at at most once a minute."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client

from kopiena.teams.models import ApiToken, Role
from kopiena.teams.selectors import access_workspace
from kopiena.teams.services import api_token_create, api_token_revoke, membership_remove

pytestmark = pytest.mark.django_db


def test_me_answers_with_the_token_owner_and_role(api_client, member, workspace):
    analyst = member(Role.ANALYST)
    response = api_client(analyst, workspace).get("/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == analyst.username
    assert body["role"] == "analyst"
    assert body["workspace"] == workspace.slug
    assert "analytics.read" in body["permissions"]
    assert "account.connect" not in body["permissions"]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer kop_unknown", "Basic a29wOnNlY3JldA==", "Token kop_x", "bearer  "],
)
def test_missing_or_unknown_token_is_401_json(client, workspace, header):
    headers = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get("/api/v1/workspace", **headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_session_login_alone_does_not_open_the_api(login, owner):
    assert login(owner).get("/api/v1/me").status_code == 401


def test_revoked_token_is_401(owner, owner_access, workspace):
    token, raw = api_token_create(access=owner_access, name="ci")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/workspace").status_code == 200
    api_token_revoke(access=owner_access, token_id=token.pk)
    assert client.get("/api/v1/workspace").status_code == 401


def test_token_stops_working_when_its_owner_leaves_the_workspace(member, owner_access, workspace):
    manager = member(Role.MANAGER)
    _, raw = api_token_create(access=access_workspace(actor=manager, slug=workspace.slug), name="x")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/me").status_code == 200
    membership_remove(access=owner_access, membership_id=manager.memberships.get().pk)
    assert client.get("/api/v1/me").status_code == 401


def test_token_of_a_deactivated_user_is_401(api_client, owner, workspace):
    client = api_client(owner, workspace)
    owner.is_active = False
    owner.save()
    assert client.get("/me").status_code == 401


def test_only_the_hash_is_stored(owner_access):
    token, raw = api_token_create(access=owner_access, name="ci")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw.startswith("kop_")
    assert not any(raw in str(value) for value in stored.values())


def test_token_acts_in_its_own_workspace_only(api_client, make_user, workspace, other_workspace, owner):
    from kopiena.teams.services import membership_add

    # The same person belongs to both workspaces; the token still answers for the one it was made in.
    membership_add(access=None, workspace=other_workspace, user=owner, role=Role.OWNER)
    body = api_client(owner, other_workspace).get("/workspace").json()
    assert body["slug"] == other_workspace.slug
    assert body["slug"] != workspace.slug


def test_last_used_at_is_written_at_most_once_a_minute(api_client, owner, workspace):
    client = api_client(owner, workspace)
    token = ApiToken.objects.get(user=owner)
    assert token.last_used_at is None

    client.get("/me")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    with mock.patch("kopiena.core.auth_api.now", return_value=first + timedelta(seconds=59)):
        client.get("/me")
    token.refresh_from_db()
    assert token.last_used_at == first

    later = first + timedelta(seconds=61)
    with mock.patch("kopiena.core.auth_api.now", return_value=later):
        client.get("/me")
    token.refresh_from_db()
    assert token.last_used_at == later
