"""Team page: invite, accept, change role, remove — through teams.services, with the rules they enforce."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kopiena.teams.models import Invitation, Membership, Role, User
from tests.conftest import PASSWORD


def _team_url(workspace):
    return reverse("team", kwargs={"ws": workspace.slug})


def _invite(client, workspace, email="jana@example.lv", role=Role.MODERATOR) -> str:
    response = client.post(_team_url(workspace), {"email": email, "role": role}, follow=True)
    shown = response.context["new_invitation"]
    assert shown["email"] == email and shown["link"] in response.text
    assert client.get(_team_url(workspace)).context["new_invitation"] is None  # shown once
    return re.search(r"(/invite/[^/]+/)", shown["link"]).group(1)


@pytest.mark.django_db
def test_new_person_accepts_invitation_by_creating_an_account(owner, workspace, login, client):
    link = _invite(login(owner), workspace)
    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "Moderator" in page.text and "jana@example.lv" in page.text
    response = client.post(
        link,
        {
            "username": "jana",
            "first_name": "Jana",
            "last_name": "Bērziņa",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response["Location"] == reverse("calendar", kwargs={"ws": workspace.slug})
    jana = User.objects.get(username="jana")
    assert jana.email == "jana@example.lv"
    assert Membership.objects.get(workspace=workspace, user=jana).role == Role.MODERATOR
    assert client.get(link).status_code == 404  # used once


@pytest.mark.django_db
def test_signed_in_person_joins_with_one_click(owner, workspace, login, make_user, client):
    link = _invite(login(owner), workspace, email="peteris@example.lv", role=Role.ANALYST)
    peteris = make_user("peteris")
    client.force_login(peteris)
    assert "Join as peteris" in client.get(link).text
    client.post(link)
    assert Membership.objects.get(workspace=workspace, user=peteris).role == Role.ANALYST


@pytest.mark.django_db
def test_invitation_for_an_existing_email_asks_to_log_in(owner, workspace, login, make_user, client):
    make_user("ilze")  # ilze@example.lv
    link = _invite(login(owner), workspace, email="ilze@example.lv")
    client.logout()
    response = client.get(link)
    assert "Log in to accept the invitation" in response.text
    client.post(link, {"username": "ilze2", "password1": PASSWORD, "password2": PASSWORD})
    assert not User.objects.filter(username="ilze2").exists()


@pytest.mark.django_db
def test_unknown_invitation_is_404(client):
    assert client.get("/invite/not-a-token/").status_code == 404


@pytest.mark.django_db
def test_manager_changes_roles_but_cannot_make_an_owner(member, workspace, login):
    manager = member(Role.MANAGER)
    contributor = member(Role.CONTRIBUTOR)
    membership = Membership.objects.get(workspace=workspace, user=contributor)
    client = login(manager)
    url = reverse("member_role", kwargs={"ws": workspace.slug, "membership_id": membership.pk})
    client.post(url, {"role": Role.MODERATOR})
    membership.refresh_from_db()
    assert membership.role == Role.MODERATOR

    response = client.post(url, {"role": Role.OWNER}, follow=True)
    membership.refresh_from_db()
    assert membership.role == Role.MODERATOR
    assert "Only an owner can grant or take away the owner role." in response.text


@pytest.mark.django_db
def test_removing_a_member_and_the_last_owner_rule(owner, member, workspace, login):
    moderator = member(Role.MODERATOR)
    client = login(owner)
    gone = Membership.objects.get(workspace=workspace, user=moderator)
    client.post(reverse("member_remove", kwargs={"ws": workspace.slug, "membership_id": gone.pk}))
    assert not Membership.objects.filter(pk=gone.pk).exists()

    mine = Membership.objects.get(workspace=workspace, user=owner)
    response = client.post(
        reverse("member_remove", kwargs={"ws": workspace.slug, "membership_id": mine.pk}), follow=True
    )
    assert Membership.objects.filter(pk=mine.pk).exists()
    assert "A workspace needs at least one owner." in response.text


@pytest.mark.django_db
def test_contributor_sees_the_team_but_cannot_invite_or_change_it(member, workspace, login):
    client = login(member(Role.CONTRIBUTOR))
    text = client.get(_team_url(workspace)).text
    assert "Invite someone" not in text
    assert (
        client.post(_team_url(workspace), {"email": "x@example.lv", "role": Role.MANAGER}).status_code == 403
    )
    assert not Invitation.objects.exists()
    owner_membership = workspace.memberships.get(role=Role.OWNER)
    url = reverse("member_remove", kwargs={"ws": workspace.slug, "membership_id": owner_membership.pk})
    assert client.post(url).status_code == 403


@pytest.mark.django_db
def test_membership_of_another_workspace_is_404(owner, workspace, other_workspace, login):
    foreign = other_workspace.memberships.get()
    client = login(owner)
    for name, data in [("member_remove", {}), ("member_role", {"role": Role.ANALYST})]:
        url = reverse(name, kwargs={"ws": workspace.slug, "membership_id": foreign.pk})
        assert client.post(url, data).status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == Role.OWNER
