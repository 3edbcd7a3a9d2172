"""Building connectors for accounts, and checking credentials with the platform before storing them.

Network calls happen here, outside any database transaction; the writes are in ``services``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from kopiena.connectors.errors import (
    AccountDisconnected,
    AddressNotAllowed,
    AuthExpired,
    ConnectorError,
    RateLimited,
    TransientError,
)
from kopiena.connectors.types import AccountCredentials, AccountInfo
from kopiena.core.errors import DomainError
from kopiena.integrations import platforms
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.selectors import credential_for


def allow_loopback(*, is_sandbox: bool = False) -> bool:
    # The local sandbox platform and tests run on 127.0.0.1; everything else goes through the SSRF guard.
    return is_sandbox or settings.OUTBOUND_ALLOW_PRIVATE


def network_options(*, is_sandbox: bool = False) -> dict[str, bool]:
    """What the SSRF guard lets through, as keyword arguments for a connector or HttpClient: loopback
    for the sandbox; loopback and private networks (on-premise platforms) when the operator set
    KOPIENA_OUTBOUND_ALLOW_PRIVATE. Link-local and metadata addresses stay refused either way.

    Only the options that are on are given, so a connector subclass written before ``allow_private``
    existed still builds where it is off."""
    options = {"allow_loopback": is_sandbox, "allow_private": settings.OUTBOUND_ALLOW_PRIVATE}
    return {name: True for name, on in options.items() if on}


@sensitive_variables()
def connector_for(account: ConnectedAccount):
    """A connector instance for ``account`` with its decrypted credentials (for the worker; short-lived)."""
    cls = platforms.connector_class(account.platform)
    credentials = AccountCredentials(
        secrets=credential_for(account), base_url=account.base_url, account_key=f"account:{account.pk}"
    )
    return cls(credentials, **network_options(is_sandbox=account.is_sandbox))


@sensitive_variables()
def verify_credentials(
    *, platform: str, base_url: str, secrets: dict[str, str]
) -> tuple[AccountInfo, dict[str, str]]:
    """Ask the platform whose credentials these are. Returns who they belong to and the secrets to store
    (the given ones plus any the connector obtained, e.g. a Bluesky session). A refusal becomes a
    DomainError a person can act on."""
    cls = platforms.connector_class(platform)
    connector = cls(AccountCredentials(secrets=secrets, base_url=base_url), **network_options())
    try:
        info = connector.verify()
        return info, {**secrets, **connector.updated_secrets()}
    except (AuthExpired, AccountDisconnected) as exc:
        raise DomainError(
            _("%(platform)s did not accept these credentials: %(reason)s")
            % {"platform": cls.name or platform, "reason": exc.message}
        ) from exc
    except AddressNotAllowed as exc:
        raise DomainError(
            _("Kopiena does not connect to private or local network addresses."), field="base_url"
        ) from exc
    except RateLimited as exc:
        raise DomainError(
            _("%(platform)s asks us to slow down; try again in %(seconds)d seconds.")
            % {"platform": cls.name or platform, "seconds": exc.retry_after_seconds}
        ) from exc
    except TransientError as exc:
        raise DomainError(
            _("Could not reach %(platform)s (%(reason)s). Check the address and try again.")
            % {"platform": cls.name or platform, "reason": exc.message}
        ) from exc
    except ConnectorError as exc:
        raise DomainError(
            _("%(platform)s refused: %(reason)s") % {"platform": cls.name or platform, "reason": exc.message}
        ) from exc
