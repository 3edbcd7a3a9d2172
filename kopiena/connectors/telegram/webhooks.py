"""Telegram webhook deliveries: verification and parsing (pure functions).

Telegram does not sign updates. ``setWebhook(secret_token=…)`` makes it send that value back in the
``X-Telegram-Bot-Api-Secret-Token`` header of every delivery; we compare it in constant time. Telegram
retries a delivery until we answer 2xx, with the same ``update_id``: that is the dedupe key.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping

from kopiena.connectors.telegram import constants as c
from kopiena.connectors.telegram.mappers import Channel, update_to_item
from kopiena.connectors.types import WebhookEvent


def header(headers: Mapping[str, str], name: str) -> str:
    """Case-insensitive header lookup that works for plain dicts and Django's ``request.headers``."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), "")
    return value or ""


def verify(headers: Mapping[str, str], *, secret: str) -> bool:
    """True only when the secret-token header equals ``secret`` (never for an empty secret)."""
    given = header(headers, c.SECRET_TOKEN_HEADER)
    return bool(secret) and bool(given) and hmac.compare_digest(given.encode(), secret.encode())


def parse(body: bytes, channel: Channel) -> list[WebhookEvent]:
    """One update per delivery; its ``update_id`` is the delivery key."""
    update = json.loads(body)
    item = update_to_item(update, channel)
    kind = next((key for key in update if key != "update_id"), "unknown")
    return [
        WebhookEvent(
            delivery_key=f"telegram:update:{update['update_id']}",
            event_type=kind,
            items=(item,) if item else (),
        )
    ]
