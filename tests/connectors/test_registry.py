"""The explicit connector registry fails fast and can be overridden in tests."""

from __future__ import annotations

import pytest

from kopiena.connectors import registry as registry_module
from kopiena.connectors.base import Connector
from kopiena.connectors.capabilities import Capability, CapabilityMismatch, check_capabilities
from kopiena.connectors.registry import ConnectorRegistry, RegistryError


class Liar(Connector):
    key = "liar"
    name = "Liar"
    capabilities = frozenset({Capability.PUBLISH, Capability.HIDE})

    def verify(self):
        raise NotImplementedError

    def publish(self, draft):
        raise NotImplementedError


class Honest(Liar):
    key = "honest"
    capabilities = frozenset({Capability.PUBLISH})


def test_every_shipped_connector_loads_and_keeps_its_promises():
    classes = registry_module.registry.all()
    assert {"mastodon", "bluesky", "rss"} <= {cls.key for cls in classes}
    for cls in classes:
        check_capabilities(cls)


def test_every_shipped_connector_forwards_the_network_options_to_its_client():
    """KOPIENA_OUTBOUND_ALLOW_PRIVATE reaches the SSRF guard through each connector's constructor (a
    subclass with its own ``__init__`` that dropped ``allow_private`` would silently refuse on-premise)."""
    from kopiena.connectors.types import AccountCredentials

    for cls in registry_module.registry.all():
        credentials = AccountCredentials(secrets={}, base_url="https://on-premise.example")
        connector = cls(credentials, allow_private=True)
        assert connector.http.address_problem("10.1.2.3") is None, cls.key
        assert connector.http.address_problem("169.254.169.254") is not None, cls.key
        sandboxed = cls(credentials, allow_loopback=True)
        assert sandboxed.http.address_problem("127.0.0.1") is None, cls.key
        assert sandboxed.http.address_problem("10.1.2.3") is not None, cls.key


def test_declared_but_unimplemented_capability_is_refused():
    with pytest.raises(CapabilityMismatch, match="hide needs hide/unhide"):
        check_capabilities(Liar)
    with pytest.raises(RegistryError, match="hide"):
        ConnectorRegistry([f"{__name__}.Liar"]).all()


@pytest.mark.parametrize(
    "path", ["nowhere.Connector", "kopiena.connectors.base.Nope", "kopiena.connectors.base.ConnectKind", "x"]
)
def test_bad_entries_fail_fast(path):
    with pytest.raises(RegistryError):
        ConnectorRegistry([path]).all()


def test_duplicate_keys_fail_fast():
    with pytest.raises(RegistryError, match="duplicate"):
        ConnectorRegistry([f"{__name__}.Honest", f"{__name__}.Honest"]).all()


def test_override_swaps_and_restores():
    registry = ConnectorRegistry([f"{__name__}.Honest"])

    class Other(Honest):
        pass

    with registry.override("honest", Other) as cls:
        assert registry.get("honest") is cls is Other
    with registry.override("new", Honest):
        assert registry.get("new") is Honest
    with pytest.raises(RegistryError):
        registry.get("new")
    assert registry.get("honest") is Honest
