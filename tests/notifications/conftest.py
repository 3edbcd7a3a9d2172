"""Shared helpers: a local webhook receiver (pytest-httpserver), a movable clock, a quick notice."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from kopiena.notifications import delivery, services
from kopiena.notifications.channels.webhook import signature
from tests.inbox.conftest import account, remote  # noqa: F401  (fixture, helper)
from tests.publishing.conftest import make_account  # noqa: F401  (fixture)

RIGA = ZoneInfo("Europe/Riga")


def riga(*args) -> datetime:
    return datetime(*args, tzinfo=RIGA).astimezone(UTC)


@pytest.fixture
def moment(monkeypatch):
    """Set the notification room's "now" (writing notices and recording deliveries)."""

    def at(value: datetime) -> datetime:
        monkeypatch.setattr(services, "now", lambda: value)
        monkeypatch.setattr(delivery, "now", lambda: value)
        return value

    return at


@pytest.fixture
def receiver(httpserver, settings):
    """A local outgoing-webhook receiver; loopback is allowed as an operator would for an on-premise hook."""
    settings.OUTBOUND_ALLOW_PRIVATE = True
    return httpserver


def received(httpserver) -> list[tuple[dict, dict]]:
    """(headers, JSON body) of every request the receiver got."""
    return [(dict(req.headers), json.loads(req.get_data())) for req, _resp in httpserver.log]


def verify(httpserver, secret: str) -> None:
    """Every request carries a valid signature made with ``secret``."""
    for req, _resp in httpserver.log:
        ts = req.headers["X-Kopiena-Timestamp"]
        assert req.headers["X-Kopiena-Signature"] == signature(secret, ts, req.get_data())
