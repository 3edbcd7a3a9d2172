"""Connecting Facebook Pages and Instagram accounts with Meta's login dialog (manual flow):
consent → code → user token → long-lived user token → the Pages the person manages, each with its own
Page token that does not expire, and the Instagram account linked to it.

Protocol only: the integrations app keeps the Meta app id/secret, the ``state`` and the choice of Page.
The app secret and every token travel in POST bodies or headers, never in a URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from kopiena.connectors.errors import PermanentError
from kopiena.connectors.facebook import constants as c
from kopiena.connectors.http import HttpClient


@dataclass(frozen=True)
class MetaApp:
    app_id: str
    app_secret: str = field(repr=False)
    redirect_uri: str = ""
    scopes: tuple[str, ...] = c.OAUTH_SCOPES


@dataclass(frozen=True)
class ManagedPage:
    """A Page the person manages: its Page token is what the Facebook/Instagram connectors need."""

    id: str
    name: str
    access_token: str = field(repr=False)
    instagram_id: str = ""
    instagram_username: str = ""


def authorize_url(app: MetaApp, *, state: str) -> str:
    query = {
        "client_id": app.app_id,
        "redirect_uri": app.redirect_uri,
        "state": state,
        "response_type": "code",
        "scope": ",".join(app.scopes),
    }
    return c.OAUTH_DIALOG_URL.format(version=c.API_VERSION) + "?" + urlencode(query)


def exchange_code(http: HttpClient, app: MetaApp, *, code: str) -> str:
    """The code → a short-lived user token → a long-lived (about 60 days) user token."""
    base = f"{http.base_url}/{c.API_VERSION}{c.OAUTH_ACCESS_TOKEN}"
    http.add_secret(app.app_secret)
    short = _token(
        http.post(base, data={"client_id": app.app_id, "client_secret": app.app_secret,
                              "redirect_uri": app.redirect_uri, "code": code}).json()
    )  # fmt: skip
    http.add_secret(short)
    long_lived = _token(
        http.post(base, data={"grant_type": "fb_exchange_token", "client_id": app.app_id,
                              "client_secret": app.app_secret, "fb_exchange_token": short}).json()
    )  # fmt: skip
    http.add_secret(long_lived)
    return long_lived


def managed_pages(http: HttpClient, *, user_token: str) -> list[ManagedPage]:
    """Pages the person can manage, with their (non-expiring) Page tokens and linked Instagram accounts."""
    answer = http.get(
        f"{http.base_url}/{c.API_VERSION}{c.ME_ACCOUNTS}",
        params={"fields": "id,name,access_token,instagram_business_account{id,username}", "limit": 100},
        headers={"Authorization": f"Bearer {user_token}"},
        idempotent=True,
    ).json()
    pages = []
    for page in answer.get("data") or ():
        http.add_secret(page.get("access_token", ""))
        instagram = page.get("instagram_business_account") or {}
        pages.append(
            ManagedPage(
                id=str(page["id"]),
                name=page.get("name", ""),
                access_token=page.get("access_token", ""),
                instagram_id=str(instagram.get("id", "")),
                instagram_username=instagram.get("username", ""),
            )
        )
    return pages


def _token(body: dict) -> str:
    token = body.get("access_token")
    if not token:
        raise PermanentError("Meta did not return an access token.")
    return str(token)
