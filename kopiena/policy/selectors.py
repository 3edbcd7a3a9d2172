"""Reads of the policy. ``policy_current`` is what every other app calls to get the rules."""

from __future__ import annotations

import difflib

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kopiena.core.business_time import BusinessCalendar
from kopiena.core.zones import zone_name_of
from kopiena.policy.defaults import DEFAULT_DATA, default_policy
from kopiena.policy.models import PolicyVersion
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.yaml_io import dump_yaml
from kopiena.teams.models import Workspace
from kopiena.teams.selectors import Access

# The current document is cached on the Workspace instance; a request resolves its workspace once, so this
# is a per-request cache that can never serve another request a stale policy.
_CACHE_ATTR = "_kopiena_policy_current"


def remember_current(workspace: Workspace, document: PolicyDocument) -> None:
    setattr(workspace, _CACHE_ATTR, document)


def policy_current_version(*, workspace: Workspace) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(workspace=workspace).order_by("-number").first()


def policy_current(*, workspace: Workspace) -> PolicyDocument:
    """The workspace's current policy; the SEED.md defaults when none has been saved yet."""
    cached = getattr(workspace, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    version = policy_current_version(workspace=workspace)
    document = PolicyDocument.model_validate(version.data) if version else default_policy()
    remember_current(workspace, document)
    return document


def policy_current_data(*, workspace: Workspace | None) -> dict:
    """Plain data of the current policy (the defaults for ``workspace=None``)."""
    if workspace is None:
        return PolicyDocument.model_validate(DEFAULT_DATA).to_data()
    return policy_current(workspace=workspace).to_data()


def business_calendar_for(*, workspace: Workspace) -> BusinessCalendar:
    """The policy's business hours as a ``core.business_time`` calendar (SLA clocks, "within working
    hours"); the workspace's time zone and country fill in where the policy leaves them empty."""
    hours = policy_current(workspace=workspace).engagement.business_hours
    return BusinessCalendar.build(
        timezone=zone_name_of(hours.timezone, workspace.timezone),
        country=hours.country or workspace.country or None,
        weekly={day: [(w.start, w.end) for w in windows] for day, windows in hours.weekly.items()},
        closed_dates=hours.closed_dates,
        open_dates={o.date: [(w.start, w.end) for w in o.windows] for o in hours.open_dates},
    )


def policy_export_yaml(*, workspace: Workspace) -> str:
    return dump_yaml(policy_current(workspace=workspace))


def policy_versions(*, access: Access) -> QuerySet[PolicyVersion]:
    return (
        PolicyVersion.objects.filter(workspace=access.workspace).select_related("author").order_by("-number")
    )


def access_policy_version(*, access: Access, number: int) -> PolicyVersion:
    """Version ``number`` of the access's workspace, or 404 (also for another workspace's versions)."""
    version = policy_versions(access=access).filter(number=number).first()
    if version is None:
        raise Http404
    return version


def changed_sections(before: dict, after: dict) -> list[str]:
    """Dotted names of the sections (``publishing.cadence``…) whose content differs."""
    changed = []
    for part in sorted(set(before) | set(after)):
        old, new = before.get(part), after.get(part)
        if isinstance(old, dict) and isinstance(new, dict):
            changed += [f"{part}.{name}" for name in new if old.get(name) != new.get(name)]
            changed += [f"{part}.{name}" for name in old if name not in new]
        elif old != new:
            changed.append(part)
    return changed


def _label(version: PolicyVersion | None) -> str:
    if version is None:
        return _("defaults")
    author = version.author.username if version.author else _("system")
    return _("version %(number)s by %(author)s, %(when)s") % {
        "number": version.number,
        "author": author,
        "when": version.created_at.strftime("%Y-%m-%d %H:%M UTC"),
    }


def policy_diff(*, older: PolicyVersion | None, newer: PolicyVersion) -> str:
    """Unified diff of the canonical YAML of two versions (``older=None``: against the defaults)."""
    old_text = older.yaml if older is not None else dump_yaml(default_policy())
    lines = difflib.unified_diff(
        old_text.splitlines(keepends=True),
        newer.yaml.splitlines(keepends=True),
        fromfile=_label(older),
        tofile=_label(newer),
        n=3,
    )
    return "".join(lines)
