"""Connecting a YouTube channel with Google OAuth 2.0 (the shared flow in ``connectors.google_oauth``)
with the YouTube scope."""

from __future__ import annotations

from dataclasses import dataclass

from kopiena.connectors import google_oauth
from kopiena.connectors.google_oauth import Tokens, authorize_url
from kopiena.connectors.http import HttpClient
from kopiena.connectors.youtube import constants as api

__all__ = ["GoogleApp", "Tokens", "authorize_url", "exchange_code", "token_url"]


@dataclass(frozen=True)
class GoogleApp(google_oauth.GoogleApp):
    scopes: str = api.SCOPES


def token_url(base_url: str) -> str:
    """Google's token endpoint, or ``<base_url>/token`` for a non-default API root (proxy, test server)."""
    base = (base_url or api.DEFAULT_BASE_URL).rstrip("/")
    return api.TOKEN_URL if base == api.DEFAULT_BASE_URL else base + api.TOKEN_PATH


def exchange_code(http: HttpClient, app: GoogleApp, *, code: str, base_url: str = "") -> Tokens:
    """The authorization code from the redirect → access and refresh tokens."""
    return google_oauth.exchange_code(http, app, code=code, token_endpoint=token_url(base_url))
