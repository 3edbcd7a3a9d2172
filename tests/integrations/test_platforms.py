"""Every connector in the real registry gets a working connect form, derived from the connector class."""

from __future__ import annotations

import pytest

from kopiena.connectors import registry as connector_registry
from kopiena.connectors.registry import ConnectorRegistry
from kopiena.integrations import platforms

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_registry(monkeypatch):
    real = ConnectorRegistry()  # the shipped DEFAULT_CONNECTORS
    monkeypatch.setattr(connector_registry, "get", real.get)
    monkeypatch.setattr(connector_registry, "all", real.all)
    return real


def test_every_shipped_connector_has_a_connect_page(real_registry, login, owner, workspace):
    client = login(owner)
    keys = [p.key for p in platforms.available()]
    assert "mastodon" in keys
    for platform in platforms.available():
        response = client.get(f"/w/{workspace.slug}/settings/accounts/connect/{platform.key}/")
        assert response.status_code == 200, platform.key
        html = response.content.decode()
        for field in platform.fields:
            assert f'name="{field.key}"' in html, (platform.key, field.key)
            if field.secret:
                assert f'type="password" name="{field.key}"' in html
        if platform.oauth:
            assert "/oauth/" in html


def test_feed_credentials_are_optional_and_the_address_is_required(real_registry):
    if "rss" not in [p.key for p in platforms.available()]:
        pytest.skip("no RSS connector registered")
    rss = platforms.require_known("rss")
    required = {f.key for f in rss.fields if f.required}
    assert required == {"base_url"}


def test_capabilities_come_from_the_connector(real_registry):
    mastodon = platforms.require_known("mastodon")
    assert "reply" in mastodon.capabilities
    assert "hide" not in mastodon.capabilities  # Mastodon cannot hide replies; the connector says so
    assert platforms.capability_names("no-such-platform") == []


def test_media_capability_says_what_the_connector_accepts(real_registry):
    """Bluesky publishes images only: its account page must not say "Images and video"."""
    assert "Images" in platforms.capability_labels("bluesky")
    assert "Images and video" not in platforms.capability_labels("bluesky")
    assert "Images and video" in platforms.capability_labels("mastodon")


def test_the_account_page_lists_bluesky_capabilities_truthfully(real_registry, login, owner, owner_access):
    from kopiena.integrations.services import account_connect

    account = account_connect(
        access=owner_access,
        platform="bluesky",
        name="Kafija on Bluesky",
        credentials={"identifier": "kafija.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"},
        base_url="https://bsky.social",
        external_id="did:plc:kafija",
    )
    html = (
        login(owner).get(f"/w/{owner_access.workspace.slug}/settings/accounts/{account.pk}/").content.decode()
    )
    assert ">Images<" in html and "Images and video" not in html
