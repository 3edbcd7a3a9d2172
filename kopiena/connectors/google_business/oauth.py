"""Connecting a Google Business Profile location with Google's OAuth 2.0 web-server flow (shared in
``connectors.google_oauth``):
consent (offline access, so Google gives a refresh token) → code → tokens → the locations the person
manages (the integrations app lets them pick one).

Protocol only: the integrations app keeps the client id/secret (settings), the ``state`` and the choice.
The client secret and every token travel in POST bodies or headers, never in a URL.
https://developers.google.com/identity/protocols/oauth2/web-server
"""

from __future__ import annotations

from dataclasses import dataclass

from kopiena.connectors import google_oauth
from kopiena.connectors.google_business import constants as api
from kopiena.connectors.google_business.connector import GoogleBusinessConnector
from kopiena.connectors.google_oauth import Tokens, authorize_url
from kopiena.connectors.http import HttpClient
from kopiena.connectors.types import AccountCredentials

__all__ = ["GoogleApp", "Tokens", "authorize_url", "exchange_code", "managed_locations", "token_url"]


@dataclass(frozen=True)
class GoogleApp(google_oauth.GoogleApp):
    scopes: str = api.SCOPE


def token_url(base_url: str) -> str:
    """Google's token endpoint, or the same path on a test server standing in for every Google host."""
    host, path = api.TOKEN
    if base_url.rstrip("/") == GoogleBusinessConnector.default_base_url:
        return f"https://{host}{path}"
    return f"{base_url.rstrip('/')}{path}"


def exchange_code(http: HttpClient, app: GoogleApp, *, code: str) -> Tokens:
    return google_oauth.exchange_code(http, app, code=code, token_endpoint=token_url(http.base_url))


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
