"""GET /workspace and /members answer for the token's workspace; errors are JSON with a clear message."""

from __future__ import annotations

import json

import pytest
from django.http import Http404
from django.test import RequestFactory

from kopiena.config.api import api
from kopiena.core.errors import DomainError, NotPermitted
from kopiena.teams.models import Role

pytestmark = pytest.mark.django_db


def test_workspace_is_the_tokens(api_client, owner, workspace):
    body = api_client(owner, workspace).get("/workspace").json()
    assert body["slug"] == workspace.slug
    assert body["name"] == "Rīgas Grauzdētava"
    assert body["timezone"] == "Europe/Riga"
    assert body["country"] == "LV"


def test_members_lists_people_and_roles_of_this_workspace_only(
    api_client, member, owner, workspace, other_workspace
):
    moderator = member(Role.MODERATOR)
    body = api_client(owner, workspace).get("/members").json()
    assert {(m["username"], m["role"]) for m in body} == {
        (owner.username, "owner"),
        (moderator.username, "moderator"),
    }
    assert "stranger" not in str(body)


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (DomainError("The post is too long.", field="text"), 400, "invalid"),
        (NotPermitted(), 403, "forbidden"),
        (Http404("No ConnectedAccount matches the given query."), 404, "not_found"),
    ],
)
def test_errors_become_json_with_a_message(exc, status, code):
    response = api.on_exception(RequestFactory().get("/api/v1/x"), exc)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body["code"] == code
    assert body["detail"]
    assert "ConnectedAccount" not in body["detail"]  # 404s never name what was looked for


def test_unexpected_errors_are_a_json_500_without_exception_text():
    response = api.on_exception(RequestFactory().get("/api/v1/x"), RuntimeError("token=kop_secret123"))
    assert response.status_code == 500
    assert b"kop_secret123" not in response.content


def test_unknown_route_under_the_api_is_404(api_client, owner, workspace):
    assert api_client(owner, workspace).get("/no-such-thing").status_code == 404
