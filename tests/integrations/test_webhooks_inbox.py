"""Webhooks end to end with the REAL connectors: /integrations/hooks/<token>/ → signature check →
delivery dedupe → inbox items. A wrong, missing, stale or body-altered delivery gets 401 and writes
nothing; the same delivery received ten times makes one item.

What each platform can detect differs: Meta signs the raw body (HMAC-SHA256) and timestamps entries;
VK puts a shared secret in the JSON body; Telegram sends a secret header. Neither VK nor Telegram signs
the body, so for them an altered body with the right secret cannot be told apart — replays are
caught by their delivery ids (``event_id``, ``update_id``) instead.
"""

from __future__ import annotations

import json
import time

import pytest

from kopiena.connectors.facebook import webhooks as fb_webhooks
from kopiena.connectors.testing import LocalServer
from kopiena.inbox.models import Item, Thread
from kopiena.integrations.models import WebhookDelivery
from kopiena.integrations.services import account_connect, webhook_endpoint_create
from tests.connectors.test_facebook import APP_SECRET, PAGE_ID
from tests.connectors.test_facebook import FIXTURES as FB_FIXTURES
from tests.connectors.test_telegram import BOT_TOKEN, FakeTelegram
from tests.connectors.test_telegram import FIXTURES as TG_FIXTURES
from tests.connectors.test_vk import FIXTURES as VK_FIXTURES
from tests.connectors.test_vk import GROUP_ID

pytestmark = pytest.mark.django_db

SECRET = "endpoint-secret-5b7c9d1e3f"


@pytest.fixture(autouse=True)
def connectors():
    """The real connector registry (this package's conftest otherwise swaps in a fake platform)."""
    yield None


def _rows() -> tuple[int, int, int]:
    return Item.objects.count(), Thread.objects.count(), WebhookDelivery.objects.count()


def _post(client, endpoint, body: bytes, **headers):
    return client.post(
        f"/integrations/hooks/{endpoint.token}/", body, content_type="application/json", **headers
    )


# ---------------------------------------------------------------- Telegram


