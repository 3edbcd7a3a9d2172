"""The OAuth redirect flow ("Sign in with …") for Mastodon, Meta (Facebook Pages, Instagram) and Google
(YouTube, Business Profile).

1. ``oauth_begin``: a random ``state`` is stored in the person's session together with the workspace,
   platform and server it is for; the browser goes to the platform's consent page. Not by answering the
   start form's POST with a redirect: the page's CSP says ``form-action 'self'`` and browsers apply it to
   every redirect after a form submission, so a redirect to another origin is blocked (the button "does
   nothing"). The POST redirects to our own "continue" page (same origin: allowed), and that page sends
   the browser on with a ``Refresh`` header and a link — ordinary navigations, which form-action does not
   govern. The CSP stays as strict as it is; the CSRF token guards the POST, the state the return.
2. The platform redirects to ``/integrations/oauth/<platform>/callback/?code=…&state=…``.
3. ``oauth_complete``: the state must be in *this* session, unused and younger than ten minutes (CSRF:
   another site cannot finish a flow it did not start in your browser); the person must still be allowed
   to connect accounts in that workspace. The code becomes one or more candidate accounts (Meta: every
   Page the person manages). One candidate is connected at once; several are kept in the session,
   encrypted, until the person picks one (``oauth_pick``).

Protocol details live in the connector packages (``connectors.mastodon.oauth``,
``connectors.facebook.oauth``, ``connectors.youtube.oauth``, ``connectors.threads.oauth``, ``connectors.linkedin.oauth``, ``connectors.x.oauth``, ``connectors.tiktok.oauth``); ``PROVIDERS`` adapts them. A platform without a usable provider offers
only the token form.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from kopiena.connectors.errors import ConnectorError
from kopiena.connectors.facebook import oauth as meta_oauth
from kopiena.connectors.google_business import oauth as business_oauth
from kopiena.connectors.http import HttpClient
from kopiena.connectors.linkedin import oauth as linkedin_oauth
from kopiena.connectors.mastodon import oauth as mastodon_oauth
from kopiena.connectors.threads import oauth as threads_oauth
from kopiena.connectors.tiktok import oauth as tiktok_oauth
from kopiena.connectors.x import oauth as x_oauth
from kopiena.connectors.youtube import oauth as youtube_oauth
from kopiena.core.errors import DomainError
from kopiena.integrations.connecting import network_options
from kopiena.integrations.crypto import decrypt_secret, encrypt_secret
from kopiena.integrations.models import ConnectedAccount, OAuthApp
from kopiena.integrations.services import account_connect_checked, clean_base_url
from kopiena.teams.models import User
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access, access_workspace

STATE_SESSION_KEY = "kopiena_oauth"
CHOICES_SESSION_KEY = "kopiena_oauth_choices"
STATE_TTL_SECONDS = 600


@dataclass(frozen=True)
class Candidate:
    """One account the person could connect: a label to show and the connect-form values (secrets)."""

    key: str
    label: str
    values: dict[str, str]


def redirect_uri(platform: str) -> str:
    return settings.BASE_URL.rstrip("/") + reverse("oauth_callback", kwargs={"platform": platform})


def _http(base_url: str) -> HttpClient:
    return HttpClient(base_url=base_url, account_key=f"oauth:{base_url}", **network_options())


class MastodonProvider:
    """Mastodon (any instance): our app is registered on the instance on first use and remembered."""

    asks_for_server = True

    def available(self) -> bool:
        return True

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

    def authorize_url(self, *, platform: str, base_url: str, state: str) -> str:
        return mastodon_oauth.authorize_url(base_url, self._app(base_url), state=state)

    def candidates(self, *, platform: str, base_url: str, code: str, state: str = "") -> list[Candidate]:
        token = mastodon_oauth.exchange_code(_http(base_url), self._app(base_url), code=code)
        return [
            Candidate(key="account", label=base_url, values={"base_url": base_url, "access_token": token})
        ]


class MetaProvider:
    """Facebook Pages and Instagram through Meta's login dialog, with Kopiena's Meta app (settings)."""

    asks_for_server = False

    def available(self) -> bool:
        return bool(settings.META_APP_ID and settings.META_APP_SECRET)

    def _app(self, platform: str) -> meta_oauth.MetaApp:
        return meta_oauth.MetaApp(
            app_id=settings.META_APP_ID,
            app_secret=settings.META_APP_SECRET,
            redirect_uri=redirect_uri(platform),
        )

    def authorize_url(self, *, platform: str, base_url: str, state: str) -> str:
        return meta_oauth.authorize_url(self._app(platform), state=state)

    @sensitive_variables()
    def candidates(self, *, platform: str, base_url: str, code: str, state: str = "") -> list[Candidate]:
        http = _http(settings.META_GRAPH_URL.rstrip("/"))
        user_token = meta_oauth.exchange_code(http, self._app(platform), code=code)
        pages = meta_oauth.managed_pages(http, user_token=user_token)
        # The app secret signs Graph calls (appsecret_proof) and verifies webhooks.
        common = {"base_url": settings.META_GRAPH_URL.rstrip("/"), "app_secret": settings.META_APP_SECRET}
        if platform == "instagram":
            return [
                Candidate(
                    key=page.instagram_id,
                    label=f"@{page.instagram_username} ({page.name})",
                    values={**common, "access_token": page.access_token, "ig_user_id": page.instagram_id},
                )
                for page in pages
                if page.instagram_id
            ]
        return [
            Candidate(
                key=page.id,
                label=page.name,
                values={**common, "access_token": page.access_token, "page_id": page.id},
            )
            for page in pages
        ]


class _GoogleProvider:
    """Google's consent page (authorization code with offline access) with Kopiena's Google OAuth client
    (settings); each Google product has its own scopes (``oauth``: the connector's oauth module). The refresh
    token is stored; the connector gets access tokens with it."""

    asks_for_server = False
    oauth = None  # the connector package's oauth module

    def available(self) -> bool:
        return bool(settings.GOOGLE_CLIENT_ID and settings.GOOGLE_CLIENT_SECRET)

    def _app(self, platform: str):
        return self.oauth.GoogleApp(
            client_id=settings.GOOGLE_CLIENT_ID,
            client_secret=settings.GOOGLE_CLIENT_SECRET,
            redirect_uri=redirect_uri(platform),
        )

    def authorize_url(self, *, platform: str, base_url: str, state: str) -> str:
        return self.oauth.authorize_url(self._app(platform), state=state)


class YouTubeProvider(_GoogleProvider):
    """A YouTube channel: the one channel of the Google account that consented."""

    oauth = youtube_oauth

    @sensitive_variables()
    def candidates(self, *, platform: str, base_url: str, code: str, state: str = "") -> list[Candidate]:
        api_url = settings.YOUTUBE_API_URL.rstrip("/")
        app = self._app(platform)
        tokens = youtube_oauth.exchange_code(_http(api_url), app, code=code, base_url=api_url)
        values = {
            "base_url": api_url,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "refresh_token": tokens.refresh_token,
        }
        return [Candidate(key="channel", label="YouTube", values=values)]


class GoogleBusinessProvider(_GoogleProvider):
    """Google Business Profile: the person then picks one of the locations they manage."""

    oauth = business_oauth

    @sensitive_variables()
    def candidates(self, *, platform: str, base_url: str, code: str, state: str = "") -> list[Candidate]:
        api_url = settings.GOOGLE_BUSINESS_API_URL.rstrip("/")
        app = self._app(platform)
        tokens = business_oauth.exchange_code(_http(api_url), app, code=code)
        locations = business_oauth.managed_locations(app, tokens, base_url=api_url, **network_options())
        common = {
            "base_url": api_url,
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        }
        return [
            Candidate(key=name, label=title or name, values={**common, "location": name})
            for name, title in locations
        ]


class ThreadsProvider:
    """A Threads profile through Meta's Threads authorization window, with Kopiena's Threads app (settings).
    The long-lived token is stored with its expiry; the connector refreshes it in its last week."""

    asks_for_server = False

    def available(self) -> bool:
        return bool(settings.THREADS_APP_ID and settings.THREADS_APP_SECRET)

    def _app(self, platform: str) -> threads_oauth.ThreadsApp:
        return threads_oauth.ThreadsApp(
            app_id=settings.THREADS_APP_ID,
            app_secret=settings.THREADS_APP_SECRET,
            redirect_uri=redirect_uri(platform),
        )

    def authorize_url(self, *, platform: str, base_url: str, state: str) -> str:
        return threads_oauth.authorize_url(
            self._app(platform), state=state, authorize_base=settings.THREADS_AUTHORIZE_URL
        )

    @sensitive_variables()
    def candidates(self, *, platform: str, base_url: str, code: str, state: str = "") -> list[Candidate]:
        api_url = settings.THREADS_API_URL.rstrip("/")
        token = threads_oauth.exchange_code(_http(api_url), self._app(platform), code=code)
        values = {
            "base_url": api_url,
            "access_token": token.access_token,
            "user_id": token.user_id,
            "token_expires_at": str(token.expires_at),
        }
        return [Candidate(key=token.user_id or "profile", label="Threads", values=values)]


class LinkedInProvider:
    """LinkedIn Pages through LinkedIn's consent page: the person then picks one of the Pages they administer.
    The refresh token (approved partner apps get one) and the client are stored so the connector renews the
    60-day access token itself."""

    asks_for_server = False

    def available(self) -> bool:
        return bool(settings.LINKEDIN_CLIENT_ID and settings.LINKEDIN_CLIENT_SECRET)

    def _app(self, platform: str) -> linkedin_oauth.LinkedInApp:
        return linkedin_oauth.LinkedInApp(
            client_id=settings.LINKEDIN_CLIENT_ID,
            client_secret=settings.LINKEDIN_CLIENT_SECRET,
            redirect_uri=redirect_uri(platform),
        )

    def authorize_url(self, *, platform: str, base_url: str, state: str) -> str:
        return linkedin_oauth.authorize_url(self._app(platform), state=state)

    @sensitive_variables()
    def candidates(self, *, platform: str, base_url: str, code: str, state: str = "") -> list[Candidate]:
        api_url = settings.LINKEDIN_API_URL.rstrip("/")
        http = _http(api_url)
        app = self._app(platform)
        tokens = linkedin_oauth.exchange_code(http, app, code=code)
        common = {
            "base_url": api_url,
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "token_expires_at": str(tokens.expires_at),
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        }
        return [
            Candidate(key=urn, label=name, values={**common, "organization_id": urn.rsplit(":", 1)[-1]})
            for urn, name in linkedin_oauth.administered_organizations(http, tokens)
        ]


class XProvider:
    """An X account through X's consent page (OAuth 2.0 with PKCE). The PKCE verifier is derived from the
    flow's state with the server's secret key, so it needs no storage of its own and only this server can
    compute it. The single-use refresh token and the client are stored; the connector renews the access."""

    asks_for_server = False

    def available(self) -> bool:
        return bool(settings.X_CLIENT_ID and settings.X_CLIENT_SECRET)

    def _app(self, platform: str) -> x_oauth.XApp:
        return x_oauth.XApp(
            client_id=settings.X_CLIENT_ID,
            client_secret=settings.X_CLIENT_SECRET,
            redirect_uri=redirect_uri(platform),
        )

    @staticmethod
    def _verifier(state: str) -> str:
        digest = hmac.new(settings.SECRET_KEY.encode(), f"x-pkce:{state}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")  # 43 characters, as RFC 7636 asks

    def authorize_url(self, *, platform: str, base_url: str, state: str) -> str:
        return x_oauth.authorize_url(
            self._app(platform),
            state=state,
            verifier=self._verifier(state),
            authorize_base=settings.X_AUTHORIZE_URL,
        )

    @sensitive_variables()
    def candidates(self, *, platform: str, base_url: str, code: str, state: str = "") -> list[Candidate]:
        api_url = settings.X_API_URL.rstrip("/")
        app = self._app(platform)
        tokens = x_oauth.exchange_code(_http(api_url), app, code=code, verifier=self._verifier(state))
        values = {
            "base_url": api_url,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "refresh_token": tokens.refresh_token,
            "access_token": tokens.access_token,
            "access_expires_at": str(tokens.expires_at),
        }
        return [Candidate(key="account", label="X", values=values)]


class TikTokProvider:
    """A TikTok account through TikTok's Login Kit for web, with Kopiena's TikTok app (settings). The refresh
    token (365 days) and the client are stored; the connector renews the 24-hour access token."""

    asks_for_server = False

    def available(self) -> bool:
        return bool(settings.TIKTOK_CLIENT_KEY and settings.TIKTOK_CLIENT_SECRET)

    def _app(self, platform: str) -> tiktok_oauth.TikTokApp:
        return tiktok_oauth.TikTokApp(
            client_key=settings.TIKTOK_CLIENT_KEY,
            client_secret=settings.TIKTOK_CLIENT_SECRET,
            redirect_uri=redirect_uri(platform),
        )

    def authorize_url(self, *, platform: str, base_url: str, state: str) -> str:
        return tiktok_oauth.authorize_url(self._app(platform), state=state)

    @sensitive_variables()
    def candidates(self, *, platform: str, base_url: str, code: str, state: str = "") -> list[Candidate]:
        api_url = settings.TIKTOK_API_URL.rstrip("/")
        app = self._app(platform)
        tokens = tiktok_oauth.exchange_code(_http(api_url), app, code=code)
        values = {
            "base_url": api_url,
            "client_key": app.client_key,
            "client_secret": app.client_secret,
            "refresh_token": tokens.refresh_token,
            "access_token": tokens.access_token,
            "access_expires_at": str(tokens.expires_at),
        }
        return [Candidate(key=tokens.open_id or "account", label="TikTok", values=values)]


_META = MetaProvider()
PROVIDERS = {
    "mastodon": MastodonProvider(),
    "facebook": _META,
    "instagram": _META,
    "youtube": YouTubeProvider(),
    "google_business": GoogleBusinessProvider(),
    "threads": ThreadsProvider(),
    "linkedin": LinkedInProvider(),
    "x": XProvider(),
    "tiktok": TikTokProvider(),
}


def provider_for(platform: str):
    """The OAuth provider for ``platform`` if it can be used on this installation, else None."""
    provider = PROVIDERS.get(platform)
    return provider if provider is not None and provider.available() else None


@dataclass(frozen=True)
class PendingFlow:
    workspace: str
    platform: str
    base_url: str
    started_at: float
    authorize_url: str = ""


def oauth_begin(*, session: SessionBase, access: Access, platform: str, base_url: str = "") -> str:
    """Remember a fresh state (with the platform's consent URL) in the session and return the state."""
    access.require(Perm.ACCOUNT_CONNECT)
    provider = provider_for(platform)
    if provider is None:
        raise DomainError(_("This platform is connected with a token, not by signing in."))
    if provider.asks_for_server:
        base_url = clean_base_url(base_url)
        if not base_url:
            raise DomainError(_("Enter the address of your server."), field="base_url")
    state = secrets.token_urlsafe(32)
    try:
        url = provider.authorize_url(platform=platform, base_url=base_url, state=state)
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
        "authorize_url": url,
    }
    session[STATE_SESSION_KEY] = flows
    return state


def pending_flow(*, session: SessionBase, access: Access, platform: str, state: str) -> PendingFlow:
    """The flow ``oauth_begin`` started in this session for this workspace and platform (not used up),
    or DomainError. The "continue" page reads it to send the browser to ``authorize_url``."""
    raw = session.get(STATE_SESSION_KEY, {}).get(state) if state else None
    if raw is None or raw["platform"] != platform or raw["workspace"] != access.workspace.slug:
        raise DomainError(_("This sign-in link is not valid in this browser. Start connecting again."))
    flow = PendingFlow(**raw)
    if time.time() - flow.started_at >= STATE_TTL_SECONDS:
        raise DomainError(_("The sign-in took too long. Start connecting again."))
    return flow


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


@dataclass(frozen=True)
class OAuthResult:
    """Either the connected account, or the workspace whose picker now holds several candidates."""

    account: ConnectedAccount | None
    workspace: str


@sensitive_variables()
def oauth_complete(*, session: SessionBase, user: User, platform: str, state: str, code: str) -> OAuthResult:
    flow = take_flow(session=session, platform=platform, state=state)
    access = access_workspace(actor=user, slug=flow.workspace, perm=Perm.ACCOUNT_CONNECT)
    try:
        found = PROVIDERS[platform].candidates(
            platform=platform, base_url=flow.base_url, code=code, state=state
        )
    except ConnectorError as exc:
        raise DomainError(
            _("%(server)s did not give Kopiena access: %(reason)s")
            % {"server": flow.base_url or platform, "reason": exc.message}
        ) from exc
    if not found:
        raise DomainError(_("You do not manage any account Kopiena could connect there."))
    if len(found) == 1:
        account = account_connect_checked(access=access, platform=platform, values=found[0].values)
        return OAuthResult(account=account, workspace=flow.workspace)
    # Several Pages: keep them (encrypted; they hold tokens) until the person picks one.
    session[CHOICES_SESSION_KEY] = {
        "workspace": flow.workspace,
        "platform": platform,
        "started_at": time.time(),
        "ciphertext": encrypt_secret({"candidates": [c.__dict__ for c in found]}),
    }
    return OAuthResult(account=None, workspace=flow.workspace)


def pending_choices(*, session: SessionBase, access: Access, platform: str) -> list[Candidate]:
    """The candidates waiting for this workspace and platform (labels for the picker; may be empty)."""
    stash = session.get(CHOICES_SESSION_KEY)
    if (
        not stash
        or stash["workspace"] != access.workspace.slug
        or stash["platform"] != platform
        or time.time() - stash["started_at"] >= STATE_TTL_SECONDS
    ):
        return []
    return [Candidate(**raw) for raw in decrypt_secret(stash["ciphertext"])["candidates"]]


@sensitive_variables()
def oauth_pick(*, session: SessionBase, access: Access, platform: str, key: str) -> ConnectedAccount:
    """Connect the candidate ``key`` the person picked; the choice is used up either way."""
    access.require(Perm.ACCOUNT_CONNECT)
    chosen = next(
        (c for c in pending_choices(session=session, access=access, platform=platform) if c.key == key), None
    )
    session.pop(CHOICES_SESSION_KEY, None)
    if chosen is None:
        raise DomainError(_("That choice has expired. Start connecting again."))
    return account_connect_checked(access=access, platform=platform, values=chosen.values)
