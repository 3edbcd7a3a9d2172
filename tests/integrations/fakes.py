"""A fake platform for integration/security tests, so they do not depend on any real connector."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager

from kopiena.connectors import registry as connector_registry
from kopiena.connectors.base import ConnectKind, Connector
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.errors import AccountDisconnected, PermanentError, TransientError
from kopiena.connectors.registry import ConnectorRegistry
from kopiena.connectors.types import AccountInfo, PostDraft, PublishResult, WebhookChallenge, WebhookEvent

GOOD_TOKEN = "fk-GOOD-4f1c9e2b7a"
SESSION_TOKEN = "fk-SESSION-77aa01"


class FakeConnector(Connector):
    """Accepts exactly GOOD_TOKEN; the server address decides reachability."""

    key = "fakebook"
    name = "Fakebook"
    connect = ConnectKind.TOKEN
    credential_fields = ("access_token", "chat_id")
    default_base_url = "https://fakebook.example"
    capabilities = frozenset({Capability.PUBLISH, Capability.REPLY})

    def verify(self) -> AccountInfo:
        if self.credentials.secret("chat_id") == "explode":
            raise RuntimeError("a bug in a connector")  # not a ConnectorError: becomes a 500
        if "unreachable" in self.base_url:
            raise TransientError("connection refused")
        if self.credentials.secret("access_token") != GOOD_TOKEN:
            raise AccountDisconnected(platform_message="Invalid OAuth access token")
        self._session = SESSION_TOKEN  # like Bluesky: verifying opens a session worth keeping
        return AccountInfo(
            external_id=f"chat-{self.credentials.secret('chat_id')}", handle="@kafija", name="Kafija Rīga"
        )

    def updated_secrets(self) -> dict[str, str]:
        return {"session": self._session} if getattr(self, "_session", "") else {}

    def publish(self, draft: PostDraft) -> PublishResult:
        raise NotImplementedError

    def reply(self, *, parent_id: str, draft: PostDraft) -> PublishResult:
        raise NotImplementedError


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class FakeHookConnector(FakeConnector):
    """Fakebook plus webhooks: ``X-Fake-Signature`` = HMAC-SHA256(secret, body); GET ?challenge= echoes."""

    key = "fakehook"
    name = "Fakehook"
    capabilities = FakeConnector.capabilities | {Capability.WEBHOOKS}

    def webhook_challenge(self, *, method, query, body, secret):
        if method == "GET" and "challenge" in query:
            ok = hmac.compare_digest(query.get("verify_token", ""), secret)
            return WebhookChallenge(body=query["challenge"]) if ok else WebhookChallenge(body="", status=403)
        return None

    def verify_webhook(self, *, headers, body, secret) -> bool:
        return hmac.compare_digest(headers.get("X-Fake-Signature", ""), sign(body, secret))

    def parse_webhook(self, *, headers, body) -> list[WebhookEvent]:
        try:
            events = json.loads(body)["events"]
        except (ValueError, KeyError) as exc:
            raise PermanentError("malformed delivery") from exc
        return [WebhookEvent(delivery_key=event["id"], event_type="comment") for event in events]


@contextmanager
def fake_registry(monkeypatch) -> Iterator[ConnectorRegistry]:
    """Replace the connector registry with one that has only FakeConnector."""
    fake = ConnectorRegistry(paths=())
    monkeypatch.setattr(connector_registry, "get", fake.get)
    monkeypatch.setattr(connector_registry, "all", fake.all)
    with (
        fake.override(FakeConnector.key, FakeConnector),
        fake.override(FakeHookConnector.key, FakeHookConnector),
    ):
        yield fake
