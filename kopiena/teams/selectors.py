"""Tenant access. Every tenant object is fetched through an ``access_*`` selector that scopes by workspace.

A workspace the actor does not belong to raises Http404 — never 403 — so existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from kopiena.core.errors import NotPermitted
from kopiena.teams.models import Membership, User, Workspace
from kopiena.teams.permissions import Perm, role_can


@dataclass(frozen=True)
class Access:
    """What a request is allowed to see: one workspace, through one membership."""

    workspace: Workspace
    membership: Membership

    @property
    def user(self) -> User:
        return self.membership.user

    @property
    def role(self) -> str:
        return self.membership.role

    def can(self, perm: Perm | str) -> bool:
        return role_can(self.membership.role, perm)

    def require(self, perm: Perm | str) -> None:
        if not self.can(perm):
            raise NotPermitted()


def access_workspace(*, actor: User, slug: str, perm: Perm | str | None = None) -> Access:
    """The actor's access to the workspace ``slug``; 404 if not a member, NotPermitted if lacking ``perm``."""
    if actor is None or not actor.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("workspace", "user")
        .filter(user=actor, workspace__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404
    access = Access(workspace=membership.workspace, membership=membership)
    if perm is not None:
        access.require(perm)
    return access


def access_scoped(*, access: Access, queryset: QuerySet, pk, perm: Perm | str | None = None):
    """Fetch one tenant row by pk within the access's workspace, or 404."""
    if perm is not None:
        access.require(perm)
    obj = queryset.filter(workspace=access.workspace, pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def workspaces_for_user(*, user: User) -> QuerySet[Workspace]:
    return Workspace.objects.filter(memberships__user=user).order_by("name")


def members_of(*, workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("role", "user__username")
    )


def users_in_roles(*, workspace: Workspace, roles) -> list[User]:
    """People in the workspace whose role is one of ``roles`` (e.g. the acute playbook's escalation roles)."""
    return [m.user for m in members_of(workspace=workspace).filter(role__in=list(roles))]


def users_with_perm(*, workspace: Workspace, perm: Perm | str) -> list[User]:
    """People in the workspace who hold ``perm`` (e.g. managers to notify about a failed post)."""
    return [m.user for m in members_of(workspace=workspace) if role_can(m.role, perm)]
