"""Connecting a Google Business Profile location with Google's OAuth 2.0 web-server flow:
consent (offline access, so Google gives a refresh token) → code → tokens → the locations the person
manages (the integrations app lets them pick one).

Protocol only: the integrations app keeps the client id/secret (settings), the ``state`` and the choice.
The client secret and every token travel in POST bodies or headers, never in a URL.
https://developers.google.com/identity/protocols/oauth2/web-server
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from kopiena.connectors.errors import PermanentError
from kopiena.connectors.google_business import constants as api
from kopiena.connectors.google_business.connector import GoogleBusinessConnector
from kopiena.connectors.http import HttpClient
from kopiena.connectors.types import AccountCredentials


@dataclass(frozen=True)
class GoogleApp:
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str = ""


@dataclass(frozen=True)
class Tokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)


def authorize_url(app: GoogleApp, *, state: str) -> str:
    query = {
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uri,
        "response_type": "code",
        "scope": api.SCOPE,
        "state": state,
        # offline + consent: Google returns a refresh token (also when the person signed in before)
        "access_type": "offline",
        "prompt": "consent",
        "include_granted_scopes": "true",
    }
    return api.AUTHORIZE_URL + "?" + urlencode(query)


def token_url(base_url: str) -> str:
    """Google's token endpoint, or the same path on a test server standing in for every Google host."""
    host, path = api.TOKEN
    if base_url.rstrip("/") == GoogleBusinessConnector.default_base_url:
        return f"https://{host}{path}"
    return f"{base_url.rstrip('/')}{path}"


def exchange_code(http: HttpClient, app: GoogleApp, *, code: str) -> Tokens:
    http.add_secret(app.client_secret)
    body = http.post(
        token_url(http.base_url),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "redirect_uri": app.redirect_uri,
        },
    ).json()
    access, refresh = str(body.get("access_token") or ""), str(body.get("refresh_token") or "")
    http.add_secret(access)
    http.add_secret(refresh)
    if not access or not refresh:
        raise PermanentError("Google did not return an access and a refresh token.")
    return Tokens(access, refresh)


def managed_locations(
    app: GoogleApp, tokens: Tokens, *, base_url: str, **network: bool
) -> list[tuple[str, str]]:
    """(``accounts/…/locations/…``, title) for every location the signed-in person manages."""
    credentials = AccountCredentials(
        {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        },
        base_url=base_url,
    )
    with GoogleBusinessConnector(credentials, **network) as connector:
        return connector.list_locations()
