"""Instagram webhooks: Meta's signature over the raw body, comments, mentions looked up, stable keys."""

from __future__ import annotations

import json
import time

import pytest

from kopiena.connectors.facebook.webhooks import signature_for
from kopiena.connectors.types import ItemKind
from tests.connectors.test_instagram import APP_SECRET, FIXTURES, IG_USER, instagram  # noqa: F401 - fixture


def body_of(name: str) -> bytes:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    for entry in data["entry"]:
        entry["time"] = int(time.time())
    return json.dumps(data, ensure_ascii=False).encode()


def test_signed_delivery_is_accepted_and_tampering_is_not(instagram):  # noqa: F811
    body = body_of("webhook_comments")
    good = {"X-Hub-Signature-256": signature_for(body, APP_SECRET)}
    assert instagram.connector.verify_webhook(headers=good, body=body, secret="verify-token")
    altered = body.replace(b"bezkofe", b"BEZKOFE")
    assert not instagram.connector.verify_webhook(headers=good, body=altered, secret="verify-token")
    assert not instagram.connector.verify_webhook(headers={}, body=body, secret="verify-token")
    forged = {
        "X-Hub-Signature-256": signature_for(body, "verify-token")
    }  # the endpoint secret is not the key
    assert not instagram.connector.verify_webhook(headers=forged, body=body, secret="verify-token")


def test_comment_change_is_a_comment_under_our_media(instagram):  # noqa: F811
    batches = [
        instagram.connector.parse_webhook(headers={}, body=body_of("webhook_comments")) for _ in range(10)
    ]
    assert len({event.delivery_key for batch in batches for event in batch}) == 1
    (item,) = batches[0][0].items
    assert (item.kind, item.text, item.thread_id) == (
        ItemKind.COMMENT,
        "Vai ir bezkofeīna?",
        "17920000000000001",
    )
    assert item.author.handle == "@anna_b" and item.created_at.tzinfo is not None


def test_our_own_comment_is_not_an_inbox_item(instagram):  # noqa: F811
    data = json.loads(body_of("webhook_comments"))
    data["entry"][0]["changes"][0]["value"]["from"] = {"id": IG_USER, "username": "grauzdetava"}
    (event,) = instagram.connector.parse_webhook(headers={}, body=json.dumps(data).encode())
    assert event.items == ()


def test_mention_change_is_looked_up_and_becomes_a_mention(instagram):  # noqa: F811
    (event,) = instagram.connector.parse_webhook(headers={}, body=body_of("webhook_mentions"))
    (item,) = event.items
    assert (item.kind, item.text, item.external_id) == (
        ItemKind.MENTION,
        "@grauzdetava top!",
        "17850000000000077",
    )
    (lookup,) = instagram.server.requests_to("GET", rf"/v21\.0/{IG_USER}")
    assert lookup.query["fields"][0].startswith("mentioned_comment.comment_id(17850000000000077)")


@pytest.mark.parametrize("body", [b"", b"{}", b'{"entry": []}'])
def test_bodies_without_entries_are_not_authentic(instagram, body):  # noqa: F811
    headers = {"X-Hub-Signature-256": signature_for(body, APP_SECRET)}
    assert not instagram.connector.verify_webhook(headers=headers, body=body, secret="verify-token")
