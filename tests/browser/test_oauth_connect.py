""" "Sign in with Mastodon" clicked through in Chromium, with our real Content-Security-Policy.

The page's CSP says ``form-action 'self'``; Chromium also applies it to every redirect that follows a form
submission, so a form that POSTs to us and is answered with a redirect to the instance is blocked (the
button then does nothing). A local HTTP server plays the Mastodon instance: app registration, an authorize
page that sends the browser straight back with a code, the token endpoint and verify_credentials.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import override_settings

from kopiena.connectors import registry as connector_registry
from kopiena.connectors.registry import ConnectorRegistry
from kopiena.connectors.testing import LocalServer, Response
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.selectors import credential_for
from tests.integrations.test_oauth_meta import graph  # noqa: F401  (a local Graph API)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCESS_TOKEN = "masto-ACCESS-browser-31f0"
CLIENT_SECRET = "masto-CLIENT-browser-9a2e"


@pytest.fixture(autouse=True)
def connectors(monkeypatch):
    real = ConnectorRegistry(
        paths=[
            "kopiena.connectors.mastodon.MastodonConnector",
            "kopiena.connectors.facebook.FacebookConnector",
        ]
    )
    monkeypatch.setattr(connector_registry, "get", real.get)
    monkeypatch.setattr(connector_registry, "all", real.all)
    return real


@pytest.fixture
def instance(live_server):
    server = LocalServer()

    @server.route("POST", r"/api/v1/apps")
    def apps(request, match):
        return Response.json({"id": "1", "client_id": "cid-b", "client_secret": CLIENT_SECRET})

    @server.route("GET", r"/oauth/authorize")
    def authorize(request, match):
        # A real instance shows a consent page first; the person's "Authorize" ends in this redirect.
        back = (
            request.arg("redirect_uri")
            + "?"
            + urlencode({"code": "good-code", "state": request.arg("state")})
        )
        return Response(302, b"", {"Location": back})

    @server.route("POST", r"/oauth/token")
    def token(request, match):
        if request.arg("code") != "good-code" or request.arg("client_secret") != CLIENT_SECRET:
            return Response.json({"error": "invalid_grant"}, status=400)
        return Response.json({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "scope": "read"})

    @server.route("GET", r"/api/v1/accounts/verify_credentials")
    def verify(request, match):
        if request.bearer != ACCESS_TOKEN:
            return Response.json({"error": "The access token is invalid"}, status=401)
        return Response.json({"id": "109", "username": "kafija", "acct": "kafija", "display_name": "Kafija"})

    with override_settings(OUTBOUND_ALLOW_PRIVATE=True, BASE_URL=live_server.url), server:
        yield server


def test_sign_in_with_mastodon_connects_the_account(logged_in_page, owner, workspace, instance, screenshot):
    page = logged_in_page(owner)
    blocked = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security" in message.text else None,
    )
    page.goto(f"/w/{workspace.slug}/settings/accounts/connect/mastodon/")
    page.get_by_label("Server address").fill(instance.url(""))
    page.get_by_role("button", name="Continue on the platform").click()

    page.wait_for_selector("text=Kafija is connected.", timeout=15000)
    screenshot(page, "oauth-mastodon-connected")
    account = ConnectedAccount.objects.get()
    assert (account.platform, account.handle) == ("mastodon", "kafija")
    assert credential_for(account) == {"access_token": ACCESS_TOKEN}
    assert instance.count("GET", r"/oauth/authorize") == 1
    assert not blocked, blocked


def test_sign_in_with_facebook_connects_the_picked_page(logged_in_page, owner, workspace, graph, live_server):  # noqa: F811
    page = logged_in_page(owner)
    blocked = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security" in message.text else None,
    )
    dialogs = []

    def facebook_dialog(route, request):
        # Meta's login dialog (never reached from tests): the person allows access and is sent back.
        dialogs.append(request.url)
        query = dict(parse_qsl(urlsplit(request.url).query))
        back = query["redirect_uri"] + "?" + urlencode({"code": "good-code", "state": query["state"]})
        route.fulfill(status=302, headers={"Location": back})

    page.context.route("https://www.facebook.com/**", facebook_dialog)
    with override_settings(BASE_URL=live_server.url):
        page.goto(f"/w/{workspace.slug}/settings/accounts/connect/facebook/")
        page.get_by_role("button", name="Continue on the platform").click()
        page.get_by_label("Kafija Tallinn").check()
        page.get_by_role("button", name="Check and connect").click()
        page.wait_for_selector("text=Kafija Tallinn is connected.", timeout=15000)
    account = ConnectedAccount.objects.get()
    assert (account.platform, account.external_id) == ("facebook", "202")
    assert len(dialogs) == 1
    assert not blocked, blocked
