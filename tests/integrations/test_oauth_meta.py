"""Sign in with Facebook against a local Graph API: Pages found, one picked, Page token stored encrypted."""

from __future__ import annotations

import pytest
from django.test import override_settings

from kopiena.connectors import registry as connector_registry
from kopiena.connectors.registry import ConnectorRegistry
from kopiena.connectors.testing import LocalServer, Response
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.selectors import credential_for
from tests.integrations.oauth_steps import authorize_url_after_start

pytestmark = pytest.mark.django_db

APP_SECRET = "meta-APP-SECRET-0f0f"
USER_TOKEN = "meta-USER-long-lived-9e9e"
PAGES = [
    {"id": "101", "name": "Kafija Rīga", "access_token": "meta-PAGE-101-aaaa"},
    {
        "id": "202",
        "name": "Kafija Tallinn",
        "access_token": "meta-PAGE-202-bbbb",
        "instagram_business_account": {"id": "17841", "username": "kafija.ee"},
    },
]


@pytest.fixture(autouse=True)
def connectors(monkeypatch):
    real = ConnectorRegistry(
        paths=[
            "kopiena.connectors.facebook.FacebookConnector",
            "kopiena.connectors.instagram.InstagramConnector",
        ]
    )
    monkeypatch.setattr(connector_registry, "get", real.get)
    monkeypatch.setattr(connector_registry, "all", real.all)
    return real


@pytest.fixture
def graph():
    server = LocalServer()

    @server.route("POST", r"/v[\d.]+/oauth/access_token")
    def token(request, match):
        if request.arg("client_secret") != APP_SECRET:
            return Response.json({"error": {"message": "bad secret", "code": 1}}, status=400)
        if request.arg("code") == "good-code":
            return Response.json({"access_token": "meta-USER-short"})
        if request.arg("fb_exchange_token") == "meta-USER-short":
            return Response.json({"access_token": USER_TOKEN, "expires_in": 5183944})
        return Response.json(
            {"error": {"message": "Invalid verification code format.", "code": 100}}, status=400
        )

    @server.route("GET", r"/v[\d.]+/me/accounts")
    def accounts(request, match):
        assert request.bearer == USER_TOKEN
        return Response.json({"data": PAGES})

    @server.route("GET", r"/v[\d.]+/(\d+)")
    def node(request, match):
        page = {p["id"]: p for p in PAGES}.get(match.group(1))
        if page is not None and request.bearer == page["access_token"]:
            return Response.json({"id": page["id"], "name": page["name"], "link": "https://facebook.example"})
        if match.group(1) == "17841" and request.bearer == PAGES[1]["access_token"]:
            return Response.json({"id": "17841", "username": "kafija.ee", "name": "Kafija Tallinn"})
        return Response.json({"error": {"message": "Invalid OAuth access token.", "code": 190}}, status=401)

    with (
        server,
        override_settings(
            OUTBOUND_ALLOW_PRIVATE=True,
            META_APP_ID="4242",
            META_APP_SECRET=APP_SECRET,
            META_GRAPH_URL=server.url(""),
        ),
    ):
        yield server


def _start(client, workspace, platform="facebook") -> str:
    response = client.post(f"/w/{workspace.slug}/settings/accounts/connect/{platform}/oauth/")
    url = authorize_url_after_start(client, response)
    assert url.startswith("https://www.facebook.com/")
    assert "client_id=4242" in url and APP_SECRET not in url
    return url.split("state=")[1].split("&")[0]


def test_without_a_meta_app_only_the_token_form_is_offered(login, owner, workspace):
    with override_settings(META_APP_ID="", META_APP_SECRET=""):
        client = login(owner)
        html = client.get(f"/w/{workspace.slug}/settings/accounts/connect/facebook/").content.decode()
        assert "/oauth/" not in html
        assert (
            client.post(f"/w/{workspace.slug}/settings/accounts/connect/facebook/oauth/").status_code == 404
        )


def test_sign_in_then_pick_a_page(login, owner, workspace, graph):
    client = login(owner)
    state = _start(client, workspace)
    back = client.get("/integrations/oauth/facebook/callback/", {"state": state, "code": "good-code"})
    pick_url = f"/w/{workspace.slug}/settings/accounts/connect/facebook/pick/"
    assert back["Location"] == pick_url
    page = client.get(pick_url).content.decode()
    assert "Kafija Rīga" in page and "Kafija Tallinn" in page
    assert "meta-PAGE" not in page  # tokens never reach the browser
    done = client.post(pick_url, {"key": "202"})
    account = ConnectedAccount.objects.get()
    assert done["Location"] == f"/w/{workspace.slug}/settings/accounts/{account.pk}/"
    assert (account.platform, account.external_id, account.name) == ("facebook", "202", "Kafija Tallinn")
    assert credential_for(account) == {
        "access_token": "meta-PAGE-202-bbbb",
        "page_id": "202",
        "app_secret": APP_SECRET,
    }
    assert client.get(pick_url)["Location"].endswith("/connect/facebook/")  # the choice is used up


def test_instagram_lists_only_pages_with_a_linked_account_and_connects_the_only_one(
    login, owner, workspace, graph
):
    client = login(owner)
    state = _start(client, workspace, platform="instagram")
    back = client.get("/integrations/oauth/instagram/callback/", {"state": state, "code": "good-code"})
    account = ConnectedAccount.objects.get()
    assert back["Location"] == f"/w/{workspace.slug}/settings/accounts/{account.pk}/"
    assert credential_for(account)["ig_user_id"] == "17841"


def test_a_forged_pick_connects_nothing(login, owner, workspace, graph):
    client = login(owner)
    state = _start(client, workspace)
    client.get("/integrations/oauth/facebook/callback/", {"state": state, "code": "good-code"})
    response = client.post(f"/w/{workspace.slug}/settings/accounts/connect/facebook/pick/", {"key": "999"})
    assert response.status_code == 200  # the form says the choice is not one of the offered
    assert not ConnectedAccount.objects.exists()


def test_a_bad_code_connects_nothing(login, owner, workspace, graph):
    client = login(owner)
    state = _start(client, workspace)
    back = client.get("/integrations/oauth/facebook/callback/", {"state": state, "code": "forged"})
    assert back["Location"] == "/"
    assert not ConnectedAccount.objects.exists()
