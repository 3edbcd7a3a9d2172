"""Google's OAuth 2.0 web-server flow, shared by every Google product connector (YouTube, Business Profile).

https://developers.google.com/identity/protocols/oauth2/web-server — the consent page gives a code; the
code becomes an access token (one hour) and a refresh token, which the connector uses to get new access
tokens by itself. ``access_type=offline`` + ``prompt=consent`` make Google hand out a refresh token even to a
person who allowed Kopiena before (otherwise only the first consent includes one). Each product module
supplies its scopes and its token endpoint (a test server stands in for Google's hosts there); the client
secret and every token travel in POST bodies or headers, never in a URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from kopiena.connectors.errors import PermanentError
from kopiena.connectors.http import HttpClient

# https://developers.google.com/identity/protocols/oauth2/web-server#httprest_1 — the consent page.
AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"


@dataclass(frozen=True)
class GoogleApp:
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    redirect_uri: str = ""
    scopes: str = ""  # space-separated; each product module's GoogleApp sets its own default


@dataclass(frozen=True)
class Tokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)


def authorize_url(app: GoogleApp, *, state: str, authorize_endpoint: str = AUTHORIZE_URL) -> str:
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


def exchange_code(http: HttpClient, app: GoogleApp, *, code: str, token_endpoint: str) -> Tokens:
    """The authorization code from the redirect → access and refresh tokens."""
    http.add_secret(app.client_secret)
    http.add_secret(code)
    body = http.post(
        token_endpoint,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "redirect_uri": app.redirect_uri,
        },
        idempotent=False,  # a code works once
    ).json()
    access, refresh = str(body.get("access_token") or ""), str(body.get("refresh_token") or "")
    http.add_secret(access)
    http.add_secret(refresh)
    if not access or not refresh:
        raise PermanentError("Google did not return an access token with offline access (refresh token).")
    return Tokens(access, refresh)
