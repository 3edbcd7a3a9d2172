"""REST: read the communication policy, check YAML, save a new version, list versions.

Reading is open to every member (as in the UI); saving needs ``policy.edit``. An invalid document is
answered 400 with every error (path, line, message) and nothing is saved.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from ninja import Router, Schema, Status

from kopiena.core.auth_api import request_access
from kopiena.policy.selectors import (
    policy_current,
    policy_current_version,
    policy_export_yaml,
    policy_versions,
)
from kopiena.policy.services import policy_import_yaml
from kopiena.policy.yaml_io import PolicyError, PolicyInvalid, check_policy

router = Router(tags=["policy"])


class PolicyOut(Schema):
    version: int | None  # null: no version saved yet, the defaults apply
    document: dict


class YamlIn(Schema):
    yaml: str
    summary: str = ""


class PolicyErrorOut(Schema):
    path: str
    line: int | None
    message: str


class CheckOut(Schema):
    valid: bool
    errors: list[PolicyErrorOut]


class PolicyRefusedOut(Schema):
    detail: str
    code: str
    errors: list[PolicyErrorOut]


class VersionOut(Schema):
    number: int
    author: str | None
    summary: str
    created_at: datetime


def _errors(errors: list[PolicyError]) -> list[PolicyErrorOut]:
    return [PolicyErrorOut(path=e.path, line=e.line, message=e.message) for e in errors]


@router.get("", response=PolicyOut, summary="The current policy document (the defaults if none was saved)")
def policy_get(request):
    workspace = request_access(request).workspace
    version = policy_current_version(workspace=workspace)
    return PolicyOut(
        version=version.number if version else None, document=policy_current(workspace=workspace).to_data()
    )


@router.get("/yaml", summary="The current policy as canonical YAML")
def policy_get_yaml(request):
    text = policy_export_yaml(workspace=request_access(request).workspace)
    return HttpResponse(text, content_type="application/yaml; charset=utf-8")


@router.post("/check", response=CheckOut, summary="Validate YAML; every error with its field path and line")
def policy_check(request, payload: YamlIn):
    request_access(request)
    errors = check_policy(payload.yaml)
    return CheckOut(valid=not errors, errors=_errors(errors))


@router.put(
    "",
    response={200: VersionOut, 400: PolicyRefusedOut},
    summary="Save YAML as the next version (needs policy.edit)",
)
def policy_put(request, payload: YamlIn):
    access = request_access(request)
    try:
        version = policy_import_yaml(access=access, text=payload.yaml, summary=payload.summary)
    except PolicyInvalid as exc:
        return Status(
            400,
            PolicyRefusedOut(
                detail="The policy has errors; nothing was saved.",
                code="policy_invalid",
                errors=_errors(exc.errors),
            ),
        )
    return Status(200, _version_out(version))


@router.get("/versions", response=list[VersionOut], summary="Saved versions, newest first")
def policy_versions_get(request):
    return [_version_out(v) for v in policy_versions(access=request_access(request))[:200]]


def _version_out(version) -> VersionOut:
    return VersionOut(
        number=version.number,
        author=version.author.username if version.author else None,
        summary=version.summary,
        created_at=version.created_at,
    )
