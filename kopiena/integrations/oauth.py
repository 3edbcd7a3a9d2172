"""The OAuth redirect flow for platforms whose connector is ``ConnectKind.OAUTH``.

1. ``oauth_begin``: a random ``state`` is stored in the person's session together with the workspace,
   platform and server it is for; the browser goes to the platform's consent page.
2. The platform redirects to ``/integrations/oauth/<platform>/callback/?code=…&state=…``.
3. ``oauth_complete``: the state must be in *this* session, unused and younger than ten minutes (CSRF:
   another site cannot finish a flow it did not start in your browser); the person must still be allowed
   to connect accounts in that workspace. The code becomes a token, the token is checked with the
   platform, and the account is connected like any other.

Each platform's protocol details live in its connector package (e.g. ``connectors.mastodon.oauth``);
``PROVIDERS`` below adapts them. A platform without an adapter offers only the token form.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from kopiena.connectors.errors import ConnectorError
from kopiena.connectors.http import HttpClient
from kopiena.connectors.mastodon import oauth as mastodon_oauth
from kopiena.core.errors import DomainError
from kopiena.integrations.connecting import allow_loopback
from kopiena.integrations.crypto import decrypt_secret, encrypt_secret
from kopiena.integrations.models import ConnectedAccount, OAuthApp
from kopiena.integrations.services import account_connect_checked, clean_base_url
from kopiena.teams.models import User
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access, access_workspace

STATE_SESSION_KEY = "kopiena_oauth"
STATE_TTL_SECONDS = 600


def redirect_uri(platform: str) -> str:
    return settings.BASE_URL.rstrip("/") + reverse("oauth_callback", kwargs={"platform": platform})


def _http(base_url: str) -> HttpClient:
    return HttpClient(base_url=base_url, account_key=f"oauth:{base_url}", allow_loopback=allow_loopback())


class MastodonProvider:
    """Mastodon (any instance): our app is registered on the instance on first use and remembered."""

    def _app(self, base_url: str) -> mastodon_oauth.AppRegistration:
        uri = redirect_uri("mastodon")
        stored = OAuthApp.objects.filter(platform="mastodon", base_url=base_url, redirect_uri=uri).first()
        if stored is None:
            app = mastodon_oauth.register_app(
                _http(base_url), client_name="Kopiena", redirect_uri=uri, website=settings.BASE_URL
            )
            try:
                with transaction.atomic():
                    stored = OAuthApp.objects.create(
                        platform="mastodon",
                        base_url=base_url,
                        redirect_uri=uri,
                        ciphertext=encrypt_secret(
                            {
                                "client_id": app.client_id,
                                "client_secret": app.client_secret,
                                "scopes": app.scopes,
                            }
                        ),
                    )
            except IntegrityError:  # another request registered the same app meanwhile: use that one
                stored = OAuthApp.objects.get(platform="mastodon", base_url=base_url, redirect_uri=uri)
        data = decrypt_secret(stored.ciphertext)
        return mastodon_oauth.AppRegistration(data["client_id"], data["client_secret"], uri, data["scopes"])

    def authorize_url(self, *, base_url: str, state: str) -> str:
        return mastodon_oauth.authorize_url(base_url, self._app(base_url), state=state)

    def exchange(self, *, base_url: str, code: str) -> dict[str, str]:
        token = mastodon_oauth.exchange_code(_http(base_url), self._app(base_url), code=code)
        return {"base_url": base_url, "access_token": token}


PROVIDERS = {"mastodon": MastodonProvider()}


def oauth_supported(platform: str) -> bool:
    return platform in PROVIDERS


@dataclass(frozen=True)
class PendingFlow:
    workspace: str
    platform: str
    base_url: str
    started_at: float


def oauth_begin(*, session: SessionBase, access: Access, platform: str, base_url: str) -> str:
    """Remember a fresh state in the session and return the platform's consent URL."""
    access.require(Perm.ACCOUNT_CONNECT)
    provider = PROVIDERS.get(platform)
    if provider is None:
        raise DomainError(_("This platform is connected with a token, not by signing in."))
    base_url = clean_base_url(base_url)
    if not base_url:
        raise DomainError(_("Enter the address of your server."), field="base_url")
    state = secrets.token_urlsafe(32)
    try:
        url = provider.authorize_url(base_url=base_url, state=state)
    except ConnectorError as exc:
        raise DomainError(
            _("Could not register Kopiena on %(server)s: %(reason)s")
            % {"server": base_url, "reason": exc.message},
            field="base_url",
        ) from exc
    flows = session.get(STATE_SESSION_KEY, {})
    flows[state] = {
        "workspace": access.workspace.slug,
        "platform": platform,
        "base_url": base_url,
        "started_at": time.time(),
    }
    session[STATE_SESSION_KEY] = flows
    return url


def take_flow(*, session: SessionBase, platform: str, state: str) -> PendingFlow:
    """The pending flow ``state`` names, removed from the session (a state works once), or DomainError."""
    flows = session.get(STATE_SESSION_KEY, {})
    raw = flows.pop(state, None) if state else None
    session[STATE_SESSION_KEY] = {
        key: flow for key, flow in flows.items() if time.time() - flow["started_at"] < STATE_TTL_SECONDS
    }
    if raw is None or raw["platform"] != platform:
        raise DomainError(_("This sign-in link is not valid in this browser. Start connecting again."))
    flow = PendingFlow(**raw)
    if time.time() - flow.started_at >= STATE_TTL_SECONDS:
        raise DomainError(_("The sign-in took too long. Start connecting again."))
    return flow


def oauth_complete(
    *, session: SessionBase, user: User, platform: str, state: str, code: str
) -> ConnectedAccount:
    flow = take_flow(session=session, platform=platform, state=state)
    access = access_workspace(actor=user, slug=flow.workspace, perm=Perm.ACCOUNT_CONNECT)
    try:
        values = PROVIDERS[platform].exchange(base_url=flow.base_url, code=code)
    except ConnectorError as exc:
        raise DomainError(
            _("%(server)s did not give Kopiena access: %(reason)s")
            % {"server": flow.base_url, "reason": exc.message}
        ) from exc
    return account_connect_checked(access=access, platform=platform, values=values)
