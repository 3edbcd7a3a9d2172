"""Home redirects to a workspace; without one, the person can create one; owners edit its settings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopiena.audit.models import AuditEvent
from kopiena.teams.models import Role, Workspace
from kopiena.teams.services import workspace_create


@pytest.mark.django_db
def test_home_goes_to_the_first_workspace_then_to_the_last_one_used(owner, login):
    later = workspace_create(owner=owner, name="Zzz Bakery")
    first = Workspace.objects.filter(memberships__user=owner).order_by("name").first()
    client = login(owner)
    assert client.get("/")["Location"] == reverse("today", kwargs={"ws": first.slug})
    client.get(reverse("team", kwargs={"ws": later.slug}))
    assert client.get("/")["Location"] == reverse("today", kwargs={"ws": later.slug})


@pytest.mark.django_db
def test_person_without_workspace_sees_empty_state_and_creates_one(make_user, login):
    client = login(make_user("newcomer"))
    response = client.get("/")
    assert response.status_code == 200
    assert "You are not in a workspace yet" in response.text
    response = client.post(
        reverse("workspace_create"),
        {"name": "Kafijas Draugi", "timezone": "Europe/Riga", "country": "LV", "languages": ["lv", "ru"]},
    )
    workspace = Workspace.objects.get(name="Kafijas Draugi")
    assert response["Location"] == reverse("calendar", kwargs={"ws": workspace.slug})
    assert workspace.memberships.get().role == Role.OWNER
    assert workspace.languages == ["lv", "ru"]


@pytest.mark.django_db
def test_owner_updates_workspace_settings_and_it_is_audited(owner, workspace, login):
    url = reverse("settings", kwargs={"ws": workspace.slug})
    response = login(owner).post(
        url,
        {"name": "Rīgas Kafija", "timezone": "Europe/Vilnius", "country": "LT", "languages": ["lt", "en"]},
    )
    assert response["Location"] == url
    workspace.refresh_from_db()
    assert (workspace.name, workspace.timezone, workspace.country) == ("Rīgas Kafija", "Europe/Vilnius", "LT")
    event = AuditEvent.objects.filter(workspace=workspace, action="workspace.update").get()
    assert event.before["name"] == "Rīgas Grauzdētava"


@pytest.mark.django_db
def test_settings_are_read_only_for_a_manager(member, workspace, login):
    client = login(member(Role.MANAGER))
    url = reverse("settings", kwargs={"ws": workspace.slug})
    assert "Only the workspace owner can change these settings." in client.get(url).text
    response = client.post(url, {"name": "Hijacked", "timezone": "UTC", "country": "LV", "languages": ["lv"]})
    assert response.status_code == 403
    workspace.refresh_from_db()
    assert workspace.name == "Rīgas Grauzdētava"


@pytest.mark.django_db
def test_invalid_settings_show_errors_next_to_fields(owner, workspace, login):
    response = login(owner).post(
        reverse("settings", kwargs={"ws": workspace.slug}),
        {"name": "", "timezone": "Mars/Olympus", "country": "LV", "languages": ["lv"]},
    )
    assert response.status_code == 200
    assert response.text.count("invalid-feedback") == 2
