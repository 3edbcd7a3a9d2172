"""The no-accounts demo: the demo workspace's "Sandbox (Mastodon)" account, connected through the REAL
Mastodon connector to the local sandbox server that ``kopiena run`` / ``kopiena demo --serve`` start
in-process on SANDBOX_PORT with the simulated audience, so a newcomer sees posts go out and comments
come back within a minute.

``load_sandbox_account`` is a demo loader (``DEMO_LOADERS``); ``start_demo_sandbox`` is called by the
serving commands and does nothing when no workspace has a sandbox account at SANDBOX_URL.
"""

from __future__ import annotations

import logging
import secrets
from typing import TextIO

from django.conf import settings

from kopiena.integrations.models import AccountStatus, ConnectedAccount
from kopiena.integrations.selectors import credential_for
from kopiena.integrations.services import account_connect
from kopiena.teams.selectors import access_workspace

logger = logging.getLogger(__name__)

SANDBOX_HOST = "127.0.0.1"
SANDBOX_PORT = 8787
SANDBOX_URL = f"http://{SANDBOX_HOST}:{SANDBOX_PORT}"
SANDBOX_ACCOUNT_NAME = "Sandbox (Mastodon)"
SANDBOX_HANDLE = "kafija"


def _sandbox_accounts():
    return ConnectedAccount.objects.filter(
        platform="mastodon", is_sandbox=True, base_url=SANDBOX_URL, status=AccountStatus.ACTIVE
    )


def load_sandbox_account(ctx) -> None:
    """Connect (once) the demo workspace's sandbox account; its token is made up here and handed to the
    sandbox when it starts, so the real connector authenticates like on any Mastodon instance."""
    existing = _sandbox_accounts().filter(workspace=ctx.workspace).first()
    if existing is not None and credential_for(existing).get("access_token"):
        return
    account_connect(
        access=access_workspace(actor=ctx.owner, slug=ctx.workspace.slug),
        platform="mastodon",
        name=SANDBOX_ACCOUNT_NAME,
        credentials={"access_token": secrets.token_urlsafe(32)},
        base_url=SANDBOX_URL,
        handle=f"@{SANDBOX_HANDLE}",
        external_id="sandbox:kafija",
        approval_required=False,
        is_sandbox=True,
    )
    ctx.log(f"Connected “{SANDBOX_ACCOUNT_NAME}” to the local sandbox at {SANDBOX_URL}.")


def start_demo_sandbox(*, stdout: TextIO | None = None):
    """Start the sandbox with its simulated audience if a workspace has a sandbox account; returns the
    running server (or None). Its state survives restarts in ``var/sandbox.json``."""
    from kopiena.sandbox import start_sandbox

    account = _sandbox_accounts().order_by("pk").first()
    if account is None:
        return None
    token = credential_for(account).get("access_token", "")
    try:
        sandbox = start_sandbox(
            SANDBOX_PORT,
            host=SANDBOX_HOST,
            access_token=token,
            username=SANDBOX_HANDLE,
            audience=True,
            state_path=settings.VAR_DIR / "sandbox.json",
        )
    except OSError as exc:  # the port is taken (a second `kopiena run`): the demo still works without it
        logger.warning("sandbox not started on %s: %s", SANDBOX_URL, exc)
        return None
    if stdout is not None:
        stdout.write(f"Sandbox platform (Mastodon API) with a simulated audience on {sandbox.base_url}\n")
    return sandbox
