"""REST /api/v1/posts: the same services and rules as the UI, through a personal API token."""

from __future__ import annotations

from datetime import timedelta

from kopiena.publishing.models import Post, PostState
from kopiena.teams.models import Role
from tests.api.conftest import api_client  # noqa: F401 - the shared fixture

from .conftest import daytime


def test_draft_review_schedule_and_refusal(api_client, member, workspace, make_account):  # noqa: F811
    account = make_account("Mastodon")
    contributor = api_client(member(Role.CONTRIBUTOR), workspace)
    created = contributor.request("POST", "/posts", json={"account_ids": [account.pk], "text": "Sveiki"})
    assert created.status_code == 201, created.content
    post_id = created.json()["id"]
    assert contributor.get("/posts").json() == []  # a draft is not on the calendar
    assert created.json()["variants"] == [{"account_id": account.pk, "text": "Sveiki", "problems": []}]
    assert contributor.request("POST", f"/posts/{post_id}/approve", json={}).status_code == 403
    assert contributor.request("POST", f"/posts/{post_id}/submit").json()["state"] == PostState.IN_REVIEW

    manager = api_client(member(Role.MANAGER), workspace)
    assert (
        manager.request("POST", f"/posts/{post_id}/approve", json={"comment": "ok"}).json()["state"]
        == "approved"
    )
    noon = daytime(2, 12)
    scheduled = manager.request("POST", f"/posts/{post_id}/schedule", json={"at": noon.isoformat()})
    assert scheduled.json()["state"] == "scheduled"

    other = manager.request("POST", "/posts", json={"account_ids": [account.pk], "text": "Otrs"}).json()
    manager.request("POST", f"/posts/{other['id']}/approve", json={})
    refused = manager.request(
        "POST", f"/posts/{other['id']}/schedule", json={"at": (noon + timedelta(hours=1)).isoformat()}
    )
    assert refused.status_code == 409
    body = refused.json()
    assert "cadence.min_gap" in [p["rule"] for p in body["problems"]] and body["overridable"] is True
    assert body["proposed_at"].startswith((noon + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))

    listed = manager.get(
        "/posts",
        data={"start": (noon - timedelta(days=1)).isoformat(), "end": (noon + timedelta(days=1)).isoformat()},
    ).json()
    assert [entry["id"] for entry in listed] == [post_id]


def test_another_workspace_post_is_404(api_client, member, workspace, other_workspace, make_account):  # noqa: F811
    account = make_account("Mastodon")
    mine = api_client(member(Role.MANAGER), workspace)
    post_id = mine.request("POST", "/posts", json={"account_ids": [account.pk], "text": "Mans"}).json()["id"]
    stranger = api_client(other_workspace.memberships.get().user, other_workspace)
    assert stranger.request("POST", f"/posts/{post_id}/submit").status_code == 404
    assert stranger.request("POST", f"/posts/{post_id}/cancel").status_code == 404
    refused = stranger.request("POST", "/posts", json={"account_ids": [account.pk], "text": "Svešs"})
    assert refused.status_code == 404
    assert Post.objects.count() == 1


def test_import_dry_run_then_for_real(api_client, owner, workspace, make_account):  # noqa: F811
    make_account("Mastodon", approval_required=False)
    client = api_client(owner, workspace)
    at = daytime(3, 11).isoformat()
    body = f"scheduled_at,account,text\n{at},Mastodon,Importēts\n".encode()
    raw = client._client
    dry = raw.post("/api/v1/posts/import?filename=a.csv", data=body, content_type="text/csv").json()
    assert dry["ok"] and dry["dry_run"] and dry["scheduled"] == 1 and Post.objects.count() == 0
    done = raw.post(
        "/api/v1/posts/import?filename=a.csv&dry_run=false", data=body, content_type="text/csv"
    ).json()
    assert done["ok"] and done["created"] == 1 and Post.objects.get().state == PostState.SCHEDULED