@pytest.fixture
def telegram(owner_access, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the fake Bot API answers getChat on 127.0.0.1
    with LocalServer() as server:
        FakeTelegram(server)
        account = account_connect(
            access=owner_access,
            platform="telegram",
            name="Grauzdētava channel",
            credentials={"bot_token": BOT_TOKEN, "chat_id": "@grauzdetava"},
            base_url=server.base_url,
            external_id="-1001111111111",
        )
        yield webhook_endpoint_create(account=account, secret=SECRET)


TG_BODY = (TG_FIXTURES / "webhook_update.json").read_bytes()


def test_telegram_with_the_secret_token_creates_one_item_for_ten_deliveries(client, telegram):
    for _ in range(10):
        response = _post(client, telegram, TG_BODY, HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=SECRET)
        assert response.status_code == 200
    item = Item.objects.get()
    assert item.text == "Paldies, ļoti garšīga!" and item.account_id == telegram.account_id
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.parametrize("token", [None, "", "wrong", SECRET[:-1], SECRET + "x"])
def test_telegram_with_a_missing_or_wrong_token_gets_401_and_writes_nothing(client, telegram, token):
    headers = {} if token is None else {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": token}
    assert _post(client, telegram, TG_BODY, **headers).status_code == 401
    assert _rows() == (0, 0, 0)


# ---------------------------------------------------------------- VK


@pytest.fixture
def vk(owner_access):
    account = account_connect(
        access=owner_access,
        platform="vk",
        name="Grauzdētava VK",
        credentials={
            "access_token": "vk-token-1",
            "group_id": str(GROUP_ID),
            "confirmation_code": "a1b2c3d4",
        },
        external_id=str(GROUP_ID),
    )
    return webhook_endpoint_create(account=account, secret=SECRET)


def vk_event(**changes) -> bytes:
    data = json.loads((VK_FIXTURES / "callback_wall_reply_new.json").read_text(encoding="utf-8"))
    data["secret"] = SECRET
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False).encode()


def test_vk_confirmation_handshake_answers_the_code(client, vk):
    body = (VK_FIXTURES / "callback_confirmation.json").read_bytes()
    response = _post(client, vk, body)
    assert response.status_code == 200 and response.content == b"a1b2c3d4"
    assert _rows() == (0, 0, 0)


def test_vk_with_its_secret_answers_ok_and_ten_deliveries_make_one_item(client, vk):
    for _ in range(10):
        response = _post(client, vk, vk_event())
        assert response.status_code == 200 and response.content == b"ok"  # VK retries anything else
    assert Item.objects.get().text == "Vai rīt strādājat?"


@pytest.mark.parametrize(
    "body",
    [vk_event(secret=None), vk_event(secret=""), vk_event(secret="wrong"), vk_event(group_id=1)],
    ids=["missing", "empty", "wrong", "another-community"],
)
def test_vk_with_a_missing_or_wrong_secret_gets_401_and_writes_nothing(client, vk, body):
    assert _post(client, vk, body).status_code == 401
    assert _rows() == (0, 0, 0)


# ---------------------------------------------------------------- Facebook Page (Meta)


@pytest.fixture
def facebook(owner_access):
    account = account_connect(
        access=owner_access,
        platform="facebook",
        name="Grauzdētava Page",
        credentials={"access_token": "fb-page-token", "page_id": PAGE_ID, "app_secret": APP_SECRET},
        external_id=PAGE_ID,
    )
    return webhook_endpoint_create(account=account, secret=SECRET)


def fb_body(*, at: float | None = None) -> bytes:
    data = json.loads((FB_FIXTURES / "webhook_feed_comment.json").read_text(encoding="utf-8"))
    for entry in data["entry"]:
        entry["time"] = int(at if at is not None else time.time())
    return json.dumps(data, ensure_ascii=False).encode()


def fb_signed(body: bytes, secret: str = APP_SECRET) -> dict:
    return {"HTTP_X_HUB_SIGNATURE_256": fb_webhooks.signature_for(body, secret)}


def test_meta_subscription_handshake_echoes_the_challenge(client, facebook):
    query = {"hub.mode": "subscribe", "hub.verify_token": SECRET, "hub.challenge": "1158201444"}
    response = client.get(f"/integrations/hooks/{facebook.token}/", query)
    assert response.status_code == 200 and response.content == b"1158201444"
    wrong = client.get(f"/integrations/hooks/{facebook.token}/", {**query, "hub.verify_token": "guess"})
    assert wrong.status_code == 403


def test_meta_signed_delivery_ten_times_makes_one_item(client, facebook):
    body = fb_body()
    for _ in range(10):
        assert _post(client, facebook, body, **fb_signed(body)).status_code == 200
    item = Item.objects.get()
    assert item.account_id == facebook.account_id and item.text


@pytest.mark.parametrize("case", ["missing", "wrong-secret", "altered-body", "truncated", "stale-replay"])
def test_meta_missing_wrong_altered_or_replayed_signature_gets_401_and_writes_nothing(client, facebook, case):
    body = fb_body()
    headers = fb_signed(body)
    if case == "missing":
        headers = {}
    elif case == "wrong-secret":
        headers = fb_signed(body, "not-the-app-secret")
    elif case == "altered-body":
        body = body.replace(b'"time": ', b'"time": 1', 1)
    elif case == "truncated":
        headers = {"HTTP_X_HUB_SIGNATURE_256": headers["HTTP_X_HUB_SIGNATURE_256"][:-2]}
    elif case == "stale-replay":  # a correctly signed delivery captured two days ago
        body = fb_body(at=time.time() - 2 * 86400)
        headers = fb_signed(body)
    assert _post(client, facebook, body, **headers).status_code == 401
    assert _rows() == (0, 0, 0)


def test_unknown_token_is_404(client, facebook):
    assert (
        client.post("/integrations/hooks/not-a-token/", b"{}", content_type="application/json").status_code
        == 404
    )


def test_an_authentic_but_malformed_delivery_is_400_and_writes_nothing(client, telegram):
    body = b'{"update_id": 9, "message": {"text": '
    response = _post(client, telegram, body, HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=SECRET)
    assert response.status_code == 400
    assert _rows() == (0, 0, 0)


def test_an_oversized_delivery_is_refused_and_writes_nothing(client, facebook):
    body = b'{"object": "page", "entry": [], "pad": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = _post(client, facebook, body, **fb_signed(body))
    assert response.status_code in (400, 413)
    assert _rows() == (0, 0, 0)
