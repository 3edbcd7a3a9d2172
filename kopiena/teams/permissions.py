"""The one table that says who may do what. Views, APIs and services all ask ``role_can``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.teams.models import Role


class Perm(models.TextChoices):
    WORKSPACE_MANAGE = "workspace.manage", _("Change workspace settings")
    TEAM_MANAGE = "team.manage", _("Invite people and change roles")
    ACCOUNT_CONNECT = "account.connect", _("Connect and disconnect social accounts")
    POLICY_EDIT = "policy.edit", _("Edit the communication policy")
    POST_DRAFT = "post.draft", _("Draft posts and submit them for review")
    POST_APPROVE = "post.approve", _("Approve or send back posts")
    POST_SCHEDULE = "post.schedule", _("Schedule and reschedule posts")
    POLICY_OVERRIDE = "policy.override", _("Override a cadence, mix or link rule with a reason")
    INBOX_READ = "inbox.read", _("Read the inbox")
    INBOX_REPLY = "inbox.reply", _("Reply to comments and messages")
    INBOX_ASSIGN = "inbox.assign", _("Assign conversations")
    INBOX_MODERATE = "inbox.moderate", _("Hide spam and moderate")
    LISTENING_MANAGE = "listening.manage", _("Manage listening queries and competitors")
    ANALYTICS_READ = "analytics.read", _("See analytics and reports")
    CONTESTS_MANAGE = "contests.manage", _("Run contests and draws")
    AUDIT_READ = "audit.read", _("Read the audit log")
    API_TOKENS = "api.tokens", _("Create personal API tokens")


_EVERYONE = {Perm.POST_DRAFT, Perm.INBOX_READ, Perm.API_TOKENS}
_MODERATION = {Perm.INBOX_REPLY, Perm.INBOX_ASSIGN, Perm.INBOX_MODERATE}
_PLANNING = {
    Perm.POST_APPROVE,
    Perm.POST_SCHEDULE,
    Perm.POLICY_OVERRIDE,
    Perm.LISTENING_MANAGE,
    Perm.CONTESTS_MANAGE,
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.OWNER: frozenset(Perm),
    Role.MANAGER: frozenset(
        _EVERYONE
        | _MODERATION
        | _PLANNING
        | {Perm.TEAM_MANAGE, Perm.ACCOUNT_CONNECT, Perm.POLICY_EDIT, Perm.ANALYTICS_READ, Perm.AUDIT_READ}
    ),
    Role.MODERATOR: frozenset(_EVERYONE | _MODERATION | {Perm.LISTENING_MANAGE}),
    Role.CONTRIBUTOR: frozenset(_EVERYONE),
    Role.ANALYST: frozenset({Perm.INBOX_READ, Perm.ANALYTICS_READ, Perm.API_TOKENS, Perm.AUDIT_READ}),
}


def role_can(role: str, perm: Perm | str) -> bool:
    return Perm(perm) in ROLE_PERMISSIONS.get(role, frozenset())
