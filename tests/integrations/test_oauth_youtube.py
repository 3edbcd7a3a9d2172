"""Sign in with Google for a YouTube channel against the local fake (token endpoint + Data API)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from kopiena.connectors import registry as connector_registry
from kopiena.connectors.registry import ConnectorRegistry
from kopiena.integrations import platforms
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.selectors import credential_for
from tests.connectors.youtube_fake import CHANNEL_ID, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, FakeYouTube
from tests.integrations.oauth_steps import authorize_url_after_start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def connectors(monkeypatch):
    real = ConnectorRegistry(paths=["kopiena.connectors.youtube.YouTubeConnector"])
    monkeypatch.setattr(connector_registry, "get", real.get)
    monkeypatch.setattr(connector_registry, "all", real.all)
    return real


@pytest.fixture
def google():
    with (
        FakeYouTube() as fake,
        override_settings(
            OUTBOUND_ALLOW_PRIVATE=True,
            GOOGLE_CLIENT_ID=CLIENT_ID,
            GOOGLE_CLIENT_SECRET=CLIENT_SECRET,
            YOUTUBE_API_URL=fake.base_url,
        ),
    ):
        yield fake


def _start(client, workspace) -> str:
    response = client.post(f"/w/{workspace.slug}/settings/accounts/connect/youtube/oauth/")
    url = authorize_url_after_start(client, response)
    assert url.startswith("https://accounts.google.com/o/oauth2/v2/auth?")
    assert f"client_id={CLIENT_ID}" in url and "access_type=offline" in url and CLIENT_SECRET not in url
    return url.split("state=")[1].split("&")[0]


def test_without_a_google_client_only_the_token_form_is_offered(login, owner, workspace):
    with override_settings(GOOGLE_CLIENT_ID="", GOOGLE_CLIENT_SECRET=""):
        client = login(owner)
        html = client.get(f"/w/{workspace.slug}/settings/accounts/connect/youtube/").content.decode()
        assert "/oauth/" not in html and 'name="refresh_token"' in html
        assert client.post(f"/w/{workspace.slug}/settings/accounts/connect/youtube/oauth/").status_code == 404


def test_sign_in_with_google_connects_the_channel_with_its_refresh_token(login, owner, workspace, google):
    client = login(owner)
    state = _start(client, workspace)
    back = client.get("/integrations/oauth/youtube/callback/", {"state": state, "code": "good-code"})
    account = ConnectedAccount.objects.get()
    assert back["Location"] == f"/w/{workspace.slug}/settings/accounts/{account.pk}/"
    assert (account.platform, account.external_id, account.name) == ("youtube", CHANNEL_ID, "Kafija Rīga")
    stored = credential_for(account)
    assert stored["refresh_token"] == REFRESH_TOKEN and stored["client_secret"] == CLIENT_SECRET
    assert stored["access_token"] in google.access_tokens  # the verify call's token, kept for the next call


def test_a_bad_code_connects_nothing(login, owner, workspace, google):
    client = login(owner)
    state = _start(client, workspace)
    back = client.get("/integrations/oauth/youtube/callback/", {"state": state, "code": "forged"})
    assert back["Location"] == "/"
    assert not ConnectedAccount.objects.exists()


def test_the_account_page_lists_youtube_capabilities_truthfully(login, owner, owner_access, google):
    from kopiena.integrations.services import account_connect

    account = account_connect(
        access=owner_access,
        platform="youtube",
        name="Kafija on YouTube",
        credentials={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN},
        base_url="https://www.googleapis.com",
        external_id=CHANNEL_ID,
    )
    labels = platforms.capability_labels("youtube")
    assert "Video" in labels and "Images and video" not in labels  # the image is only a thumbnail
    assert {"Read comments", "Reply", "Hide comments", "Metrics", "Check unconfirmed posts"} <= set(labels)
    assert (
        "Read mentions" not in labels and "Search" not in labels and "Duplicate-safe publishing" not in labels
    )
    html = (
        login(owner).get(f"/w/{owner_access.workspace.slug}/settings/accounts/{account.pk}/").content.decode()
    )
    for label in labels:
        assert label in html
    assert "Read mentions" not in html
