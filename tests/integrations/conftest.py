"""Every integration test runs against a registry holding one fake platform (tests/integrations/fakes.py)."""

from __future__ import annotations

import pytest

from tests.integrations.fakes import fake_registry


@pytest.fixture(autouse=True)
def connectors(monkeypatch):
    with fake_registry(monkeypatch) as registry:
        yield registry
