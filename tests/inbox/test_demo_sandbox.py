"""The demo loader connects a sandbox account once; the serving commands start the sandbox it talks to."""

from __future__ import annotations

import socket

import pytest

from kopiena.connectors.http import RATE_LIMITER
from kopiena.core.demo import demo_load
from kopiena.integrations.connecting import connector_for
from kopiena.integrations.models import ConnectedAccount
from kopiena.sandbox import demo as sandbox_demo

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_connects_one_sandbox_account_and_the_sandbox_accepts_its_token(monkeypatch, settings, tmp_path):
    port = _free_port()
    monkeypatch.setattr(sandbox_demo, "SANDBOX_PORT", port)
    monkeypatch.setattr(sandbox_demo, "SANDBOX_URL", f"http://127.0.0.1:{port}")
    settings.VAR_DIR = tmp_path
    assert sandbox_demo.start_demo_sandbox() is None  # no sandbox account yet: nothing started
    demo_load()
    demo_load()  # idempotent
    account = ConnectedAccount.objects.get(is_sandbox=True)
    assert account.name == "Sandbox (Mastodon)" and account.platform == "mastodon"
    sandbox = sandbox_demo.start_demo_sandbox()
    try:
        RATE_LIMITER.reset()
        with connector_for(
            account
        ) as connector:  # the real Mastodon connector, loopback allowed for sandboxes
            assert connector.verify().handle.lstrip("@") == "kafija"
        assert sandbox.audience is not None
    finally:
        sandbox.stop()
    assert (tmp_path / "sandbox.json").exists()
