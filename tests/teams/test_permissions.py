import pytest
from django.http import Http404

from kopiena.core.errors import DomainError, NotPermitted
from kopiena.teams.models import Role
from kopiena.teams.permissions import Perm, role_can
from kopiena.teams.selectors import access_workspace
from kopiena.teams.services import invitation_accept, invitation_create, membership_change_role


def test_permission_table_shape():
    assert role_can(Role.OWNER, Perm.WORKSPACE_MANAGE)
    assert role_can(Role.MANAGER, Perm.POST_APPROVE)
    assert not role_can(Role.CONTRIBUTOR, Perm.POST_APPROVE)
    assert role_can(Role.CONTRIBUTOR, Perm.POST_DRAFT)
    assert role_can(Role.MODERATOR, Perm.INBOX_REPLY)
    assert not role_can(Role.ANALYST, Perm.INBOX_REPLY)
    assert role_can(Role.ANALYST, Perm.ANALYTICS_READ)


def test_other_workspace_is_404_not_403(member, other_workspace):
    manager = member(Role.MANAGER)
    with pytest.raises(Http404):
        access_workspace(actor=manager, slug=other_workspace.slug)


def test_contributor_cannot_manage_team(member, workspace):
    contributor = member(Role.CONTRIBUTOR)
    access = access_workspace(actor=contributor, slug=workspace.slug)
    with pytest.raises(NotPermitted):
        invitation_create(access=access, email="x@example.lv", role=Role.MANAGER)


def test_invitation_flow(owner_access, make_user):
    invitation, raw = invitation_create(access=owner_access, email="New@Example.lv", role=Role.MODERATOR)
    assert invitation.token_hash != raw
    newcomer = make_user("new")  # new@example.lv: the invitation is bound to its address
    membership = invitation_accept(raw_token=raw, user=newcomer)
    assert membership.role == Role.MODERATOR
    with pytest.raises(DomainError):
        invitation_accept(raw_token=raw, user=newcomer)


def test_last_owner_cannot_be_demoted(owner_access):
    with pytest.raises(DomainError, match="at least one owner"):
        membership_change_role(
            access=owner_access, membership_id=owner_access.membership.pk, role=Role.MANAGER
        )
