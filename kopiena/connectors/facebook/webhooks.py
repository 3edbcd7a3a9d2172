"""Meta webhooks (Facebook Pages and Instagram): verification handshake, signature, parsing. Pure functions.

https://developers.facebook.com/docs/graph-api/webhooks/getting-started
* Subscribing: Meta GETs ``?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…``; we echo the challenge
  only when the verify token is ours.
* Every POST carries ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the RAW body with the app secret>``.
  It is checked over the bytes as received — never over re-serialised JSON.
* Meta batches: one body holds ``entry[]`` with ``changes[]`` (or ``messaging[]``), and retries a failed
  delivery for up to 36 hours, possibly batched differently. So each change gets its own delivery key
  derived from its content, and a delivery older than :data:`MAX_DELIVERY_AGE_SECONDS` (a replay beyond
  Meta's retry window) is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from kopiena.connectors.errors import PermanentError
from kopiena.connectors.facebook import constants as c
from kopiena.connectors.facebook.mappers import author, parse_time
from kopiena.connectors.types import ItemKind, RemoteItem, WebhookChallenge, WebhookEvent

# Meta retries for 36 h; 12 h of slack for clock skew and our own downtime.
MAX_DELIVERY_AGE_SECONDS = 48 * 3600


def header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), "")
    return value or ""


def challenge(query: Mapping[str, str], *, verify_token: str) -> WebhookChallenge | None:
    """The subscription handshake: the challenge for our verify token, 403 for another, ``None`` if the
    request is not a handshake at all."""
    if query.get("hub.mode") != c.VERIFY_MODE:
        return None
    given = query.get("hub.verify_token", "")
    if verify_token and given and hmac.compare_digest(given.encode(), verify_token.encode()):
        return WebhookChallenge(body=str(query.get("hub.challenge", "")))
    return WebhookChallenge(body="Forbidden", status=403)


def signature_for(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify(headers: Mapping[str, str], body: bytes, *, app_secret: str, now: float | None = None) -> bool:
    """True only for a body signed with ``app_secret`` whose newest entry is within the retry window."""
    given = header(headers, c.SIGNATURE_HEADER)
    if not app_secret or not given.startswith("sha256="):
        return False
    if not hmac.compare_digest(given.encode(), signature_for(body, app_secret).encode()):
        return False
    try:
        entries = json.loads(body).get("entry") or []
        newest = max(_epoch(entry.get("time", 0)) for entry in entries) if entries else 0.0
    except (ValueError, AttributeError, TypeError):
        return False
    return (time.time() if now is None else now) - newest <= MAX_DELIVERY_AGE_SECONDS


def _epoch(value: int | float) -> float:
    return value / 1000 if value > 1e12 else float(value)  # messaging entries use milliseconds


def delivery_key(entry_id: str, field: str, value: Any) -> str:
    """Stable across Meta's retries and re-batching: derived from the change itself."""
    canonical = json.dumps(
        [entry_id, field, value], sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return "meta:" + hashlib.sha256(canonical.encode()).hexdigest()[:48]


# (entry, field, value) → the event for one change, or None for "nothing for the inbox".
ChangeParser = Callable[[Mapping[str, Any], str, Mapping[str, Any]], WebhookEvent | None]


def parse(body: bytes, parse_change: ChangeParser) -> list[WebhookEvent]:
    """One event per change (and per Messenger message); ``parse_change(entry, field, value)`` is the
    platform's own mapping (Facebook feed, Instagram comments). PermanentError for a delivery whose shape
    is not Meta's (a ``value`` that is a string, ``changes`` that are not objects…): the receiver answers
    400 and stores nothing of it."""
    try:
        return _parse(body, parse_change)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PermanentError(f"Malformed Meta webhook delivery ({type(exc).__name__}).") from None


def _objects(value: Any) -> list:
    """A list whose items are all JSON objects (``entry``, ``changes``, ``messaging``), else ValueError."""
    if not value:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError("expected a list of objects")
    return value


def _parse(body: bytes, parse_change: ChangeParser) -> list[WebhookEvent]:
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("expected an object")
    events: list[WebhookEvent] = []
    for entry in _objects(data.get("entry")):
        entry_id = str(entry.get("id", ""))
        for change in _objects(entry.get("changes")):
            field, value = str(change.get("field", "")), change.get("value") or {}
            if not isinstance(value, dict):
                raise ValueError("value")
            event = parse_change(entry, field, value)
            events.append(
                event or WebhookEvent(delivery_key=delivery_key(entry_id, field, value), event_type=field)
            )
        events.extend(_messages(entry_id, _objects(entry.get("messaging"))))
    return events


def _messages(page_id: str, messaging) -> Iterator[WebhookEvent]:
    """Messenger: https://developers.facebook.com/docs/messenger-platform/webhooks — ``mid`` is unique."""
    for event in messaging:
        message = event.get("message") or {}
        sender = str((event.get("sender") or {}).get("id", ""))
        if not message.get("mid") or message.get("is_echo") or sender == page_id:
            continue
        item = RemoteItem(
            external_id=str(message["mid"]),
            kind=ItemKind.MESSAGE,
            text=message.get("text", ""),
            created_at=parse_time(event.get("timestamp", 0)),
            author=author({"id": sender}),
            thread_id=f"messenger:{sender}",
        )
        yield WebhookEvent(delivery_key=f"meta:mid:{message['mid']}", event_type="messages", items=(item,))


def page_change(page_id: str) -> ChangeParser:
    """Facebook Page ``feed`` and ``mention`` changes → inbox items (https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed)."""

    def parse_change(entry: Mapping[str, Any], field: str, value: Mapping[str, Any]) -> WebhookEvent | None:
        key = delivery_key(str(entry.get("id", "")), field, value)
        item_kind, verb = value.get("item"), value.get("verb")
        sender = value.get("from") or {"id": value.get("sender_id"), "name": value.get("sender_name")}
        if str(sender.get("id")) == page_id:
            return WebhookEvent(delivery_key=key, event_type=f"{field}.own")
        if field == "feed" and item_kind == "comment":
            comment_id = str(value.get("comment_id", ""))
            if verb == "remove":
                return WebhookEvent(delivery_key=key, event_type="comment.removed", removed_ids=(comment_id,))
            if verb not in ("add", "edited"):
                return None
            post_id = str(value.get("post_id", ""))
            item = RemoteItem(
                external_id=comment_id,
                kind=ItemKind.COMMENT,
                text=value.get("message", ""),
                created_at=parse_time(value.get("created_time", 0)),
                author=author(sender),
                parent_id=str(value.get("parent_id") or post_id),
                thread_id=post_id,
                # An edit: the inbox keeps the text it first saw and records this one (Meta sends no edit time).
                edited_at=datetime.now(UTC) if verb == "edited" else None,
            )
            return WebhookEvent(delivery_key=key, event_type=f"comment.{verb}", items=(item,))
        if (field == "mention" or (field == "feed" and item_kind in ("post", "status"))) and verb == "add":
            item = RemoteItem(
                external_id=str(value.get("comment_id") or value.get("post_id", "")),
                kind=ItemKind.MENTION,
                text=value.get("message", ""),
                created_at=parse_time(value.get("created_time", 0)),
                author=author(sender),
                url=str((value.get("post") or {}).get("permalink_url", "")),
                thread_id=str(value.get("post_id", "")),
            )
            return WebhookEvent(delivery_key=key, event_type="mention", items=(item,))
        return None

    return parse_change
