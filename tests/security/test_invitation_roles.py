"""Issue 9 item 1: an invitation is bound to its address, never changes a member's role, and nothing leaves a
workspace without an owner."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.teams.models import Invitation, Membership, Role, hash_token
from kopiena.teams.selectors import access_workspace
from kopiena.teams.services import (
    invitation_accept,
    invitation_create,
    membership_add,
    membership_change_role,
    membership_remove,
)

pytestmark = pytest.mark.django_db


def _invitation_row(workspace, *, email: str, role: str, invited_by) -> str:
    """An invitation to an address that already belongs to a member. ``invitation_create`` refuses those
    now (issue 16 item 16), so the row is written directly: accepting it must still change nothing."""
    raw = f"raw-{email}-{role}"
    Invitation.objects.create(
        workspace=workspace,
        email=email.lower(),
        role=role,
        token_hash=hash_token(raw),
        invited_by=invited_by,
        expires_at=now() + timedelta(days=7),
    )
    return raw


def _invite_link(client, workspace, email: str, role: str) -> str:
    response = client.post(reverse("team", kwargs={"ws": workspace.slug}), {"email": email, "role": role})
    assert response.status_code == 302
    shown = client.get(response["Location"]).context["new_invitation"]
    return re.search(r"(/invite/[^/]+/)", shown["link"]).group(1)


def test_the_attack_from_the_issue_a_contributor_link_clicked_by_the_sole_owner(
    owner, workspace, member, client
):
    """A manager invites any address as contributor and sends the link to the owner, who clicks "Join"."""
    manager = member(Role.MANAGER)
    client.force_login(manager)
    link = _invite_link(client, workspace, "anyone@example.lv", Role.CONTRIBUTOR)
    client.logout()

    client.force_login(owner)
    page = client.get(link)
    assert page.status_code == 200
    assert "sent to anyone@example.lv" in page.text  # refused before the click, clearly
    client.post(link)
    assert Membership.objects.get(workspace=workspace, user=owner).role == Role.OWNER
    assert Invitation.objects.get().accepted_at is None  # still usable by the invited person


def test_an_invitation_to_the_owners_own_address_does_not_change_their_role(owner, workspace, member, client):
    manager = member(Role.MANAGER)
    raw = _invitation_row(workspace, email=owner.email.upper(), role=Role.CONTRIBUTOR, invited_by=manager)
    link = reverse("invitation_accept", kwargs={"token": raw})
    client.force_login(owner)
    assert "already a member" in client.get(link).text
    response = client.post(link, follow=True)
    assert "already a member" in response.text
    assert Membership.objects.get(workspace=workspace, user=owner).role == Role.OWNER


def test_service_refuses_another_address_and_matches_case_insensitively(owner_access, make_user):
    _inv, raw = invitation_create(access=owner_access, email="Jana@Example.lv", role=Role.MODERATOR)
    with pytest.raises(DomainError, match="different e-mail address"):
        invitation_accept(raw_token=raw, user=make_user("someone"))
    jana = make_user("jana")  # jana@example.lv
    assert invitation_accept(raw_token=raw, user=jana).role == Role.MODERATOR


def test_existing_member_accepting_keeps_their_role(owner_access, workspace, member):
    moderator = member(Role.MODERATOR)
    raw = _invitation_row(workspace, email=moderator.email, role=Role.ANALYST, invited_by=owner_access.user)
    with pytest.raises(DomainError, match="already a member"):
        invitation_accept(raw_token=raw, user=moderator)
    assert Membership.objects.get(workspace=workspace, user=moderator).role == Role.MODERATOR


def test_sole_owner_cannot_be_demoted_or_removed(owner_access, workspace, owner):
    own = owner_access.membership
    with pytest.raises(DomainError, match="at least one owner"):
        membership_change_role(access=owner_access, membership_id=own.pk, role=Role.MANAGER)
    with pytest.raises(DomainError, match="at least one owner"):
        membership_remove(access=owner_access, membership_id=own.pk)
    with pytest.raises(DomainError, match="at least one owner"):
        membership_add(access=owner_access, workspace=workspace, user=owner, role=Role.CONTRIBUTOR)
    with pytest.raises(DomainError, match="at least one owner"):
        membership_add(access=None, workspace=workspace, user=owner, role=Role.ANALYST)
    assert Membership.objects.get(pk=own.pk).role == Role.OWNER


def test_a_manager_cannot_demote_the_owner_through_membership_add(workspace, owner, member):
    manager = member(Role.MANAGER)
    access = access_workspace(actor=manager, slug=workspace.slug)
    with pytest.raises(DomainError):
        membership_add(access=access, workspace=workspace, user=owner, role=Role.CONTRIBUTOR)
    assert Membership.objects.get(workspace=workspace, user=owner).role == Role.OWNER


def test_with_two_owners_one_may_step_down_but_not_both(owner_access, workspace, member):
    second = member(Role.OWNER)
    second_access = access_workspace(actor=second, slug=workspace.slug)
    membership_change_role(access=owner_access, membership_id=owner_access.membership.pk, role=Role.MANAGER)
    with pytest.raises(DomainError, match="at least one owner"):
        membership_remove(access=second_access, membership_id=second_access.membership.pk)
    assert Membership.objects.filter(workspace=workspace, role=Role.OWNER).count() == 1


def test_inviting_a_member_is_refused_with_a_clear_message(owner, workspace, member, client):
    """Issue 16 item 16: inviting someone who already belongs to the workspace says so; no link is made."""
    moderator = member(Role.MODERATOR)
    client.force_login(owner)
    response = client.post(
        reverse("team", kwargs={"ws": workspace.slug}),
        {"email": moderator.email.upper(), "role": Role.ANALYST},
    )
    assert response.status_code == 200
    assert f"{moderator.email} is already a member of this workspace" in response.text
    assert not Invitation.objects.exists()
    assert Membership.objects.get(workspace=workspace, user=moderator).role == Role.MODERATOR


def test_the_service_refuses_to_invite_a_member(owner_access, member):
    analyst = member(Role.ANALYST)
    with pytest.raises(DomainError, match="already a member") as refused:
        invitation_create(access=owner_access, email=f" {analyst.email.title()} ", role=Role.MANAGER)
    assert refused.value.field == "email"
    assert not Invitation.objects.exists()
