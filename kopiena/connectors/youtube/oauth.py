"""Connecting a YouTube channel with Google OAuth 2.0 (authorization code, offline access).

https://developers.google.com/identity/protocols/oauth2/web-server — the consent page gives a code; the
code becomes an access token (one hour) and a refresh token, which the connector uses to get new access
tokens by itself. ``prompt=consent`` makes Google hand out a refresh token even to a person who already
allowed Kopiena once (otherwise only the first consent includes one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from kopiena.connectors.errors import PermanentError
from kopiena.connectors.http import HttpClient
from kopiena.connectors.youtube import constants as api


@dataclass(frozen=True)
class GoogleApp:
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    redirect_uri: str = ""
    scopes: str = api.SCOPES


@dataclass(frozen=True)
class Tokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)


def token_url(base_url: str) -> str:
    """Google's token endpoint, or ``<base_url>/token`` for a non-default API root (proxy, test server)."""
    base = (base_url or api.DEFAULT_BASE_URL).rstrip("/")
    return api.TOKEN_URL if base == api.DEFAULT_BASE_URL else base + api.TOKEN_PATH


def authorize_url(app: GoogleApp, *, state: str, authorize_endpoint: str = api.AUTHORIZE_URL) -> str:
    """Where to send the person's browser. ``state`` must be checked on the way back (CSRF)."""
    params = {
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uri,
        "response_type": "code",
        "scope": app.scopes,
        "access_type": "offline",
        "prompt": "consent",
        "include_granted_scopes": "true",
        "state": state,
    }
    return f"{authorize_endpoint}?{urlencode(params)}"


def exchange_code(http: HttpClient, app: GoogleApp, *, code: str, base_url: str = "") -> Tokens:
    """The authorization code from the redirect → access and refresh tokens."""
    http.add_secret(app.client_secret)
    http.add_secret(code)
    body = http.post(
        token_url(base_url),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "redirect_uri": app.redirect_uri,
        },
        idempotent=False,  # a code works once
    ).json()
    access, refresh = body.get("access_token") or "", body.get("refresh_token") or ""
    http.add_secret(access)
    http.add_secret(refresh)
    if not access or not refresh:
        raise PermanentError("Google did not return an access token with offline access (refresh token).")
    return Tokens(access, refresh)
