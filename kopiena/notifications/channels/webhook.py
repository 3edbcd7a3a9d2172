"""Outgoing webhooks: a notice POSTed as JSON in a Slack-compatible or a Telegram-bot format, signed.

Signature (every format): ``X-Kopiena-Timestamp: <unix seconds>`` and
``X-Kopiena-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the endpoint's secret>``;
``X-Kopiena-Delivery`` is a stable id (the same on a retry, so a receiver can drop repeats). The request
goes through ``connectors.http`` (SSRF guard; private addresses only with KOPIENA_OUTBOUND_ALLOW_PRIVATE).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import time

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from kopiena.connectors.http import HttpClient
from kopiena.notifications.rendering import Rendered, absolute

TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=10.0, pool=5.0)


class WebhookClient(HttpClient):
    """Logs and error messages name only the host: the path of a Slack or Telegram URL is its token."""

    def _shown_url(self, url: httpx.URL) -> str:
        return f"{url.scheme}://{url.host}/…"


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload(*, fmt: str, rendered: Rendered, chat_id: str = "") -> dict:
    """The JSON body for ``fmt`` (``slack`` or ``telegram``), in the language ``rendered`` was made in."""
    link = absolute(rendered.path)
    open_label = _("Open in Kopiena")
    if fmt == "telegram":
        text = f"<b>{html.escape(rendered.title)}</b>\n{html.escape(rendered.body)}"
        if link:
            text += f'\n<a href="{html.escape(link, quote=True)}">{html.escape(open_label)}</a>'
        return {
            "chat_id": chat_id,
            "text": text[:4096],
            "parse_mode": "HTML",
            "disable_web_page_preview": True,
        }
    text = f"*{_slack_escape(rendered.title)}*\n{_slack_escape(rendered.body)}"
    if link:
        text += f"\n<{link}|{_slack_escape(open_label)}>"
    return {"text": text}


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def post(*, url: str, secret: str, body: dict, delivery_id: str, endpoint_key: str, kind: str = "") -> None:
    """POST ``body`` signed; raises a ``connectors.errors`` error when it did not arrive (4xx/5xx, no
    connection, a refused address)."""
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Kopiena-Timestamp": timestamp,
        "X-Kopiena-Signature": signature(secret, timestamp, raw),
        "X-Kopiena-Delivery": delivery_id,
    }
    if kind:
        headers["X-Kopiena-Kind"] = kind
    client = WebhookClient(
        account_key=f"notify-webhook:{endpoint_key}",
        secrets=[secret],
        allow_private=settings.OUTBOUND_ALLOW_PRIVATE,
        timeout=TIMEOUT,
        retries=1,
    )
    try:
        client.post(url, content=raw, headers=headers, max_bytes=64 * 1024)
    finally:
        client.close()
