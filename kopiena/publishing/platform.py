"""The publishing side of the connector contract: build a request from a variant, validate, publish,
reconcile, read metrics. The only module in publishing that talks to ``kopiena.connectors``."""

from __future__ import annotations

from kopiena.publishing.models import Variant


def validate_variant(variant: Variant) -> list[dict]:
    """The connector's ``validate()`` for this variant as [{"code", "field", "message"}]."""
    return []
