"""GET /accounts and /accounts/{id}: public fields and capabilities; never credentials; others' are 404."""

from __future__ import annotations

import pytest

from kopiena.integrations.services import account_connect_checked
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.integrations.fakes import GOOD_TOKEN, fake_registry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def connectors(monkeypatch):
    with fake_registry(monkeypatch) as registry:
        yield registry


def _connect(access, chat_id="1"):
    return account_connect_checked(
        access=access, platform="fakebook", values={"access_token": GOOD_TOKEN, "chat_id": chat_id}
    )


def test_accounts_list_and_detail(api_client, member, owner_access, workspace):
    account = _connect(owner_access)
    client = api_client(member(Role.ANALYST), workspace)  # any member may see which accounts exist
    listed = client.get("/accounts").json()
    assert [a["id"] for a in listed] == [account.pk]
    detail = client.get(f"/accounts/{account.pk}").json()
    assert detail["platform"] == "fakebook"
    assert detail["handle"] == "@kafija"
    assert detail["status"] == "active"
    assert detail["capabilities"] == ["publish", "reply"]
    assert not {"credential", "credentials", "ciphertext", "access_token"} & set(detail)
    assert GOOD_TOKEN not in str(listed) + str(detail)


def test_another_workspaces_account_is_404(api_client, owner, workspace, other_workspace):
    stranger = other_workspace.memberships.get().user
    theirs = _connect(access_workspace(actor=stranger, slug=other_workspace.slug))
    client = api_client(owner, workspace)
    response = client.get(f"/accounts/{theirs.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert client.get("/accounts").json() == []
