"""Sign in with TikTok against the local fake: the refresh token and the client are stored."""

from __future__ import annotations

import pytest
from django.test import override_settings

from kopiena.connectors import registry as connector_registry
from kopiena.connectors.registry import ConnectorRegistry
from kopiena.connectors.testing import LocalServer
from kopiena.integrations import platforms
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.selectors import credential_for
from tests.connectors.tiktok_fake import CLIENT_KEY, CLIENT_SECRET, OPEN_ID, REFRESH, FakeTikTok
from tests.integrations.oauth_steps import authorize_url_after_start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def connectors(monkeypatch):
    real = ConnectorRegistry(paths=["kopiena.connectors.tiktok.TikTokConnector"])
    monkeypatch.setattr(connector_registry, "get", real.get)
    monkeypatch.setattr(connector_registry, "all", real.all)
    return real


def test_sign_in_with_tiktok_connects_the_account(login, owner, workspace):
    with (
        LocalServer() as server,
        override_settings(
            OUTBOUND_ALLOW_PRIVATE=True,
            TIKTOK_CLIENT_KEY=CLIENT_KEY,
            TIKTOK_CLIENT_SECRET=CLIENT_SECRET,
            TIKTOK_API_URL=server.base_url,
        ),
    ):
        fake = FakeTikTok(server)
        client = login(owner)
        url = authorize_url_after_start(
            client, client.post(f"/w/{workspace.slug}/settings/accounts/connect/tiktok/oauth/")
        )
        assert url.startswith("https://www.tiktok.com/v2/auth/authorize/?") and CLIENT_SECRET not in url
        state = url.split("state=")[1].split("&")[0]
        fake.codes.add("good-code")
        client.get("/integrations/oauth/tiktok/callback/", {"state": state, "code": "good-code"})
    account = ConnectedAccount.objects.get()
    assert (account.platform, account.external_id, account.handle) == ("tiktok", OPEN_ID, "@grauzdetava")
    assert credential_for(account)["refresh_token"] == REFRESH


def test_the_account_page_lists_tiktok_capabilities_truthfully():
    labels = platforms.capability_labels("tiktok")
    assert "Metrics" in labels and "Read comments" not in labels and "Reply" not in labels
