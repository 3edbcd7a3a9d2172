"""Connecting an X account with OAuth 2.0 Authorization Code and PKCE
(https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code): consent → code (+ the PKCE
verifier) → an access token (two hours) and a single-use refresh token (scope ``offline.access``).

Protocol only: the integrations app keeps the client id/secret and the ``state`` (and derives the verifier
from it). The client secret travels in the Basic authorization header, codes in POST bodies.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from kopiena.connectors.errors import PermanentError
from kopiena.connectors.http import HttpClient
from kopiena.connectors.x import constants as c


@dataclass(frozen=True)
class XApp:
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str = ""
    scopes: tuple[str, ...] = c.OAUTH_SCOPES


@dataclass(frozen=True)
class Tokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: int = 0


def code_challenge(verifier: str) -> str:
    """S256: base64url(sha256(verifier)) without padding (RFC 7636)."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def authorize_url(
    app: XApp, *, state: str, verifier: str, authorize_base: str = c.OAUTH_AUTHORIZE_URL
) -> str:
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uri,
        "scope": " ".join(app.scopes),
        "state": state,
        "code_challenge": code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    return authorize_base + "?" + urlencode(query)


def exchange_code(http: HttpClient, app: XApp, *, code: str, verifier: str) -> Tokens:
    basic = base64.b64encode(f"{app.client_id}:{app.client_secret}".encode()).decode()
    http.add_secret(app.client_secret)
    http.add_secret(basic)
    answer = http.post(
        f"{http.base_url}{c.OAUTH_TOKEN_PATH}",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": app.redirect_uri,
              "code_verifier": verifier, "client_id": app.client_id},
        headers={"Authorization": f"Basic {basic}"},
    ).json()  # fmt: skip
    if not answer.get("access_token") or not answer.get("refresh_token"):
        raise PermanentError("X did not return the tokens (is offline.access allowed for the app?).")
    http.add_secret(str(answer["access_token"]))
    http.add_secret(str(answer["refresh_token"]))
    return Tokens(
        access_token=str(answer["access_token"]),
        refresh_token=str(answer["refresh_token"]),
        expires_at=int(time.time()) + int(answer.get("expires_in") or 7200),
    )
