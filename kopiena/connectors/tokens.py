"""Reading an OAuth 2.0 token answer (RFC 6749 §5.1) the same way in every connector that renews its own
access: the new access token — and a rotated refresh token, where the platform rotates them — go on the
HTTP client's redaction list at once (they must never reach a log) and come back with the credential fields
the account stores for the next run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kopiena.connectors.http import HttpClient


@dataclass(frozen=True)
class RenewedAccess:
    token: str
    expires_at: float  # the connector's clock; 0 when the platform gave no lifetime and no default applies
    refresh_token: str  # "" when the platform keeps the old one
    changed: dict[str, str]  # credential fields to store (Connector.updated_secrets)


def renewed_access(
    http: HttpClient, answer: dict[str, Any], *, now: float, default_lifetime: float, expires_field: str
) -> RenewedAccess | None:
    """``answer`` is the token endpoint's JSON; None when it holds no access token."""
    token = str(answer.get("access_token") or "")
    if not token:
        return None
    http.add_secret(token)
    lifetime = float(answer.get("expires_in") or default_lifetime)
    expires_at = now + lifetime if lifetime else 0.0
    changed = {"access_token": token, expires_field: f"{expires_at:.0f}"}
    refresh = str(answer.get("refresh_token") or "")
    if refresh:
        http.add_secret(refresh)
        changed["refresh_token"] = refresh
    return RenewedAccess(token=token, expires_at=expires_at, refresh_token=refresh, changed=changed)
