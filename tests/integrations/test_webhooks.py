"""Webhook receiver: signature checked by the connector, nothing written on a bad one, retries deduped."""

from __future__ import annotations

import json

import pytest

from kopiena.integrations import webhook_handlers
from kopiena.integrations.models import WebhookDelivery, WebhookEndpoint
from kopiena.integrations.selectors import webhook_secret_for
from kopiena.integrations.services import account_connect_checked, account_disconnect, webhook_endpoint_create
from tests.integrations.fakes import GOOD_TOKEN, sign

pytestmark = pytest.mark.django_db

received: list[tuple[int, list[str]]] = []


def record(*, account, events) -> None:
    received.append((account.pk, [e.delivery_key for e in events]))


def explode(*, account, events) -> None:
    raise RuntimeError("inbox is down")


@pytest.fixture(autouse=True)
def handlers(monkeypatch):
    received.clear()
    monkeypatch.setattr(webhook_handlers, "WEBHOOK_EVENT_HANDLERS", [f"{__name__}.record"])


@pytest.fixture
def endpoint(owner_access):
    account = account_connect_checked(
        access=owner_access, platform="fakehook", values={"access_token": GOOD_TOKEN, "chat_id": "9"}
    )
    return webhook_endpoint_create(access=owner_access, account=account)


def _post(client, endpoint, body: bytes, signature: str | None):
    headers = {"HTTP_X_FAKE_SIGNATURE": signature} if signature is not None else {}
    return client.post(
        f"/integrations/hooks/{endpoint.token}/", body, content_type="application/json", **headers
    )


def _delivery(*ids: str) -> bytes:
    return json.dumps({"events": [{"id": i} for i in ids]}).encode()


def test_a_signed_delivery_is_handed_over(client, endpoint):
    body = _delivery("c1", "c2")
    response = _post(client, endpoint, body, sign(body, webhook_secret_for(endpoint)))
    assert response.status_code == 200
    assert received == [(endpoint.account_id, ["c1", "c2"])]
    endpoint.refresh_from_db()
    assert endpoint.last_received_at is not None


@pytest.mark.parametrize("tamper", ["wrong", "missing", "altered body", "other secret"])
def test_a_bad_signature_is_401_and_writes_nothing(client, endpoint, tamper):
    body = _delivery("c1")
    secret = webhook_secret_for(endpoint)
    signature = {
        "wrong": "0" * 64,
        "missing": None,
        "altered body": sign(body, secret),
        "other secret": sign(body, "not-the-secret"),
    }[tamper]
    sent = _delivery("c1-evil") if tamper == "altered body" else body
    assert _post(client, endpoint, sent, signature).status_code == 401
    assert not WebhookDelivery.objects.exists()
    assert received == []
    endpoint.refresh_from_db()
    assert endpoint.last_received_at is None


def test_the_same_delivery_ten_times_is_handled_once(client, endpoint):
    body = _delivery("c1")
    signature = sign(body, webhook_secret_for(endpoint))
    for _ in range(10):
        assert _post(client, endpoint, body, signature).status_code == 200
    assert received == [(endpoint.account_id, ["c1"])]
    assert WebhookDelivery.objects.count() == 1


def test_a_batch_with_old_and_new_events_hands_over_only_the_new(client, endpoint):
    secret = webhook_secret_for(endpoint)
    first, second = _delivery("c1"), _delivery("c1", "c2", "c2")
    _post(client, endpoint, first, sign(first, secret))
    _post(client, endpoint, second, sign(second, secret))
    assert received == [(endpoint.account_id, ["c1"]), (endpoint.account_id, ["c2"])]


def test_a_failing_handler_rolls_back_so_the_retry_is_processed(client, endpoint, monkeypatch):
    body = _delivery("c1")
    signature = sign(body, webhook_secret_for(endpoint))
    monkeypatch.setattr(webhook_handlers, "WEBHOOK_EVENT_HANDLERS", [f"{__name__}.explode"])
    client.raise_request_exception = False
    assert _post(client, endpoint, body, signature).status_code == 500
    assert not WebhookDelivery.objects.exists()
    monkeypatch.setattr(webhook_handlers, "WEBHOOK_EVENT_HANDLERS", [f"{__name__}.record"])
    assert _post(client, endpoint, body, signature).status_code == 200
    assert received == [(endpoint.account_id, ["c1"])]


def test_subscription_handshake(client, endpoint):
    url = f"/integrations/hooks/{endpoint.token}/"
    secret = webhook_secret_for(endpoint)
    ok = client.get(url, {"challenge": "12345", "verify_token": secret})
    assert (ok.status_code, ok.content) == (200, b"12345")
    assert client.get(url, {"challenge": "12345", "verify_token": "guess"}).status_code == 403


def test_malformed_signed_body_is_400(client, endpoint):
    body = b"not json"
    assert _post(client, endpoint, body, sign(body, webhook_secret_for(endpoint))).status_code == 400


def test_unknown_token_and_disconnected_account_are_404(client, endpoint, owner_access):
    body = _delivery("c1")
    signature = sign(body, webhook_secret_for(endpoint))
    assert client.post("/integrations/hooks/nope/", body, content_type="application/json").status_code == 404
    account_disconnect(access=owner_access, account=endpoint.account)
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert _post(client, endpoint, body, signature).status_code == 404


def test_account_page_shows_the_address_and_the_secret_once(login, owner, workspace, endpoint):
    client = login(owner)
    page = f"/w/{workspace.slug}/settings/accounts/{endpoint.account_id}/"
    response = client.post(page + "webhooks/")
    assert response.status_code == 302
    newest = WebhookEndpoint.objects.order_by("-pk").first()
    first_view = client.get(page).content.decode()
    assert f"/integrations/hooks/{newest.token}/" in first_view
    assert webhook_secret_for(newest) in first_view
    assert webhook_secret_for(newest) not in client.get(page).content.decode()
