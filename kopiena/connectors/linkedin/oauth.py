"""Connecting a LinkedIn Page with LinkedIn's authorization code flow
(https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow): consent → code →
a member token (60 days; a refresh token for approved partner apps) → the organisations the member
administers (``organizationAcls``), of which the person picks one.

Protocol only: the integrations app keeps the client id/secret and the ``state``. Secrets and codes travel
in POST bodies or headers, never in a URL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from kopiena.connectors.errors import PermanentError
from kopiena.connectors.http import HttpClient
from kopiena.connectors.linkedin import constants as c
from kopiena.connectors.linkedin.connector import enc


@dataclass(frozen=True)
class LinkedInApp:
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str = ""
    scopes: tuple[str, ...] = c.OAUTH_SCOPES


@dataclass(frozen=True)
class Tokens:
    access_token: str = field(repr=False)
    expires_at: int = 0
    refresh_token: str = field(default="", repr=False)


def authorize_url(app: LinkedInApp, *, state: str, authorize_base: str = c.OAUTH_AUTHORIZE_URL) -> str:
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uri,
        "state": state,
        "scope": " ".join(app.scopes),
    }
    return authorize_base + "?" + urlencode(query)


def token_url(base_url: str) -> str:
    """LinkedIn's token endpoint, or ``<base_url>/oauth/v2/accessToken`` for another API root (a test server)."""
    base = (base_url or c.DEFAULT_BASE_URL).rstrip("/")
    return c.OAUTH_TOKEN_URL if base == c.DEFAULT_BASE_URL else base + c.OAUTH_TOKEN_PATH


def exchange_code(http: HttpClient, app: LinkedInApp, *, code: str) -> Tokens:
    http.add_secret(app.client_secret)
    answer = http.post(
        token_url(http.base_url),
        data={"grant_type": "authorization_code", "code": code, "client_id": app.client_id,
              "client_secret": app.client_secret, "redirect_uri": app.redirect_uri},
    ).json()  # fmt: skip
    token = answer.get("access_token")
    if not token:
        raise PermanentError("LinkedIn did not return an access token.")
    http.add_secret(str(token))
    if answer.get("refresh_token"):
        http.add_secret(str(answer["refresh_token"]))
    expires_in = int(answer.get("expires_in") or 0)
    return Tokens(
        access_token=str(token),
        expires_at=int(time.time()) + expires_in if expires_in else 0,
        refresh_token=str(answer.get("refresh_token") or ""),
    )


def administered_organizations(http: HttpClient, tokens: Tokens) -> list[tuple[str, str]]:
    """(organisation URN, name) of every Page the member administers."""
    headers = {
        "Authorization": f"Bearer {tokens.access_token}",
        "LinkedIn-Version": c.API_VERSION,
        "X-Restli-Protocol-Version": c.RESTLI_PROTOCOL,
    }
    acls = http.get(
        f"{http.base_url}{c.ORGANIZATION_ACLS}?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED",
        headers=headers,
    ).json()
    found = []
    for row in acls.get("elements") or ():
        urn = str(row.get("organization") or "")
        if not urn:
            continue
        org = http.get(
            f"{http.base_url}{c.ORGANIZATION.format(id=enc(urn.rsplit(':', 1)[-1]))}", headers=headers
        )
        found.append((urn, str(org.json().get("localizedName") or urn)))
    return found
