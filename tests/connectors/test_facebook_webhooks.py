"""Meta webhooks for a Facebook Page: hub.challenge handshake, X-Hub-Signature-256 over the RAW body,
replay window, batched entries with per-change dedupe keys that survive Meta's retries and re-batching."""

from __future__ import annotations

import json
import time

import pytest

from kopiena.connectors.facebook import webhooks
from kopiena.connectors.types import ItemKind
from tests.connectors.test_facebook import APP_SECRET, FIXTURES, PAGE_ID, facebook  # noqa: F401 - fixture

VERIFY_TOKEN = "endpoint-verify-token-1f2e3d"


def body_of(name: str, *, at: float | None = None) -> bytes:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    for entry in data["entry"]:
        entry["time"] = int(at if at is not None else time.time())
    return json.dumps(data, ensure_ascii=False).encode()


def signed(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    return {"X-Hub-Signature-256": webhooks.signature_for(body, secret)}


def test_subscription_handshake_echoes_the_challenge_for_our_token_only(facebook):  # noqa: F811
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    answer = facebook.connector.webhook_challenge(method="GET", query=query, body=b"", secret=VERIFY_TOKEN)
    assert (answer.body, answer.status) == ("1158201444", 200)
    wrong = facebook.connector.webhook_challenge(
        method="GET", query={**query, "hub.verify_token": "guess"}, body=b"", secret=VERIFY_TOKEN
    )
    assert wrong.status == 403 and "1158201444" not in wrong.body
    assert facebook.connector.webhook_challenge(method="GET", query={}, body=b"", secret=VERIFY_TOKEN) is None
    assert (
        facebook.connector.webhook_challenge(method="POST", query=query, body=b"", secret=VERIFY_TOKEN)
        is None
    )


def test_correct_signature_over_the_raw_body_is_accepted(facebook):  # noqa: F811
    body = body_of("webhook_feed_comment")
    assert facebook.connector.verify_webhook(headers=signed(body), body=body, secret=VERIFY_TOKEN)
    lower = {"x-hub-signature-256": signed(body)["X-Hub-Signature-256"]}
    assert facebook.connector.verify_webhook(headers=lower, body=body, secret=VERIFY_TOKEN)


def test_reserialised_json_is_not_the_signed_body(facebook):  # noqa: F811
    body = body_of("webhook_feed_comment")
    reserialised = json.dumps(json.loads(body)).encode()  # ensure_ascii escapes "ē": other bytes
    assert reserialised != body
    assert not facebook.connector.verify_webhook(headers=signed(body), body=reserialised, secret=VERIFY_TOKEN)


@pytest.mark.parametrize("case", ["missing", "empty", "wrong-secret", "sha1", "altered-body", "truncated"])
def test_missing_wrong_or_altered_signatures_are_rejected(facebook, case):  # noqa: F811
    body = body_of("webhook_feed_comment")
    headers = {
        "missing": {},
        "empty": {"X-Hub-Signature-256": ""},
        "wrong-secret": signed(body, "not-the-app-secret"),
        "sha1": {"X-Hub-Signature-256": signed(body)["X-Hub-Signature-256"].replace("sha256=", "sha1=")},
        "altered-body": signed(body),
        "truncated": {"X-Hub-Signature-256": signed(body)["X-Hub-Signature-256"][:-2]},
    }[case]
    sent = (
        body.replace("Vai rīt strādājat?".encode(), "Vai rīt strādājat?!".encode())
        if case == "altered-body"
        else body
    )
    assert facebook.connector.verify_webhook(headers=headers, body=sent, secret=VERIFY_TOKEN) is False


def test_a_replay_older_than_metas_retry_window_is_rejected(facebook):  # noqa: F811
    old = body_of("webhook_feed_comment", at=time.time() - webhooks.MAX_DELIVERY_AGE_SECONDS - 60)
    assert facebook.connector.verify_webhook(headers=signed(old), body=old, secret=VERIFY_TOKEN) is False
    retry = body_of("webhook_feed_comment", at=time.time() - 35 * 3600)  # Meta still retrying: fine
    assert facebook.connector.verify_webhook(headers=signed(retry), body=retry, secret=VERIFY_TOKEN)


def test_without_an_app_secret_nothing_is_accepted(facebook):  # noqa: F811
    body = body_of("webhook_feed_comment")
    assert not webhooks.verify(signed(body, ""), body, app_secret="")


def test_batched_delivery_gives_one_event_per_change(facebook):  # noqa: F811
    events = facebook.connector.parse_webhook(headers={}, body=body_of("webhook_feed_batched"))
    by_type = {event.event_type: event for event in events}
    assert set(by_type) == {"comment.add", "comment.removed", "feed", "mention"}
    (comment,) = by_type["comment.add"].items
    assert comment.kind == ItemKind.COMMENT and comment.text == "Когда открываетесь?"
    assert comment.thread_id == f"{PAGE_ID}_900000000000001" and comment.created_at.tzinfo is not None
    assert by_type["comment.removed"].removed_ids == ("900000000000001_3000000000000004",)
    assert by_type["feed"].items == ()  # a reaction: nothing to answer
    (mention,) = by_type["mention"].items
    assert mention.kind == ItemKind.MENTION and mention.author.name == "Līga Ozola"
    assert len({event.delivery_key for event in events}) == 4


def test_delivery_keys_survive_retries_and_rebatching(facebook):  # noqa: F811
    body = body_of("webhook_feed_batched", at=1795001000)
    keys = [
        {e.delivery_key for e in facebook.connector.parse_webhook(headers={}, body=body)} for _ in range(10)
    ]
    assert all(k == keys[0] for k in keys)
    data = json.loads(body)
    singles = set()
    for entry in data["entry"]:  # Meta may retry the same changes one entry per request
        for change in entry["changes"]:
            one = {"object": "page", "entry": [{**entry, "changes": [change]}]}
            singles |= {
                e.delivery_key
                for e in facebook.connector.parse_webhook(headers={}, body=json.dumps(one).encode())
            }
    assert singles == keys[0]


def test_the_pages_own_comment_is_not_an_inbox_item(facebook):  # noqa: F811
    data = json.loads(body_of("webhook_feed_comment"))
    data["entry"][0]["changes"][0]["value"]["from"] = {"id": PAGE_ID, "name": "Rīgas Grauzdētava"}
    (event,) = facebook.connector.parse_webhook(headers={}, body=json.dumps(data).encode())
    assert event.items == ()


def test_messenger_messages_are_messages_keyed_by_mid(facebook):  # noqa: F811
    payload = {"object": "page", "entry": [{"id": PAGE_ID, "time": int(time.time() * 1000), "messaging": [
        {"sender": {"id": "6100000000000001"}, "recipient": {"id": PAGE_ID}, "timestamp": int(time.time() * 1000),
         "message": {"mid": "m_AbCdEf", "text": "Vai varu pasūtīt uz mājām?"}},
        {"sender": {"id": PAGE_ID}, "recipient": {"id": "6100000000000001"}, "timestamp": int(time.time() * 1000),
         "message": {"mid": "m_echo", "text": "Jā!", "is_echo": True}},
    ]}]}  # fmt: skip
    body = json.dumps(payload).encode()
    assert facebook.connector.verify_webhook(headers=signed(body), body=body, secret=VERIFY_TOKEN)
    (event,) = facebook.connector.parse_webhook(headers={}, body=body)
    (item,) = event.items
    assert (event.delivery_key, item.kind, item.text) == (
        "meta:mid:m_AbCdEf",
        ItemKind.MESSAGE,
        "Vai varu pasūtīt uz mājām?",
    )
