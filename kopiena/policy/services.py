"""Writes to the policy: every save is a new PolicyVersion (never an update) and an audit event."""

from __future__ import annotations

import json

from django.db import transaction
from django.utils.translation import gettext as _

from kopiena.audit.services import audit_record
from kopiena.policy.models import PolicyVersion
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import changed_sections, policy_current_data, remember_current
from kopiena.policy.yaml_io import dump_yaml, parse_policy
from kopiena.teams.models import User, Workspace
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access


@transaction.atomic
def policy_save(
    *,
    access: Access | None,
    document: PolicyDocument,
    author: User | None = None,
    summary: str = "",
    workspace: Workspace | None = None,
) -> PolicyVersion:
    """Save ``document`` as the workspace's next policy version.

    ``access`` must hold ``Perm.POLICY_EDIT``; the author defaults to its user. ``access`` is None only for
    operator tools (``kopiena policy import``), which then name ``workspace`` (and optionally ``author``).
    An empty ``summary`` becomes the list of sections that changed.
    """
    if access is not None:
        access.require(Perm.POLICY_EDIT)
        workspace = access.workspace
        author = author or access.user
    if workspace is None:
        raise ValueError("policy_save needs access or workspace")
    # Lock the workspace row so two saves cannot take the same version number.
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
    previous = PolicyVersion.objects.filter(workspace=workspace).order_by("-number").first()
    previous_data = previous.data if previous else policy_current_data(workspace=None)
    data = document.to_data()
    changed = changed_sections(previous_data, data)
    if not summary.strip():
        summary = (
            (_("Changed: %(sections)s") % {"sections": ", ".join(changed)}) if changed else _("No changes")
        )
    version = PolicyVersion.objects.create(
        workspace=workspace,
        number=(previous.number + 1) if previous else 1,
        author=author,
        document_json=json.dumps(data, ensure_ascii=False),
        yaml=dump_yaml(document),
        summary=summary.strip()[:300],
    )
    audit_record(
        actor=author,
        action="policy.save",
        workspace=workspace,
        obj=version,
        before={"version": previous.number if previous else None},
        after={"version": version.number, "summary": version.summary, "changed": changed},
    )
    remember_current(workspace, document)
    return version


def policy_import_yaml(
    *,
    access: Access | None,
    text: str,
    author: User | None = None,
    summary: str = "",
    workspace: Workspace | None = None,
) -> PolicyVersion:
    """Validate YAML ``text`` and save it as a new version. Raises ``PolicyInvalid`` (listing every error
    with its field path and line) before anything is written."""
    if access is not None:
        access.require(Perm.POLICY_EDIT)
    document = parse_policy(text)
    return policy_save(access=access, document=document, author=author, summary=summary, workspace=workspace)
