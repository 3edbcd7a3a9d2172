"""VK Callback API: confirmation handshake, the ``secret`` field, parsing and the ``event_id`` dedupe key.

VK puts the secret inside the JSON body and does not sign it; a changed secret, group or missing secret is
rejected, and a replayed delivery keeps its ``event_id`` so ingest stores it once.
"""

from __future__ import annotations

import json

import pytest

from kopiena.connectors.types import ItemKind
from tests.connectors.test_vk import FIXTURES, GROUP_ID, OWNER, vk  # noqa: F401 - fixture

SECRET = "callback-secret-9f8e7d6c"


def event(**changes) -> bytes:
    data = json.loads((FIXTURES / "callback_wall_reply_new.json").read_text(encoding="utf-8"))
    data["secret"] = SECRET
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False).encode()


def test_confirmation_request_of_our_community_gets_the_code(vk):  # noqa: F811
    body = (FIXTURES / "callback_confirmation.json").read_bytes()
    answer = vk.connector.webhook_challenge(method="POST", query={}, body=body, secret=SECRET)
    assert answer is not None and answer.body == "a1b2c3d4" and answer.status == 200


def test_confirmation_for_another_community_or_a_normal_event_is_no_challenge(vk):  # noqa: F811
    other = json.dumps({"type": "confirmation", "group_id": 1}).encode()
    assert vk.connector.webhook_challenge(method="POST", query={}, body=other, secret=SECRET) is None
    assert vk.connector.webhook_challenge(method="POST", query={}, body=event(), secret=SECRET) is None
    assert vk.connector.webhook_challenge(method="GET", query={}, body=b"", secret=SECRET) is None


def test_correct_secret_is_accepted(vk):  # noqa: F811
    assert vk.connector.verify_webhook(headers={}, body=event(), secret=SECRET)


@pytest.mark.parametrize(
    "body",
    [
        event(secret=None),
        event(secret=""),
        event(secret="wrong"),
        event(secret=SECRET + "x"),
        event(group_id=1),
        b"not json",
        b"[]",
    ],
    ids=["missing", "empty", "wrong", "longer", "other-group", "garbage", "not-an-object"],
)
def test_missing_wrong_or_foreign_deliveries_are_rejected(vk, body):  # noqa: F811
    assert vk.connector.verify_webhook(headers={}, body=body, secret=SECRET) is False


def test_an_endpoint_without_a_secret_accepts_nothing(vk):  # noqa: F811
    assert vk.connector.verify_webhook(headers={}, body=event(secret=""), secret="") is False


def test_new_comment_is_parsed_once_however_often_it_is_delivered(vk):  # noqa: F811
    batches = [vk.connector.parse_webhook(headers={}, body=event()) for _ in range(10)]
    assert {e.delivery_key for batch in batches for e in batch} == {
        f"vk:{GROUP_ID}:3f8d3c0e6b1e4a3c2d1f0e9d8c7b6a5948372615"
    }
    (item,) = batches[0][0].items
    assert item.kind == ItemKind.COMMENT and item.text == "Vai rīt strādājat?"
    assert (item.external_id, item.thread_id) == (f"{OWNER}_1001_5010", f"{OWNER}_1001")
    assert item.created_at.tzinfo is not None


def test_our_own_reply_and_deletions_are_not_new_items(vk):  # noqa: F811
    data = json.loads(event())
    data["object"]["from_id"] = OWNER
    (own,) = vk.connector.parse_webhook(headers={}, body=json.dumps(data).encode())
    assert own.items == ()
    deleted = {"type": "wall_reply_delete", "group_id": GROUP_ID, "event_id": "e2", "secret": SECRET,
               "object": {"owner_id": OWNER, "id": 5010, "post_id": 1001, "deleter_id": 1}}  # fmt: skip
    (gone,) = vk.connector.parse_webhook(headers={}, body=json.dumps(deleted).encode())
    assert gone.removed_ids == (f"{OWNER}_1001_5010",) and gone.items == ()
