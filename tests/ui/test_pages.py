"""The shell's pages render for every role, hide other workspaces (404), and say no to missing permissions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopiena.teams.models import Role

WORKSPACE_PAGES = [
    "calendar",
    "inbox",
    "listening",
    "analytics",
    "contests",
    "settings",
    "team",
    "accounts",
    "policy",
    "audit_log",
    "api_tokens",
    "health",
]
# Pages a role may not open (everything else renders for every member).
FORBIDDEN = {
    Role.OWNER: set(),
    Role.MANAGER: set(),
    Role.MODERATOR: {"analytics", "audit_log"},
    Role.CONTRIBUTOR: {"analytics", "audit_log"},
    Role.ANALYST: set(),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_every_workspace_page_renders_for_each_role(role, member, workspace, login):
    client = login(member(role))
    for name in WORKSPACE_PAGES:
        response = client.get(reverse(name, kwargs={"ws": workspace.slug}))
        expected = 403 if name in FORBIDDEN[role] else 200
        assert response.status_code == expected, (role, name)
        if expected == 200:
            assert workspace.name in response.text
            assert 'id="kp-sidebar"' in response.text


@pytest.mark.django_db
def test_another_workspace_is_404_on_every_page(owner, other_workspace, login):
    client = login(owner)
    for name in WORKSPACE_PAGES:
        assert client.get(reverse(name, kwargs={"ws": other_workspace.slug})).status_code == 404, name
    assert client.get(reverse("calendar", kwargs={"ws": "no-such-workspace"})).status_code == 404


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login(client, workspace):
    response = client.get(reverse("team", kwargs={"ws": workspace.slug}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_navigation_marks_the_current_page_and_hides_the_audit_log_from_contributors(
    member, workspace, login
):
    client = login(member(Role.CONTRIBUTOR))
    text = client.get(reverse("team", kwargs={"ws": workspace.slug})).text
    assert f'class="nav-link active" href="/w/{workspace.slug}/settings/team/"' in text
    assert reverse("audit_log", kwargs={"ws": workspace.slug}) not in text


@pytest.mark.django_db
def test_workspace_switcher_lists_only_my_workspaces(owner, workspace, other_workspace, login):
    text = login(owner).get(reverse("calendar", kwargs={"ws": workspace.slug})).text
    assert reverse("calendar", kwargs={"ws": workspace.slug}) in text
    assert other_workspace.name not in text


@pytest.mark.django_db
def test_pages_carry_no_inline_script(owner, workspace, login):
    """The CSP forbids inline scripts, so a page that had one would silently break."""
    text = login(owner).get(reverse("team", kwargs={"ws": workspace.slug})).text
    assert "<script>" not in text
    assert " onclick=" not in text
    assert text.count("<script src=") >= 3
