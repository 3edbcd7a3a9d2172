"""The connector registry is checked at start-up (``kopiena check``), naming the broken entry."""

from __future__ import annotations

from kopiena.connectors import registry as connector_registry
from kopiena.connectors.registry import ConnectorRegistry
from kopiena.integrations.checks import connector_registry_builds


def test_a_healthy_registry_passes():
    assert connector_registry_builds() == []


def test_a_broken_entry_is_an_error_naming_it(monkeypatch):
    broken = ConnectorRegistry(paths=["kopiena.connectors.nowhere.GhostConnector"])
    monkeypatch.setattr(connector_registry, "all", broken.all)
    errors = connector_registry_builds()
    assert [e.id for e in errors] == ["kopiena.integrations.E001"]
    assert "kopiena.connectors.nowhere.GhostConnector" in errors[0].msg
