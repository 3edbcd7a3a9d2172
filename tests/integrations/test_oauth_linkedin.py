"""Sign in with LinkedIn against the local fake (token endpoint + Community Management API): the Page the
member administers is connected with its token, refresh token and expiry."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

from kopiena.connectors import registry as connector_registry
from kopiena.connectors.registry import ConnectorRegistry
from kopiena.connectors.testing import LocalServer
from kopiena.integrations import platforms
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.selectors import credential_for
from tests.connectors.linkedin_fake import CLIENT_ID, CLIENT_SECRET, ORG, ORG_ID, REFRESH, FakeLinkedIn
from tests.integrations.oauth_steps import authorize_url_after_start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def connectors(monkeypatch):
    real = ConnectorRegistry(paths=["kopiena.connectors.linkedin.LinkedInConnector"])
    monkeypatch.setattr(connector_registry, "get", real.get)
    monkeypatch.setattr(connector_registry, "all", real.all)
    return real


@pytest.fixture
def linkedin():
    with (
        LocalServer() as server,
        override_settings(
            OUTBOUND_ALLOW_PRIVATE=True,
            LINKEDIN_CLIENT_ID=CLIENT_ID,
            LINKEDIN_CLIENT_SECRET=CLIENT_SECRET,
            LINKEDIN_API_URL=server.base_url,
        ),
    ):
        yield FakeLinkedIn(server)


def _start(client, workspace) -> str:
    response = client.post(f"/w/{workspace.slug}/settings/accounts/connect/linkedin/oauth/")
    url = authorize_url_after_start(client, response)
    assert url.startswith("https://www.linkedin.com/oauth/v2/authorization?")
    assert f"client_id={CLIENT_ID}" in url and CLIENT_SECRET not in url
    return url.split("state=")[1].split("&")[0]


def test_without_an_app_only_the_token_form_is_offered(login, owner, workspace):
    with override_settings(LINKEDIN_CLIENT_ID="", LINKEDIN_CLIENT_SECRET=""):
        html = login(owner).get(f"/w/{workspace.slug}/settings/accounts/connect/linkedin/").content.decode()
        assert (
            "/oauth/" not in html and 'name="organization_id"' in html and 'name="refresh_token"' not in html
        )


def test_sign_in_with_linkedin_connects_the_administered_page(login, owner, workspace, linkedin):
    client = login(owner)
    state = _start(client, workspace)
    linkedin.codes.add("good-code")
    back = client.get("/integrations/oauth/linkedin/callback/", {"state": state, "code": "good-code"})
    account = ConnectedAccount.objects.get()
    assert back["Location"] == f"/w/{workspace.slug}/settings/accounts/{account.pk}/"
    assert (account.platform, account.external_id, account.name) == ("linkedin", ORG, "Rīgas Grauzdētava")
    stored = credential_for(account)
    assert stored["organization_id"] == ORG_ID and stored["refresh_token"] == REFRESH
    assert int(stored["token_expires_at"]) > time.time() + 50 * 86400


def test_a_bad_code_connects_nothing(login, owner, workspace, linkedin):
    client = login(owner)
    state = _start(client, workspace)
    back = client.get("/integrations/oauth/linkedin/callback/", {"state": state, "code": "forged"})
    assert back["Location"] == "/" and not ConnectedAccount.objects.exists()


def test_the_account_page_lists_linkedin_capabilities_truthfully():
    labels = platforms.capability_labels("linkedin")
    assert {"Read comments", "Reply", "Metrics"} <= set(labels)
    assert "Hide comments" not in labels and "Read mentions" not in labels
