"""Connecting a Mastodon account: register our app on the instance, send the person to authorize,
exchange the code for a token (https://docs.joinmastodon.org/client/token/).

The integrations app stores ``AppRegistration`` per instance (client id/secret are secrets too) and
the access token in the account's encrypted Credential as ``{"access_token": …}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from kopiena.connectors.errors import PermanentError
from kopiena.connectors.http import HttpClient
from kopiena.connectors.mastodon import constants as api


@dataclass(frozen=True)
class AppRegistration:
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    redirect_uri: str = ""
    scopes: str = api.SCOPES


def register_app(
    http: HttpClient, *, client_name: str, redirect_uri: str, scopes: str = api.SCOPES, website: str = ""
) -> AppRegistration:
    """POST /api/v1/apps on the instance ``http`` points at."""
    data = {"client_name": client_name, "redirect_uris": redirect_uri, "scopes": scopes}
    if website:
        data["website"] = website
    body = http.post(api.APPS, data=data).json()
    http.add_secret(body.get("client_secret", ""))
    try:
        return AppRegistration(body["client_id"], body["client_secret"], redirect_uri, scopes)
    except KeyError:
        raise PermanentError("The instance did not return client credentials.") from None


def authorize_url(
    base_url: str, app: AppRegistration, *, state: str, force_login: bool = False, lang: str = ""
) -> str:
    """Where to send the person's browser. ``state`` must be checked on the way back (CSRF)."""
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": app.redirect_uri,
        "scope": app.scopes,
        "state": state,
    }
    if force_login:
        params["force_login"] = "true"
    if lang:
        params["lang"] = lang
    return f"{base_url.rstrip('/')}{api.OAUTH_AUTHORIZE}?{urlencode(params)}"


def exchange_code(http: HttpClient, app: AppRegistration, *, code: str) -> str:
    """The authorization code from the redirect → an access token (Mastodon tokens don't expire)."""
    http.add_secret(app.client_secret)
    http.add_secret(code)
    body = http.post(
        api.OAUTH_TOKEN,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "redirect_uri": app.redirect_uri,
            "scope": app.scopes,
        },
        idempotent=False,
    ).json()
    token = body.get("access_token")
    http.add_secret(token or "")
    if not token:
        raise PermanentError("The instance did not return an access token.")
    return token


def revoke_token(http: HttpClient, app: AppRegistration, *, token: str) -> None:
    http.add_secret(app.client_secret)
    http.add_secret(token)
    http.post(
        api.OAUTH_REVOKE,
        data={"client_id": app.client_id, "client_secret": app.client_secret, "token": token},
        idempotent=True,  # revoking twice is harmless
    )
