"""The error taxonomy: the ONLY exceptions a connector lets escape.

Callers (the delivery engine, inbox sync, listening) decide what to do from the class alone:

==================  ==========================================================================
AuthExpired         the token stopped working; refresh once (if the platform can), else ask a human
AccountDisconnected access was revoked / the account is gone: mark "needs reconnect", tell a human
RateLimited         slow down; try again after ``retry_after_seconds`` (never earlier)
ContentRejected     the platform (or our own ``validate``) refused THIS content; show the problems
TransientError      nothing happened on the platform (connect failed, 5xx): safe to retry later
PermanentError      retrying will not help (404, 403, unsupported capability, blocked address)
OutcomeUnknown      the request may have been applied (timeout after a POST was sent): NEVER
                    re-send; reconcile with ``Connector.find_published`` instead
==================  ==========================================================================

Messages carry the platform's own words (so a person can act on them) and never a credential:
the HTTP client scrubs every known secret value and anything that looks like a token first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kopiena.connectors.types import ValidationProblem


class ConnectorError(Exception):
    """Base class. ``platform_message`` is the platform's text, ``status`` the HTTP status if any."""

    def __init__(self, message: str = "", *, platform_message: str = "", status: int | None = None):
        super().__init__(message or platform_message or self.__class__.__name__)
        self.message = str(self.args[0])
        self.platform_message = platform_message
        self.status = status


class AuthExpired(ConnectorError):
    """The credential is no longer accepted (HTTP 401 and friends). Refresh once, then ask a human."""


class AccountDisconnected(ConnectorError):
    """Access was revoked, the app was removed or the account no longer exists. Needs reconnecting."""


class RateLimited(ConnectorError):
    """The platform (or our own token bucket) says slow down. Retry after ``retry_after_seconds``."""

    def __init__(self, message: str = "", *, retry_after_seconds: float, **kwargs):
        super().__init__(message or f"Rate limited; retry after {retry_after_seconds:.0f} s", **kwargs)
        self.retry_after_seconds = max(0.0, float(retry_after_seconds))


class ContentRejected(ConnectorError):
    """This content cannot be published as it is. ``problems`` lists everything wrong at once."""

    def __init__(self, message: str = "", *, problems: Sequence[ValidationProblem] = (), **kwargs) -> None:
        self.problems = tuple(problems)
        if not message and self.problems:
            message = "; ".join(p.message for p in self.problems)
        super().__init__(message, **kwargs)


class TransientError(ConnectorError):
    """Nothing was applied on the platform (connection refused, 5xx, timeout on a GET). Retry later."""


class PermanentError(ConnectorError):
    """Retrying will not help: not found, forbidden, unsupported capability, address not allowed."""


class AddressNotAllowed(PermanentError):
    """The SSRF guard refused the destination (private, loopback, link-local, reserved … address)."""


class OutcomeUnknown(ConnectorError):
    """The request was sent and no answer came back: it may have been applied. Never re-send it;
    mark the delivery ``unconfirmed`` and reconcile with ``Connector.find_published``."""
