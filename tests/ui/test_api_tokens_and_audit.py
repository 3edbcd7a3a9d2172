"""API tokens (shown once, stored hashed, revocable) and the filterable audit log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopiena.teams.models import ApiToken, Role, hash_token
from kopiena.teams.services import api_token_create, workspace_update


@pytest.mark.django_db
def test_token_is_shown_once_and_only_its_hash_is_stored(member, workspace, login):
    client = login(member(Role.CONTRIBUTOR))
    url = reverse("api_tokens", kwargs={"ws": workspace.slug})
    response = client.post(url, {"name": "reporting spreadsheet"}, follow=True)
    token = ApiToken.objects.get(name="reporting spreadsheet")
    secret = response.context["new_secret"]
    assert secret.startswith("kop_") and secret in response.text
    assert token.token_hash == hash_token(secret)
    assert secret not in client.get(url).text  # never again
    assert token.prefix in client.get(url).text


@pytest.mark.django_db
def test_revoking_a_token_and_not_someone_elses(owner, member, workspace, owner_access, login):
    mine, _ = api_token_create(access=owner_access, name="mine")
    client = login(owner)
    client.post(reverse("api_token_revoke", kwargs={"ws": workspace.slug, "token_id": mine.pk}))
    mine.refresh_from_db()
    assert mine.revoked_at is not None

    client = login(member(Role.MANAGER))
    other, _ = api_token_create(access=owner_access, name="owner's second")
    response = client.post(reverse("api_token_revoke", kwargs={"ws": workspace.slug, "token_id": other.pk}))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


@pytest.mark.django_db
def test_audit_log_filters_and_shows_before_after_as_escaped_text(
    owner, member, workspace, owner_access, login
):
    analyst = member(Role.ANALYST)
    workspace_update(
        access=owner_access,
        name="<script>alert(1)</script>",
        timezone="Europe/Riga",
        country="LV",
        languages=["lv"],
    )
    client = login(analyst)
    url = reverse("audit_log", kwargs={"ws": workspace.slug})
    text = client.get(url).text
    assert "membership.add" in text and "workspace.update" in text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text

    filtered = client.get(url, {"action": "workspace.update"})
    assert [event.action for event, _, _ in filtered.context["rows"]] == ["workspace.update"]
    by_person = client.get(url, {"actor": str(owner.pk)}).context["rows"]
    assert {event.actor_label for event, _, _ in by_person} == {owner.username}
    by_type = client.get(url, {"object_type": "teams.membership"}).context["rows"]
    assert by_type and all(event.object_type == "teams.membership" for event, _, _ in by_type)
    nothing = client.get(url, {"action": "no.such.action"})
    assert "Nothing matches these filters" in nothing.text


@pytest.mark.django_db
def test_audit_log_is_paginated_and_keeps_the_filter(owner, workspace, owner_access, login):
    for n in range(55):
        api_token_create(access=owner_access, name=f"token {n}")
    client = login(owner)
    url = reverse("audit_log", kwargs={"ws": workspace.slug})
    first = client.get(url, {"action": "api_token.create"})
    assert len(first.context["rows"]) == 50
    assert "action=api_token.create&amp;page=2" in first.text
    second = client.get(url, {"action": "api_token.create", "page": 2})
    assert len(second.context["rows"]) == 5


@pytest.mark.django_db
def test_audit_log_does_not_show_other_workspaces_events(owner, workspace, other_workspace, login):
    text = login(owner).get(reverse("audit_log", kwargs={"ws": workspace.slug})).text
    assert "Other Agency Client" not in text
    assert "stranger" not in text
