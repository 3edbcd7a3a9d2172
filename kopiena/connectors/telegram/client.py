"""Telegram Bot API calls over the shared HTTP client.

The Bot API authenticates by the token in the URL path (``/bot<token>/method``) and offers no header
alternative. :class:`TelegramHttpClient` allows the token there and nowhere else (never in a query string),
the shared client scrubs it from its own log lines and errors, and :data:`HTTPX_LOG_FILTER` scrubs httpx's
request log line, which would otherwise print the full URL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from kopiena.connectors.errors import PermanentError
from kopiena.connectors.http import HttpClient
from kopiena.connectors.telegram import constants as c
from kopiena.core.logging import RedactSecretsFilter


class TelegramHttpClient(HttpClient):
    """The shared client, except that the bot token may appear as the ``/bot<token>/`` path segment."""

    def __init__(self, *, bot_token: str, **options):
        super().__init__(**options)
        self._path_segment = f"/bot{bot_token}/" if bot_token else ""

    def _refuse_secret_in_url(self, url: httpx.URL) -> None:
        text = str(url)
        if self._path_segment:  # only the first occurrence, in the path: a second one is still refused
            text = text.replace(self._path_segment, "/bot/", 1)
        super()._refuse_secret_in_url(httpx.URL(text))


def _install_httpx_log_filter() -> logging.Filter:
    """httpx logs every request URL at INFO; for Telegram that URL holds the token. A logger-level
    filter runs before any handler (ours, pytest's, a deployer's), so the line is clean everywhere."""
    logger = logging.getLogger("httpx")
    for existing in logger.filters:
        if isinstance(existing, RedactSecretsFilter):
            return existing
    log_filter = RedactSecretsFilter()
    logger.addFilter(log_filter)
    return log_filter


HTTPX_LOG_FILTER = _install_httpx_log_filter()


class TelegramApi:
    """One method call = one POST; ``ok: false`` answers become connector errors via the HTTP client."""

    def __init__(self, http: HttpClient, *, bot_token: str):
        self.http = http
        self._bot_token = bot_token

    def call(self, method: str, payload: Mapping[str, Any] | None = None, *, files=None) -> Any:
        url = c.METHOD_URL.format(base=self.http.base_url, token=self._bot_token, method=method)
        idempotent = method in c.READ_METHODS
        if files:
            # Multipart: nested values (reply_parameters, media lists) go as JSON strings, as the Bot API asks.
            form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (payload or {}).items()}
            response = self.http.post(url, data=form, files=files, idempotent=idempotent)
        else:
            response = self.http.post(url, json=dict(payload or {}), idempotent=idempotent)
        data = response.json()
        if not data.get("ok"):  # a 200 with ok=false does not happen in practice, but never trust it
            raise PermanentError(f"Telegram refused {method}: {data.get('description', 'no reason given')}")
        return data["result"]
