"""REST /api/v1/policy: read, check, save (policy.edit only), versions; another workspace never shows."""

from __future__ import annotations

from kopiena.policy.defaults import default_policy
from kopiena.policy.models import PolicyVersion
from kopiena.policy.selectors import policy_export_yaml
from kopiena.policy.services import policy_save
from kopiena.teams.models import Role


def test_read_the_current_policy_and_its_yaml(api_client, member, workspace):
    client = api_client(member(Role.CONTRIBUTOR), workspace)
    body = client.get("/policy").json()
    assert body["version"] is None
    assert body["document"] == default_policy().to_data()
    assert client.get("/policy/yaml").content.decode() == policy_export_yaml(workspace=workspace)


def test_check_reports_every_error_with_line(api_client, owner, workspace):
    client = api_client(owner, workspace)
    response = client.request("POST", "/policy/check", json={"yaml": "publishing:\n  links:\n    nope: 1\n"})
    assert response.json() == {
        "valid": False,
        "errors": [
            {
                "path": "publishing.links.nope",
                "line": 3,
                "message": "Links: “nope” is not a setting Kopiena knows.",
            }
        ],
    }


def test_save_needs_policy_edit_and_refuses_invalid_documents(api_client, member, owner, workspace):
    text = policy_export_yaml(workspace=workspace)
    contributor = api_client(member(Role.CONTRIBUTOR), workspace)
    assert contributor.request("PUT", "/policy", json={"yaml": text}).status_code == 403
    client = api_client(owner, workspace)
    refused = client.request(
        "PUT", "/policy", json={"yaml": text.replace("max_per_day: 2", "max_per_day: -2")}
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["path"] == "publishing.cadence.default.max_per_day"
    assert not PolicyVersion.objects.exists()
    saved = client.request("PUT", "/policy", json={"yaml": text, "summary": "first"})
    assert saved.status_code == 200
    assert saved.json()["number"] == 1
    assert [v["summary"] for v in client.get("/policy/versions").json()] == ["first"]


def test_another_workspaces_policy_never_shows(api_client, owner, workspace, other_workspace):
    policy_save(access=None, workspace=other_workspace, document=default_policy(), summary="theirs")
    client = api_client(owner, workspace)
    assert client.get("/policy").json()["version"] is None
    assert client.get("/policy/versions").json() == []
