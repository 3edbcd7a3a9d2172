"""Personal API tokens for the REST API: ``Authorization: Bearer kop_…``.

A token belongs to one person and one workspace; the request then acts as that person's membership in that
workspace, with exactly the permissions of their role. Revoked tokens, tokens of people who left the
workspace and deactivated users all get 401. Only the SHA-256 of a token is stored.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from ninja.security.http import HttpAuthBase

from kopiena.core.clock import now
from kopiena.teams.models import ApiToken, Membership, hash_token
from kopiena.teams.selectors import Access

TOKEN_PREFIX = "kop_"  # noqa: S105 -- a public marker, not a secret
# Writing last_used_at on every call would turn every read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuth(HttpAuthBase):
    """Bearer-token auth for django-ninja. On success ``request.auth`` and ``request.access`` are an Access.

    Unlike ninja's ``HttpBearer`` this never logs the header it refused (it may hold a secret).
    """

    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> Access | None:
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not raw.strip().startswith(TOKEN_PREFIX):
            return None
        access = authenticate_token(raw.strip())
        if access is not None:
            request.access = access
        return access


def authenticate_token(raw: str) -> Access | None:
    """The Access a raw token grants, or None if it is unknown, revoked, or its owner lost the membership."""
    token = (
        ApiToken.objects.select_related("user", "workspace")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    membership = (
        Membership.objects.select_related("workspace", "user")
        .filter(user_id=token.user_id, workspace_id=token.workspace_id)
        .first()
    )
    if membership is None:
        return None
    _touch(token)
    return Access(workspace=membership.workspace, membership=membership)


def _touch(token: ApiToken) -> None:
    moment = now()
    if token.last_used_at is None or moment - token.last_used_at >= LAST_USED_RESOLUTION:
        # A conditional UPDATE, so concurrent requests in the same minute write the row once.
        ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=moment - LAST_USED_RESOLUTION).update(
            last_used_at=moment
        )


def request_access(request: HttpRequest) -> Access:
    """The Access of an authenticated API request (use in every operation of a router)."""
    return request.auth
