"""Connecting a Threads profile with Meta's Threads authorization window
(https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions):
consent → code → short-lived token (an hour) → long-lived token (about 60 days, refreshed by the connector).

Protocol only: the integrations app keeps the Threads app id/secret and the ``state``. The app secret,
the codes and the tokens travel in POST bodies or headers, never in a URL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from kopiena.connectors.errors import PermanentError
from kopiena.connectors.http import HttpClient
from kopiena.connectors.threads import constants as c


@dataclass(frozen=True)
class ThreadsApp:
    app_id: str
    app_secret: str = field(repr=False)
    redirect_uri: str = ""
    scopes: tuple[str, ...] = c.OAUTH_SCOPES


@dataclass(frozen=True)
class ThreadsToken:
    user_id: str
    access_token: str = field(repr=False)
    expires_at: int = 0


def authorize_url(app: ThreadsApp, *, state: str, authorize_base: str = c.OAUTH_AUTHORIZE_URL) -> str:
    query = {
        "client_id": app.app_id,
        "redirect_uri": app.redirect_uri,
        "scope": ",".join(app.scopes),
        "response_type": "code",
        "state": state,
    }
    return authorize_base + "?" + urlencode(query)


def exchange_code(http: HttpClient, app: ThreadsApp, *, code: str) -> ThreadsToken:
    """The code → a short-lived token → a long-lived one, with the profile's Threads user id."""
    http.add_secret(app.app_secret)
    short = http.post(
        f"{http.base_url}{c.OAUTH_ACCESS_TOKEN_PATH}",
        data={"client_id": app.app_id, "client_secret": app.app_secret, "grant_type": "authorization_code",
              "redirect_uri": app.redirect_uri, "code": code},
    ).json()  # fmt: skip
    short_token, user_id = _token(short), str(short.get("user_id") or "")
    http.add_secret(short_token)
    # Meta documents a GET with the secret and token in the query; Graph takes the same parameters in a
    # POST body (as connectors.facebook.oauth does), which keeps them out of URLs and logs.
    long_lived = http.post(
        f"{http.base_url}{c.LONG_LIVED_TOKEN_PATH}",
        data={
            "grant_type": "th_exchange_token",
            "client_secret": app.app_secret,
            "access_token": short_token,
        },
    ).json()
    token = _token(long_lived)
    http.add_secret(token)
    expires_in = int(long_lived.get("expires_in") or 0)
    return ThreadsToken(
        user_id=user_id, access_token=token, expires_at=int(time.time()) + expires_in if expires_in else 0
    )


def _token(body: dict) -> str:
    token = body.get("access_token")
    if not token:
        raise PermanentError("Threads did not return an access token.")
    return str(token)
