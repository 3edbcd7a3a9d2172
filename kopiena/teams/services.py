"""Writes for workspaces, memberships, invitations and API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kopiena.audit.services import audit_record
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.core.zones import require_zone
from kopiena.teams.models import ApiToken, Invitation, Membership, Role, User, Workspace, hash_token
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access

INVITATION_TTL = timedelta(days=7)


class AlreadyMember(DomainError):
    """The person accepting an invitation already belongs to its workspace (nothing was changed)."""


def _require_another_owner(*, workspace: Workspace, membership: Membership, field: str | None = None) -> None:
    """Refuse an action that would take the owner role away from ``membership`` if it is the last owner.

    The owner rows are locked (``select_for_update``) so that two owners demoting or removing each other
    at the same moment cannot both pass this check and leave the workspace with nobody who can grant the
    role again.
    """
    if membership.role != Role.OWNER:
        return
    owners = list(
        Membership.objects.select_for_update()
        .filter(workspace=workspace, role=Role.OWNER)
        .values_list("pk", flat=True)
    )
    if not [pk for pk in owners if pk != membership.pk]:
        raise DomainError(_("A workspace needs at least one owner."), field=field)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def workspace_create(
    *,
    owner: User,
    name: str,
    timezone: str = "Europe/Riga",
    country: str = "LV",
    languages: list[str] | None = None,
    slug: str | None = None,
) -> Workspace:
    timezone = require_zone(timezone)
    workspace = Workspace.objects.create(
        name=name,
        slug=slug or _unique_slug(name),
        timezone=timezone,
        country=country,
        languages=languages or ["lv", "ru", "en"],
    )
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    audit_record(
        actor=owner,
        workspace=workspace,
        action="workspace.create",
        obj=workspace,
        after={"name": name, "timezone": timezone, "country": country},
    )
    return workspace


@transaction.atomic
def workspace_update(
    *, access: Access, name: str, timezone: str, country: str, languages: list[str]
) -> Workspace:
    access.require(Perm.WORKSPACE_MANAGE)
    timezone = require_zone(timezone)
    workspace = access.workspace
    before = {
        "name": workspace.name,
        "timezone": workspace.timezone,
        "country": workspace.country,
        "languages": workspace.languages,
    }
    workspace.name, workspace.timezone, workspace.country, workspace.languages = (
        name,
        timezone,
        country,
        languages,
    )
    workspace.save()
    audit_record(
        actor=access.user,
        workspace=workspace,
        action="workspace.update",
        obj=workspace,
        before=before,
        after={"name": name, "timezone": timezone, "country": country, "languages": languages},
    )
    return workspace


@transaction.atomic
def membership_add(*, access: Access | None, workspace: Workspace, user: User, role: str) -> Membership:
    """Add ``user`` with ``role``. ``access`` is None only for system set-up (demo, createsuperuser)."""
    if access is not None:
        access.require(Perm.TEAM_MANAGE)
        if role == Role.OWNER and access.role != Role.OWNER:
            raise DomainError(_("Only an owner can make someone an owner."), field="role")
    existing = Membership.objects.select_for_update().filter(workspace=workspace, user=user).first()
    if existing is not None and existing.role != role:
        if Role.OWNER in (role, existing.role) and access is not None and access.role != Role.OWNER:
            raise DomainError(_("Only an owner can grant or take away the owner role."), field="role")
        if role != Role.OWNER:
            _require_another_owner(workspace=workspace, membership=existing, field="role")
    membership, _created = Membership.objects.update_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    audit_record(
        actor=access.user if access else None,
        workspace=workspace,
        action="membership.add",
        obj=membership,
        after={"user": user.username, "role": role},
    )
    return membership


@transaction.atomic
def membership_change_role(*, access: Access, membership_id: int, role: str) -> Membership:
    access.require(Perm.TEAM_MANAGE)
    membership = (
        Membership.objects.select_for_update().filter(workspace=access.workspace, pk=membership_id).first()
    )
    if membership is None:
        raise DomainError(_("No such member."))
    if Role.OWNER in (role, membership.role) and access.role != Role.OWNER:
        raise DomainError(_("Only an owner can grant or take away the owner role."), field="role")
    if role != Role.OWNER:
        _require_another_owner(workspace=access.workspace, membership=membership, field="role")
    before = {"role": membership.role}
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="membership.change_role",
        obj=membership,
        before=before,
        after={"role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, access: Access, membership_id: int) -> None:
    access.require(Perm.TEAM_MANAGE)
    membership = (
        Membership.objects.select_for_update().filter(workspace=access.workspace, pk=membership_id).first()
    )
    if membership is None:
        raise DomainError(_("No such member."))
    if membership.role == Role.OWNER and access.role != Role.OWNER:
        raise DomainError(_("Only an owner can remove an owner."))
    _require_another_owner(workspace=access.workspace, membership=membership)
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="membership.remove",
        obj=membership,
        before={"user": membership.user.username, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def invitation_create(*, access: Access, email: str, role: str) -> tuple[Invitation, str]:
    """Returns the invitation and the raw token (shown/sent once; only its hash is stored)."""
    access.require(Perm.TEAM_MANAGE)
    if role == Role.OWNER and access.role != Role.OWNER:
        raise DomainError(_("Only an owner can invite an owner."), field="role")
    email = email.strip().lower()
    if Membership.objects.filter(workspace=access.workspace, user__email__iexact=email).exists():
        # An invitation never changes a member's role (invitation_accept refuses it), so the link
        # would be of no use: say so now rather than when the member clicks it.
        raise DomainError(
            _("%(email)s is already a member of this workspace. Change their role in the list below.")
            % {"email": email},
            field="email",
        )
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workspace=access.workspace,
        email=email,
        role=role,
        token_hash=hash_token(raw),
        invited_by=access.user,
        expires_at=now() + INVITATION_TTL,
    )
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="invitation.create",
        obj=invitation,
        after={"email": invitation.email, "role": role},
    )
    return invitation, raw


def invitation_is_for(*, invitation: Invitation, user: User) -> bool:
    """An invitation belongs to the address it was sent to: a link forwarded to someone else is no use."""
    return bool(user.email) and user.email.strip().lower() == invitation.email.strip().lower()


@transaction.atomic
def invitation_accept(*, raw_token: str, user: User) -> Membership:
    """Join the invitation's workspace with its role.

    Refused when the signed-in person's e-mail is not the invited address, and when they already belong
    to the workspace: an invitation adds people, it never changes an existing member's role (a manager
    could otherwise send a "contributor" link to the sole owner and demote them by a click).
    """
    invitation = Invitation.objects.select_for_update().filter(token_hash=hash_token(raw_token)).first()
    if invitation is None or invitation.revoked_at or invitation.accepted_at:
        raise DomainError(_("This invitation is not valid any more. Ask for a new one."))
    if invitation.expires_at < now():
        raise DomainError(_("This invitation has expired. Ask for a new one."))
    if not invitation_is_for(invitation=invitation, user=user):
        raise DomainError(
            "This invitation was sent to a different e-mail address. "
            "Sign in with the address it was sent to, or ask for an invitation to yours."
        )
    if Membership.objects.filter(workspace=invitation.workspace, user=user).exists():
        raise AlreadyMember("You are already a member of this workspace; your role has not changed.")
    invitation.accepted_at = now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    membership = Membership.objects.create(workspace=invitation.workspace, user=user, role=invitation.role)
    audit_record(
        actor=user,
        workspace=invitation.workspace,
        action="invitation.accept",
        obj=membership,
        after={"role": invitation.role},
    )
    return membership


@transaction.atomic
def api_token_create(*, access: Access, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the raw secret, which is shown exactly once."""
    access.require(Perm.API_TOKENS)
    raw = "kop_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        workspace=access.workspace, user=access.user, name=name, prefix=raw[:10], token_hash=hash_token(raw)
    )
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="api_token.create",
        obj=token,
        after={"name": name, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, access: Access, token_id: int) -> None:
    token = ApiToken.objects.filter(workspace=access.workspace, user=access.user, pk=token_id).first()
    if token is None:
        raise DomainError(_("No such token."))
    token.revoked_at = now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit_record(actor=access.user, workspace=access.workspace, action="api_token.revoke", obj=token)
