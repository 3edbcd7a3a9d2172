"""Logging filters that keep credentials out of every log line."""

from __future__ import annotations

import logging
import re

# Bearer tokens, bot tokens in Telegram URLs, access_token=… query parameters, Authorization headers.
_SECRET_PATTERNS = [
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(bearer\s+)?[^\s'\",]+"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|client_secret|app_secret|password|token|secret)['\"]?\s*[=:]\s*['\"]?)[^\s&'\",]+"
    ),
    re.compile(r"(/bot)\d+:[A-Za-z0-9_-]+"),
]
REDACTED = "[REDACTED]"


def redact(text: str) -> str:
    """Replace anything that looks like a credential in ``text`` with ``[REDACTED]``."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class NoTracebackForRefusalsFilter(logging.Filter):
    """An expected refusal (403 for a role without the right, 404 for another workspace's row) is the
    application working as designed: Django's ``django.request`` logger still gets its one warning line
    ("Forbidden (Permission denied): /w/…/analytics/"), but without the traceback Django attaches, which
    read like a crash in the server log. Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.exc_info and isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
