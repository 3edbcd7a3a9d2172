"""Sign in with Google for a Business Profile location, against the local fake of Google's APIs: the
code becomes tokens, the person picks one of their locations, the refresh token is stored encrypted."""

from __future__ import annotations

import pytest
from django.test import override_settings

from kopiena.connectors import registry as connector_registry
from kopiena.connectors.registry import ConnectorRegistry
from kopiena.connectors.testing import LocalServer
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.selectors import credential_for
from tests.connectors.gbp_fake import ACCOUNT, LOCATION, FakeGoogleBusiness
from tests.integrations.oauth_steps import authorize_url_after_start

pytestmark = pytest.mark.django_db

CLIENT_ID = "777-kopiena.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-client-secret-0a0a"
REFRESH = "1//0g-refresh-token-1b1b"
CONNECT = "/settings/accounts/connect/google_business"


@pytest.fixture(autouse=True)
def connectors(monkeypatch):
    real = ConnectorRegistry(paths=["kopiena.connectors.google_business.GoogleBusinessConnector"])
    monkeypatch.setattr(connector_registry, "get", real.get)
    monkeypatch.setattr(connector_registry, "all", real.all)
    return real


@pytest.fixture
def google():
    server = LocalServer()
    fake = FakeGoogleBusiness(server, refresh_token=REFRESH, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    with (
        server,
        override_settings(
            OUTBOUND_ALLOW_PRIVATE=True,
            GOOGLE_CLIENT_ID=CLIENT_ID,
            GOOGLE_CLIENT_SECRET=CLIENT_SECRET,
            GOOGLE_BUSINESS_API_URL=server.url(""),
        ),
    ):
        yield fake


def _start(client, workspace) -> str:
    response = client.post(f"/w/{workspace.slug}{CONNECT}/oauth/")
    url = authorize_url_after_start(client, response)
    assert url.startswith("https://accounts.google.com/o/oauth2/v2/auth?")
    assert f"client_id={CLIENT_ID}" in url and CLIENT_SECRET not in url
    assert "access_type=offline" in url and "business.manage" in url
    return url.split("state=")[1].split("&")[0]


def test_without_a_google_client_only_the_token_form_is_offered(login, owner, workspace):
    with override_settings(GOOGLE_CLIENT_ID="", GOOGLE_CLIENT_SECRET=""):
        client = login(owner)
        html = client.get(f"/w/{workspace.slug}{CONNECT}/").content.decode()
        assert "/oauth/" not in html and "Refresh token" in html and "Business location" in html
        assert client.post(f"/w/{workspace.slug}{CONNECT}/oauth/").status_code == 404


def test_one_location_is_connected_at_once(login, owner, workspace, google):
    client = login(owner)
    state = _start(client, workspace)
    back = client.get(
        "/integrations/oauth/google_business/callback/", {"state": state, "code": google.good_code}
    )
    account = ConnectedAccount.objects.get()
    assert back["Location"] == f"/w/{workspace.slug}/settings/accounts/{account.pk}/"
    assert (account.platform, account.external_id, account.name) == (
        "google_business",
        LOCATION,
        "Rīgas Grauzdētava",
    )
    stored = credential_for(account)
    assert stored["refresh_token"] == REFRESH and stored["location"] == LOCATION
    assert stored["client_secret"] == CLIENT_SECRET and stored["access_token"] in google.tokens
    page = client.get(back["Location"]).content.decode()
    # the account page lists what it can do, in the platform's words
    assert "Read reviews" in page and "Reply to reviews" in page and "Publish local posts" in page
    assert "Hide comments" not in page and "Metrics" not in page and "Read mentions" not in page


def test_several_locations_then_pick_one(login, owner, workspace, google):
    google.locations.append({"name": "locations/3333", "title": "Kafija Jūrmala"})
    client = login(owner)
    state = _start(client, workspace)
    back = client.get(
        "/integrations/oauth/google_business/callback/", {"state": state, "code": google.good_code}
    )
    pick_url = f"/w/{workspace.slug}{CONNECT}/pick/"
    assert back["Location"] == pick_url
    page = client.get(pick_url).content.decode()
    assert "Rīgas Grauzdētava" in page and "Kafija Jūrmala" in page
    assert REFRESH not in page and CLIENT_SECRET not in page  # tokens never reach the browser
    client.post(pick_url, {"key": f"{ACCOUNT}/locations/3333"})
    account = ConnectedAccount.objects.get()
    assert (
        account.name == "Kafija Jūrmala"
        and credential_for(account)["location"] == f"{ACCOUNT}/locations/3333"
    )


def test_a_bad_code_connects_nothing(login, owner, workspace, google):
    client = login(owner)
    state = _start(client, workspace)
    back = client.get("/integrations/oauth/google_business/callback/", {"state": state, "code": "forged"})
    assert back["Location"] == "/"
    assert not ConnectedAccount.objects.exists()


def test_token_form_connects_with_a_refresh_token(login, owner, workspace, google):
    client = login(owner)
    response = client.post(
        f"/w/{workspace.slug}{CONNECT}/",
        {
            "base_url": google.server.url(""),
            "location": LOCATION,
            "refresh_token": REFRESH,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    account = ConnectedAccount.objects.get()
    assert response.status_code == 302 and account.external_id == LOCATION
    assert credential_for(account)["access_token"] in google.tokens  # obtained at once, stored for next time
