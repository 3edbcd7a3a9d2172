"""Meta Graph API calls over the shared HTTP client — shared by the Facebook Page and Instagram connectors.

* The token travels as ``Authorization: Bearer``; with the app secret we add ``appsecret_proof``
  (https://developers.facebook.com/docs/graph-api/securing-requests#appsecret_proof), a keyed hash of the
  token that is useless without it.
* Meta sends no ``Retry-After``: it reports how much of each quota is used in ``X-App-Usage``,
  ``X-Page-Usage`` and ``X-Business-Use-Case-Usage`` (percentages, and minutes until access returns).
  We pause the account before Meta throttles it (https://developers.facebook.com/docs/graph-api/overview/rate-limiting/).
* Errors come as ``{"error": {"code", "error_subcode", "message", "error_user_msg", "is_transient"}}``
  (https://developers.facebook.com/docs/graph-api/guides/error-handling) and map to our taxonomy here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

import httpx

from kopiena.connectors import errors
from kopiena.connectors.facebook import constants as c
from kopiena.connectors.http import HttpClient


def usage_wait_seconds(headers: Mapping[str, str]) -> float | None:
    """How long to pause when a usage header says a quota is (nearly) spent, else ``None``."""
    worst, regain_minutes = 0.0, 0.0
    for name in (c.APP_USAGE_HEADER, c.PAGE_USAGE_HEADER, c.BUSINESS_USAGE_HEADER):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        # X-App-Usage/X-Page-Usage: {"call_count": 12, …}; X-Business-Use-Case-Usage: {"<id>": [{…}]}
        entries = [data] if name != c.BUSINESS_USAGE_HEADER else [e for v in data.values() for e in v]
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            for key in ("call_count", "total_time", "total_cputime"):
                worst = max(worst, float(entry.get(key) or 0))
            regain_minutes = max(regain_minutes, float(entry.get("estimated_time_to_regain_access") or 0))
    if regain_minutes:
        return regain_minutes * 60
    return float(c.USAGE_THROTTLE_SECONDS) if worst >= c.USAGE_THROTTLE_PERCENT else None


def graph_error(response: httpx.Response, *, scrub) -> errors.ConnectorError | None:
    """The taxonomy error for a Graph error answer (``None``: not a Graph error, use the default)."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None
    if not isinstance(error, dict):
        return None
    code, subcode = int(error.get("code") or 0), int(error.get("error_subcode") or 0)
    words = scrub(str(error.get("error_user_msg") or error.get("message") or f"Graph API error {code}"))
    details = {"platform_message": words, "status": response.status_code}
    if code == c.ERROR_OAUTH:
        if subcode in c.REVOKED_SUBCODES:
            return errors.AccountDisconnected(f"Meta revoked the access: {words}", **details)
        return errors.AuthExpired(f"Meta no longer accepts the token: {words}", **details)
    if code in c.RATE_ERRORS:
        wait = usage_wait_seconds(response.headers) or float(c.USAGE_THROTTLE_SECONDS)
        return errors.RateLimited(f"Meta asks to slow down: {words}", retry_after_seconds=wait, **details)
    if subcode == c.SUBCODE_OUTSIDE_MESSAGING_WINDOW:
        return errors.ContentRejected(f"Messenger allows answers within 24 hours only: {words}", **details)
    if code in c.PERMISSION_CODES:
        return errors.AccountDisconnected(
            f"A permission is missing; reconnect the account: {words}", **details
        )
    if code in c.TRANSIENT_ERRORS or error.get("is_transient"):
        return errors.TransientError(f"Meta had a temporary problem: {words}", **details)
    if response.status_code < 500:
        return errors.ContentRejected(f"Meta refused: {words}", **details)
    return None


class GraphApi:
    """``get``/``post`` on ``{base}/{version}{path}``; answers are JSON objects."""

    def __init__(self, http: HttpClient, *, token: str, app_secret: str = "", version: str = c.API_VERSION):
        self.http = http
        self.version = version
        self._headers = {"Authorization": f"Bearer {token}"}
        self._proof = (
            hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest() if app_secret else ""
        )

    def url(self, path: str) -> str:
        return f"{self.http.base_url}/{self.version}{path}"

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self._send("GET", path, params=dict(params or {}))

    def post(self, path: str, data: Mapping[str, Any] | None = None, *, files=None) -> dict[str, Any]:
        return self._send(
            "POST", path, data={k: _form(v) for k, v in (data or {}).items() if v is not None}, files=files
        )

    def _send(self, method: str, path: str, **kwargs) -> dict[str, Any]:
        params = kwargs.pop("params", {})
        if self._proof:
            params["appsecret_proof"] = self._proof
        response = self.http.request(
            method, self.url(path), headers=self._headers, params=params or None, **kwargs
        )
        wait = usage_wait_seconds(response.headers)
        if wait:
            self.http.rate_limiter.block(self.http.account_key, wait)
        return response.json()


def _form(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)
