"""Instagram webhook changes → inbox items. Signature, handshake and batching are Meta's, shared with
Facebook (``connectors.facebook.webhooks``); this is only the mapping of Instagram's fields.

https://developers.facebook.com/docs/instagram-platform/webhooks — ``comments`` carries the comment
(id, text, from, media, parent_id); ``mentions`` carries only ids, so the connector looks the mention up
(``lookup_mention``) before it can become an item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kopiena.connectors.facebook.mappers import parse_time
from kopiena.connectors.facebook.webhooks import ChangeParser, delivery_key
from kopiena.connectors.instagram.mappers import author
from kopiena.connectors.types import ItemKind, RemoteItem, WebhookEvent

MentionLookup = Callable[[Mapping[str, Any]], RemoteItem | None]


def change_parser(ig_user_id: str, lookup_mention: MentionLookup) -> ChangeParser:
    def parse_change(entry: Mapping[str, Any], field: str, value: Mapping[str, Any]) -> WebhookEvent | None:
        key = delivery_key(str(entry.get("id", "")), field, value)
        if field == "comments":
            if str((value.get("from") or {}).get("id")) == ig_user_id:
                return WebhookEvent(delivery_key=key, event_type="comments.own")
            media_id = str((value.get("media") or {}).get("id", ""))
            item = RemoteItem(
                external_id=str(value["id"]),
                kind=ItemKind.COMMENT,
                text=value.get("text", ""),
                # The change has no time of its own: the entry's is when Meta saw it.
                created_at=parse_time(entry.get("time", 0)),
                author=author(value),
                parent_id=str(value.get("parent_id") or media_id),
                thread_id=media_id,
            )
            return WebhookEvent(delivery_key=key, event_type="comments", items=(item,))
        if field == "mentions":
            item = lookup_mention(value)
            return WebhookEvent(delivery_key=key, event_type="mentions", items=(item,) if item else ())
        return None

    return parse_change
