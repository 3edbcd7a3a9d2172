"""Telegram webhook deliveries: the secret-token header, parsing, and a stable dedupe key.

Telegram does not sign the body (there is nothing to check a body alteration against); the secret token
is the authentication and ``update_id`` the replay/dedupe key.
"""

from __future__ import annotations

import json

import pytest

from kopiena.connectors.telegram import webhooks
from kopiena.connectors.types import ItemKind
from tests.connectors.test_telegram import CHANNEL_ID, FIXTURES, telegram  # noqa: F401 - fixture

SECRET = "wh-secret_0123456789-abcdefghij"
BODY = (FIXTURES / "webhook_update.json").read_bytes()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Telegram-Bot-Api-Secret-Token": ""},
        {"X-Telegram-Bot-Api-Secret-Token": "wrong"},
        {"X-Telegram-Bot-Api-Secret-Token": SECRET[:-1]},
        {"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"},
    ],
)
def test_missing_or_wrong_secret_token_is_rejected(telegram, headers):  # noqa: F811
    assert telegram.connector.verify_webhook(headers=headers, body=BODY, secret=SECRET) is False


def test_correct_secret_token_is_accepted_in_any_header_case(telegram):  # noqa: F811
    for name in ("X-Telegram-Bot-Api-Secret-Token", "x-telegram-bot-api-secret-token"):
        assert telegram.connector.verify_webhook(headers={name: SECRET}, body=BODY, secret=SECRET)


def test_an_endpoint_without_a_secret_accepts_nothing(telegram):  # noqa: F811
    assert not telegram.connector.verify_webhook(
        headers={"X-Telegram-Bot-Api-Secret-Token": ""}, body=BODY, secret=""
    )


def test_comment_update_is_parsed_with_its_post_and_a_stable_key(telegram):  # noqa: F811
    events = [telegram.connector.parse_webhook(headers={}, body=BODY) for _ in range(10)]
    keys = {event.delivery_key for batch in events for event in batch}
    assert keys == {"telegram:update:900000010"}  # ten retries, one delivery
    (event,) = events[0]
    (item,) = event.items
    assert event.event_type == "message"
    assert item.kind == ItemKind.COMMENT and item.text == "Paldies, ļoti garšīga!"
    assert item.thread_id == f"{CHANNEL_ID}:501"
    assert telegram.server.count("POST", r"/bot[^/]+/getChat") == 1  # the channel is looked up once


def test_the_automatic_forward_of_our_own_post_is_not_an_inbox_item(telegram):  # noqa: F811
    update = json.loads((FIXTURES / "get_updates.json").read_text(encoding="utf-8"))["result"][0]
    (event,) = telegram.connector.parse_webhook(headers={}, body=json.dumps(update).encode())
    assert event.items == () and event.delivery_key == "telegram:update:900000001"


def test_header_lookup_is_case_insensitive():
    assert webhooks.header({"x-telegram-bot-api-secret-token": "a"}, "X-Telegram-Bot-Api-Secret-Token") == "a"
