"""System check: the connector registry builds (every path loads, every declared capability is real).

Runs with ``kopiena check``, ``migrate`` and before ``run`` serves anything, so a broken connector entry
fails at start-up with its name instead of on the first page that lists accounts.
"""

from __future__ import annotations

from django.core.checks import Error, register

from kopiena.connectors import registry as connector_registry
from kopiena.connectors.registry import RegistryError


@register()
def connector_registry_builds(app_configs=None, **kwargs) -> list[Error]:
    try:
        connector_registry.all()
    except RegistryError as exc:
        return [Error(f"Connector registry: {exc}", id="kopiena.integrations.E001")]
    return []
