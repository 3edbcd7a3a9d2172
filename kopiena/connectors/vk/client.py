"""VK API calls over the shared HTTP client: one POST per method, errors mapped to our taxonomy.

VK answers HTTP 200 with ``{"error": {...}}`` for API errors, so mapping happens here, not in the HTTP
client (https://dev.vk.com/ru/reference/errors). Uploads go to the upload URL VK hands out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kopiena.connectors import errors
from kopiena.connectors.http import HttpClient
from kopiena.connectors.types import MediaItem
from kopiena.connectors.vk import constants as c


def error_from(error: Mapping[str, Any], *, scrub) -> errors.ConnectorError:
    """The connector error for a VK ``error`` object, with VK's own words (scrubbed)."""
    code = int(error.get("error_code", 0))
    words = scrub(str(error.get("error_msg") or f"VK error {code}"))
    details = {"platform_message": words}
    if code in c.AUTH_ERRORS:
        return errors.AuthExpired(f"VK no longer accepts the token: {words}", **details)
    if code in c.DISCONNECTED_ERRORS:
        return errors.AccountDisconnected(f"VK refused access to the community: {words}", **details)
    if code in c.RATE_ERRORS:
        return errors.RateLimited(
            f"VK asks to slow down: {words}", retry_after_seconds=c.RATE_RETRY_AFTER_SECONDS[code], **details
        )
    if code in c.TRANSIENT_ERRORS:
        return errors.TransientError(f"VK had a problem: {words}", **details)
    if code in c.CONTENT_ERRORS:
        return errors.ContentRejected(f"VK refused the content: {words}", **details)
    return errors.PermanentError(f"VK refused the request ({code}): {words}", **details)


class VkApi:
    def __init__(self, http: HttpClient, *, token: str):
        self.http = http
        self._token = token

    def call(self, method: str, params: Mapping[str, Any], *, token: str = "", read: bool = False) -> Any:
        """Call ``method``; ``read=True`` marks it safe to retry after a timeout. ``token`` overrides
        the community token (newsfeed.search needs a service or user token)."""
        form = {key: _form_value(value) for key, value in params.items() if value is not None}
        form["v"] = c.API_VERSION
        response = self.http.post(
            c.METHOD_URL.format(base=self.http.base_url, method=method),
            data=form,
            headers={"Authorization": f"Bearer {token or self._token}"},
            idempotent=read,
        )
        body = response.json()
        if "error" in body:
            error = error_from(body["error"], scrub=self.http.scrub)
            if isinstance(error, errors.RateLimited):
                self.http.rate_limiter.block(self.http.account_key, error.retry_after_seconds)
            raise error
        return body["response"]

    def upload(self, upload_url: str, field: str, item: MediaItem) -> dict[str, Any]:
        """POST the file to VK's upload server (its URL already carries VK's own one-time signature)."""
        response = self.http.post(upload_url, files={field: (item.name, item.read_bytes(), item.mime_type)})
        body = response.json()
        if "error" in body:
            raise errors.ContentRejected(
                f"VK refused the file {item.name}: {self.http.scrub(str(body['error']))}"
            )
        return body


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
