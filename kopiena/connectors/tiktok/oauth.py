"""Connecting a TikTok account with TikTok's Login Kit for web
(https://developers.tiktok.com/doc/login-kit-web, .../oauth-user-access-token-management): consent → code →
an access token (24 hours), a refresh token (365 days) and the user's ``open_id``.

Protocol only: the integrations app keeps the client key/secret and the ``state``. Secrets travel in POST
bodies, never in a URL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from kopiena.connectors.errors import PermanentError
from kopiena.connectors.http import HttpClient
from kopiena.connectors.tiktok import constants as c


@dataclass(frozen=True)
class TikTokApp:
    client_key: str
    client_secret: str = field(repr=False)
    redirect_uri: str = ""
    scopes: tuple[str, ...] = c.OAUTH_SCOPES


@dataclass(frozen=True)
class Tokens:
    open_id: str
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: int = 0


def authorize_url(app: TikTokApp, *, state: str, authorize_base: str = c.OAUTH_AUTHORIZE_URL) -> str:
    query = {
        "client_key": app.client_key,
        "scope": ",".join(app.scopes),
        "response_type": "code",
        "redirect_uri": app.redirect_uri,
        "state": state,
    }
    return authorize_base + "?" + urlencode(query)


def exchange_code(http: HttpClient, app: TikTokApp, *, code: str) -> Tokens:
    http.add_secret(app.client_secret)
    answer = http.post(
        f"{http.base_url}{c.OAUTH_TOKEN_PATH}",
        data={"client_key": app.client_key, "client_secret": app.client_secret, "code": code,
              "grant_type": "authorization_code", "redirect_uri": app.redirect_uri},
    ).json()  # fmt: skip
    if not answer.get("access_token") or not answer.get("refresh_token"):
        raise PermanentError(
            f"TikTok did not return the tokens: {answer.get('error_description') or answer.get('error')}"
        )
    http.add_secret(str(answer["access_token"]))
    http.add_secret(str(answer["refresh_token"]))
    return Tokens(
        open_id=str(answer.get("open_id") or ""),
        access_token=str(answer["access_token"]),
        refresh_token=str(answer["refresh_token"]),
        expires_at=int(time.time()) + int(answer.get("expires_in") or 86400),
    )
