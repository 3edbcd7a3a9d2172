"""Issue 9 item 13: ``GET /api/v1/posts`` takes its filters as query parameters (they were declared as a
JSON body, so ``?account=999`` was silently ignored and every post came back)."""

from __future__ import annotations

from kopiena.publishing.services import post_approve, post_create, post_schedule
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.api.conftest import api_client  # noqa: F401 - the shared fixture
from tests.publishing.conftest import _fake_connector, daytime, make_account  # noqa: F401


def _scheduled(access, account, text, at, **extra):
    post = post_create(access=access, account_ids=[account.pk], text=text, **extra)
    post_approve(access=access, post_id=post.pk)
    return post_schedule(access=access, post_id=post.pk, at=at)


def test_filters_are_query_parameters(api_client, member, workspace, make_account):  # noqa: F811
    manager = member(Role.MANAGER)
    access = access_workspace(actor=manager, slug=workspace.slug)
    first = make_account("First", approval_required=False)
    second = make_account("Second", approval_required=False)
    a = _scheduled(access, first, "Pirmais", daytime(2, 10), theme="tips")
    b = _scheduled(access, second, "Otrais", daytime(3, 11), content_type="link", link="https://example.lv")
    client = api_client(manager, workspace)

    assert {e["id"] for e in client.get("/posts").json()} == {a.pk, b.pk}
    assert [e["id"] for e in client.get(f"/posts?account={first.pk}").json()] == [a.pk]
    assert [e["id"] for e in client.get(f"/posts?account={second.pk}").json()] == [b.pk]
    assert client.get("/posts?account=999").json() == []
    both = client.get(f"/posts?account={first.pk}&account={second.pk}").json()
    assert {e["id"] for e in both} == {a.pk, b.pk}
    assert [e["id"] for e in client.get("/posts?theme=tips").json()] == [a.pk]
    assert [e["id"] for e in client.get("/posts?type=link").json()] == [b.pk]
    assert client.get("/posts?state=draft").json() == []


def test_filters_are_documented_as_query_parameters(api_client, owner, workspace):  # noqa: F811
    client = api_client(owner, workspace)
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/posts"]["get"]
    where = {p["name"]: p["in"] for p in operation.get("parameters", [])}
    assert {where.get(name) for name in ("account", "type", "theme", "state")} == {"query"}
    assert "requestBody" not in operation
