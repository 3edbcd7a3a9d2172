"""Sign in with X against the local fake (OAuth 2.0 with PKCE): the verifier derived from the state
matches the challenge sent to X, and the single-use refresh token is stored."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.test import override_settings

from kopiena.connectors import registry as connector_registry
from kopiena.connectors.registry import ConnectorRegistry
from kopiena.connectors.testing import LocalServer
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.selectors import credential_for
from tests.connectors.x_fake import CLIENT_ID, CLIENT_SECRET, USER_ID, FakeX
from tests.integrations.oauth_steps import authorize_url_after_start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def connectors(monkeypatch):
    real = ConnectorRegistry(paths=["kopiena.connectors.x.XConnector"])
    monkeypatch.setattr(connector_registry, "get", real.get)
    monkeypatch.setattr(connector_registry, "all", real.all)
    return real


@pytest.fixture
def x():
    with (
        LocalServer() as server,
        override_settings(
            OUTBOUND_ALLOW_PRIVATE=True,
            X_CLIENT_ID=CLIENT_ID,
            X_CLIENT_SECRET=CLIENT_SECRET,
            X_API_URL=server.base_url,
        ),
    ):
        yield FakeX(server)


def _start(client, workspace) -> dict:
    response = client.post(f"/w/{workspace.slug}/settings/accounts/connect/x/oauth/")
    url = authorize_url_after_start(client, response)
    assert url.startswith("https://x.com/i/oauth2/authorize?") and CLIENT_SECRET not in url
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def test_sign_in_with_x_connects_the_account_with_pkce(login, owner, workspace, x):
    client = login(owner)
    query = _start(client, workspace)
    assert query["code_challenge_method"] == "S256"
    x.codes["good-code"] = query["code_challenge"]  # X keeps the challenge with the code it issues
    back = client.get("/integrations/oauth/x/callback/", {"state": query["state"], "code": "good-code"})
    account = ConnectedAccount.objects.get()
    assert back["Location"] == f"/w/{workspace.slug}/settings/accounts/{account.pk}/"
    assert (account.platform, account.external_id, account.handle) == ("x", USER_ID, "@grauzdetava")
    stored = credential_for(account)
    assert stored["refresh_token"] in x.refresh_tokens and stored["access_token"] in x.access_tokens


def test_a_code_without_the_right_verifier_connects_nothing(login, owner, workspace, x):
    client = login(owner)
    query = _start(client, workspace)
    x.codes["good-code"] = "a-challenge-for-another-verifier"
    back = client.get("/integrations/oauth/x/callback/", {"state": query["state"], "code": "good-code"})
    assert back["Location"] == "/" and not ConnectedAccount.objects.exists()
