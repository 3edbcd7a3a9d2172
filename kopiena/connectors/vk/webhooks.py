"""VK Callback API deliveries: confirmation handshake, secret check and parsing (pure functions).

https://dev.vk.com/ru/api/callback/getting-started — VK first POSTs ``{"type": "confirmation"}`` and
expects the community's confirmation string back; every later event carries the ``secret`` set in the
community's Callback API settings and an ``event_id`` ("if it arrives twice or more, ignore it"), our
dedupe key. VK does not sign the body: the secret inside it is the authentication. The endpoint must
answer every event with the plain text ``ok`` or VK repeats it.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from kopiena.connectors.errors import PermanentError
from kopiena.connectors.types import WebhookChallenge, WebhookEvent
from kopiena.connectors.vk import constants as c
from kopiena.connectors.vk.mappers import comment_to_item, post_id

# Events we read ``object`` of: it must be a JSON object there.
_OBJECT_EVENTS = frozenset(
    {c.CALLBACK_WALL_REPLY_NEW, c.CALLBACK_WALL_REPLY_EDIT, c.CALLBACK_WALL_REPLY_DELETE}
)


def _load(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _same_group(data: dict[str, Any], group_id: int) -> bool:
    try:
        return int(data.get("group_id", 0)) == group_id
    except (TypeError, ValueError):
        return False


def challenge(body: bytes, *, group_id: int, confirmation_code: str) -> WebhookChallenge | None:
    """The confirmation string when ``body`` is OUR community's confirmation request, else ``None``."""
    data = _load(body)
    if not data or data.get("type") != c.CALLBACK_CONFIRMATION or not confirmation_code:
        return None
    return WebhookChallenge(body=confirmation_code) if _same_group(data, group_id) else None


def verify(body: bytes, *, secret: str, group_id: int) -> bool:
    """True only for an event for our community whose ``secret`` equals ours (constant-time)."""
    data = _load(body)
    given = (data or {}).get("secret")
    if not secret or not isinstance(given, str) or not _same_group(data, group_id):
        return False
    return hmac.compare_digest(given.encode(), secret.encode())


def parse(body: bytes, *, group_id: int) -> list[WebhookEvent]:
    """The events of a VERIFIED delivery; PermanentError for one whose shape is not VK's (an ``object``
    missing, a list, a comment without its post) — the receiver answers 400 and stores nothing."""
    try:
        return _parse(body, group_id=group_id)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PermanentError(f"Malformed VK Callback API delivery ({type(exc).__name__}).") from None


def _parse(body: bytes, *, group_id: int) -> list[WebhookEvent]:
    data = _load(body) or {}
    kind = str(data.get("type", "unknown"))
    obj = data.get("object")
    if kind in _OBJECT_EVENTS and not isinstance(obj, dict):
        raise ValueError("object")
    obj = obj if isinstance(obj, dict) else {}
    key = f"vk:{group_id}:{data.get('event_id', '')}"
    owner = -group_id
    if kind in (c.CALLBACK_WALL_REPLY_NEW, c.CALLBACK_WALL_REPLY_EDIT) and obj.get("from_id") != owner:
        item = comment_to_item(
            obj, owner_id=int(obj.get("post_owner_id", owner)), post=int(obj["post_id"]), refs={}
        )
        if kind == c.CALLBACK_WALL_REPLY_EDIT:  # the inbox keeps the first text and records the edit
            item = replace(item, edited_at=datetime.now(UTC))
        return [WebhookEvent(delivery_key=key, event_type=kind, items=(item,))]
    if kind == c.CALLBACK_WALL_REPLY_DELETE:
        removed = f"{post_id(obj.get('owner_id', owner), obj.get('post_id'))}_{obj.get('id')}"
        return [WebhookEvent(delivery_key=key, event_type=kind, removed_ids=(removed,))]
    return [WebhookEvent(delivery_key=key, event_type=kind)]
