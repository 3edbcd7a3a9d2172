"""REST: who am I, the token's workspace, its members."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from kopiena.core.auth_api import request_access
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import members_of

router = Router(tags=["workspace"])


class MeOut(Schema):
    id: int
    username: str
    email: str
    full_name: str
    language: str
    role: str
    workspace: str
    permissions: list[str]


class WorkspaceOut(Schema):
    id: int
    slug: str
    name: str
    timezone: str
    country: str
    languages: list[str]
    created_at: datetime


class MemberOut(Schema):
    id: int
    user_id: int
    username: str
    full_name: str
    role: str
    joined_at: datetime


@router.get("/me", response=MeOut, summary="The token's owner and their role in the token's workspace")
def me(request):
    access = request_access(request)
    user = access.user

    return MeOut(
        id=user.pk,
        username=user.username,
        email=user.email,
        full_name=user.get_full_name(),
        language=user.language,
        role=access.role,
        workspace=access.workspace.slug,
        permissions=sorted(perm.value for perm in Perm if access.can(perm)),
    )


@router.get("/workspace", response=WorkspaceOut, summary="The workspace this token acts in")
def workspace(request):
    return request_access(request).workspace


@router.get("/members", response=list[MemberOut], summary="Members of the workspace and their roles")
def members(request):
    access = request_access(request)
    return [
        MemberOut(
            id=m.pk,
            user_id=m.user_id,
            username=m.user.username,
            full_name=m.user.get_full_name(),
            role=m.role,
            joined_at=m.created_at,
        )
        for m in members_of(workspace=access.workspace)
    ]
