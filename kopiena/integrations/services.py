"""Writes for connected accounts and their encrypted credentials.

Secrets enter through ``credentials`` dicts, are encrypted at once (``crypto.encrypt_secret``) and leave
only through ``selectors.credential_for``. Audit events record which credential *fields* changed, never
their values.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from kopiena.audit.services import audit_record
from kopiena.connectors.types import WebhookEvent
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.core.logging import REDACTED, redact
from kopiena.core.zones import require_zone
from kopiena.integrations import platforms, webhook_handlers
from kopiena.integrations.connecting import verify_credentials
from kopiena.integrations.crypto import (
    CredentialDecryptError,
    decrypt_secret,
    encrypt_secret,
    is_current,
    rotate_secret,
)
from kopiena.integrations.models import (
    AccountStatus,
    ConnectedAccount,
    Credential,
    OAuthApp,
    WebhookDelivery,
    WebhookEndpoint,
)
from kopiena.integrations.selectors import credential_for
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access, users_with_perm

LAST_ERROR_MAX_CHARS = 2000


def _public_fields(account: ConnectedAccount) -> dict:
    return {
        "platform": account.platform,
        "name": account.name,
        "handle": account.handle,
        "external_id": account.external_id,
        "base_url": account.base_url,
        "status": account.status,
        "timezone": account.timezone,
        "approval_required": account.approval_required,
    }


def clean_base_url(base_url: str) -> str:
    base_url = base_url.strip().rstrip("/")
    if not base_url:
        return ""
    parts = urlsplit(base_url)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise DomainError(_("The server address must start with https:// and name a host."), field="base_url")
    if parts.username or parts.password:
        raise DomainError(
            _("Put credentials in their own fields, not in the server address."), field="base_url"
        )
    try:
        parts.port  # noqa: B018 -- reading it validates it (":99999" raises ValueError)
    except ValueError:
        raise DomainError(_("The port in the server address is not valid."), field="base_url") from None
    if _odd_ipv4(parts.hostname):
        raise DomainError(
            _("Write the server address as a host name or a plain IP address (like 203.0.113.7)."),
            field="base_url",
        )
    return base_url


_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)


def _odd_ipv4(host: str) -> bool:
    """A host made only of numbers that is not a plain dotted quad: ``0177.0.0.1`` (octal), ``0x7f.1``,
    ``2130706433``, ``127.1``. Resolvers read these as IPv4 addresses in ways that differ between
    libraries (httpx refuses them, getaddrinfo takes octal), so the SSRF guard could judge one address
    and the connection go to another; refused outright instead."""
    labels = host.rstrip(".").split(".")
    if not all(_NUMERIC_LABEL.match(label) for label in labels):
        return False  # a name (or an IPv6 literal): resolved and checked by the SSRF guard
    try:
        return str(ipaddress.IPv4Address(host)) != host
    except ValueError:
        return True


@sensitive_variables()
def _store_credentials(account: ConnectedAccount, credentials: dict) -> None:
    Credential.objects.update_or_create(account=account, defaults={"ciphertext": encrypt_secret(credentials)})


@sensitive_variables()  # error reports (mailed or logged) hide every local of this frame
@transaction.atomic
def account_connect(
    *,
    access: Access,
    platform: str,
    name: str,
    credentials: dict,
    base_url: str = "",
    handle: str = "",
    external_id: str = "",
    timezone: str = "",
    settings: dict | None = None,
    approval_required: bool = True,
    is_sandbox: bool = False,
) -> ConnectedAccount:
    """Connect (or, for the same remote ``external_id``, reconnect) an account and store its secret.

    Reconnecting an account that needed it makes it active again and clears its last error.
    """
    access.require(Perm.ACCOUNT_CONNECT)
    platforms.require_known(platform)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the account a name."), field="name")
    timezone = require_zone(timezone, allow_empty=True)
    fields = {
        "name": name,
        "handle": handle.strip(),
        "base_url": clean_base_url(base_url),
        "timezone": timezone,
        "settings": settings or {},
        "approval_required": approval_required,
        "is_sandbox": is_sandbox,
        "status": AccountStatus.ACTIVE,
        "last_error": "",
        "last_error_at": None,
    }
    existing = None
    if external_id:
        existing = (
            ConnectedAccount.objects.select_for_update()
            .filter(workspace=access.workspace, platform=platform, external_id=external_id)
            .first()
        )
    if existing is None:
        account = ConnectedAccount.objects.create(
            workspace=access.workspace, platform=platform, external_id=external_id, **fields
        )
        before = None
    else:
        account, before = existing, _public_fields(existing)
        for key, value in fields.items():
            setattr(account, key, value)
        account.save()
    _store_credentials(account, credentials)
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="account.reconnect" if before else "account.connect",
        obj=account,
        before=before,
        after={**_public_fields(account), "credential_fields": sorted(credentials)},
    )
    return account


@sensitive_variables()
def account_connect_checked(
    *, access: Access, platform: str, values: dict[str, str], name: str = "", approval_required: bool = True
) -> ConnectedAccount:
    """Connect from the token form: check the required fields, ask the platform whose credentials they
    are (``connector.verify``), then ``account_connect`` with the platform's id so a second connect of
    the same remote account reconnects it instead of duplicating it. Not atomic: the check is a network
    call and must not hold a transaction open.
    """
    access.require(Perm.ACCOUNT_CONNECT)
    spec = platforms.require_known(platform)
    values = {key: (value or "").strip() for key, value in values.items()}
    for f in spec.fields:
        if f.required and not values.get(f.key):
            raise DomainError(_("%(field)s is required.") % {"field": f.label}, field=f.key)
    base_url = clean_base_url(
        values.get("base_url") or next((f.initial for f in spec.fields if f.key == "base_url"), "")
    )
    kept = [f.key for f in spec.fields if f.key != "base_url"]
    kept += platforms.connector_class(platform).kept_fields
    secrets_ = {key: values[key] for key in kept if values.get(key)}
    info, to_store = verify_credentials(platform=platform, base_url=base_url, secrets=secrets_)
    return account_connect(
        access=access,
        platform=platform,
        name=name or info.name or info.handle or spec.name,
        credentials=to_store,
        base_url=base_url,
        handle=info.handle,
        external_id=info.external_id,
        approval_required=approval_required,
    )


@sensitive_variables()  # error reports (mailed or logged) hide every local of this frame
@transaction.atomic
def account_update(
    *,
    access: Access,
    account: ConnectedAccount,
    name: str | None = None,
    handle: str | None = None,
    timezone: str | None = None,
    approval_required: bool | None = None,
    settings: dict | None = None,
    credentials: dict | None = None,
) -> ConnectedAccount:
    """Change what was given (None leaves a field as it is). New ``credentials`` replace the stored ones."""
    access.require(Perm.ACCOUNT_CONNECT)
    if account.workspace_id != access.workspace.pk:
        raise DomainError(_("No such account."))
    before = _public_fields(account)
    if name is not None:
        if not name.strip():
            raise DomainError(_("Give the account a name."), field="name")
        account.name = name.strip()
    if handle is not None:
        account.handle = handle.strip()
    if timezone is not None:
        account.timezone = require_zone(timezone, allow_empty=True)
    if approval_required is not None:
        account.approval_required = approval_required
    if settings is not None:
        account.settings = settings
    account.save()
    after = _public_fields(account)
    if credentials is not None:
        _store_credentials(account, credentials)
        after["credential_fields"] = sorted(credentials)
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="account.update",
        obj=account,
        before=before,
        after=after,
    )
    return account


@sensitive_variables()  # error reports (mailed or logged) hide every local of this frame
@transaction.atomic
def account_credentials_refresh(*, account: ConnectedAccount, updated: dict[str, str]) -> None:
    """Store secrets a connector renewed during a call (``connector.updated_secrets()``), merged into the
    stored ones. For the worker (system actor); does nothing when ``updated`` is empty."""
    if not updated:
        return
    credential = Credential.objects.select_for_update().filter(account=account).first()
    if credential is None:  # disconnected meanwhile: do not resurrect the secret
        return
    credential.ciphertext = encrypt_secret({**decrypt_secret(credential.ciphertext), **updated})
    credential.save(update_fields=["ciphertext", "updated_at"])
    audit_record(
        actor=None,
        workspace=account.workspace_id,
        action="account.credentials_refresh",
        obj=account,
        after={"credential_fields": sorted(updated)},
    )


@transaction.atomic
def account_disconnect(*, access: Access, account: ConnectedAccount) -> ConnectedAccount:
    """Forget the secret and stop all work for the account. Its posts, comments and metrics stay."""
    access.require(Perm.ACCOUNT_CONNECT)
    if account.workspace_id != access.workspace.pk:
        raise DomainError(_("No such account."))
    before = _public_fields(account)
    Credential.objects.filter(account=account).delete()
    WebhookEndpoint.objects.filter(account=account).delete()
    account.status = AccountStatus.DISABLED
    account.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="account.disconnect",
        obj=account,
        before=before,
        after=_public_fields(account),
    )
    return account


@sensitive_variables()
def _scrub(account: ConnectedAccount, text: str) -> str:
    """``text`` without the account's own secret values and without anything that looks like a token."""
    try:
        known = [v for v in credential_for(account).values() if isinstance(v, str) and len(v) >= 4]
    except CredentialDecryptError:
        known = []
    for value in sorted(known, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return redact(text)


@transaction.atomic
def account_mark_needs_reconnect(*, account: ConnectedAccount, error: str) -> ConnectedAccount:
    """The platform refused the credential for good (revoked, password changed): stop and tell a human.

    Called by the worker (system actor). ``error`` is the platform's words; anything that looks like a
    secret is redacted before it is stored. The change is audited, and people who may connect accounts
    notified, once per outage; repeated reports only refresh the stored error.
    """
    from kopiena.notifications.services import notify

    account = ConnectedAccount.objects.select_for_update().get(pk=account.pk)
    already = account.status == AccountStatus.NEEDS_RECONNECT
    before = _public_fields(account)
    account.status = AccountStatus.NEEDS_RECONNECT
    account.last_error = _scrub(account, error)[:LAST_ERROR_MAX_CHARS]
    account.last_error_at = now()
    account.save(update_fields=["status", "last_error", "last_error_at", "updated_at"])
    if already:  # the same outage again (every failing call reports it): newest words, no new event or ping
        return account
    audit_record(
        actor=None,
        workspace=account.workspace_id,
        action="account.needs_reconnect",
        obj=account,
        before=before,
        after={**_public_fields(account), "error": account.last_error},
    )
    error_text = account.last_error
    notify(
        workspace_id=account.workspace_id,
        recipients=users_with_perm(workspace=account.workspace, perm=Perm.ACCOUNT_CONNECT),
        kind="account.needs_reconnect",
        title=lambda: _("%(account)s needs to be reconnected") % {"account": account.name},
        body=lambda: (
            _(
                "The platform no longer accepts Kopiena's access: %(error)s\n"
                "Nothing will be published or read for this account until someone reconnects it "
                "in Settings → Accounts."
            )
            % {"error": error_text}
        ),
    )
    return account


@transaction.atomic
def account_sync_error_record(*, account: ConnectedAccount, error: str) -> ConnectedAccount:
    """Reading the account failed for a reason that needs no reconnect (the platform was down, answered
    something unreadable, a connector bug): show it on the account until a later read succeeds.

    Called by the worker (system actor). Secrets are redacted. Audited when the trouble starts, not on
    every failing poll; an account already marked *needs reconnect* keeps the words that explain that."""
    account = ConnectedAccount.objects.select_for_update().get(pk=account.pk)
    if account.status != AccountStatus.ACTIVE:
        return account
    starting = not account.last_error
    account.last_error = _scrub(account, error)[:LAST_ERROR_MAX_CHARS]
    account.last_error_at = now()
    account.save(update_fields=["last_error", "last_error_at", "updated_at"])
    if starting:
        audit_record(
            actor=None,
            workspace=account.workspace_id,
            action="account.sync_failed",
            obj=account,
            after={"error": account.last_error},
        )
    return account


@transaction.atomic
def account_sync_error_clear(*, account: ConnectedAccount) -> None:
    """A read succeeded: the error shown on an active account is no longer true (audited once)."""
    cleared = ConnectedAccount.objects.filter(
        pk=account.pk, status=AccountStatus.ACTIVE, last_error__gt=""
    ).update(last_error="", last_error_at=None, updated_at=now())
    if cleared:
        audit_record(actor=None, workspace=account.workspace_id, action="account.sync_recovered", obj=account)


@transaction.atomic
def webhook_events_accept(*, endpoint: WebhookEndpoint, events: list[WebhookEvent]) -> list[WebhookEvent]:
    """Record the delivery keys of verified events and hand the new ones to the webhook handlers.

    Platforms retry (Meta for up to 36 hours), so an event whose key was seen before is dropped: the
    same delivery received ten times is handled once. Returns the events that were new.
    """
    keys = list(dict.fromkeys(event.delivery_key for event in events))
    seen = set(
        WebhookDelivery.objects.filter(endpoint=endpoint, delivery_key__in=keys).values_list(
            "delivery_key", flat=True
        )
    )
    fresh: list[WebhookEvent] = []
    for event in events:
        if event.delivery_key in seen:
            continue
        seen.add(event.delivery_key)
        try:
            with transaction.atomic():  # a concurrent duplicate loses the race on the unique constraint
                WebhookDelivery.objects.create(endpoint=endpoint, delivery_key=event.delivery_key)
        except IntegrityError:
            continue
        fresh.append(event)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(last_received_at=now())
    if fresh:
        for handler in webhook_handlers.handlers():
            handler(account=endpoint.account, events=fresh)
    return fresh


@transaction.atomic
def webhook_endpoint_create(
    *, account: ConnectedAccount, secret: str = "", access: Access | None = None
) -> WebhookEndpoint:
    """A new webhook URL for ``account``; ``secret`` is the platform's signing secret (random if empty).

    ``access`` is the person doing it (None for system set-up). The URL's path token is random and
    unguessable; the secret is stored encrypted like a credential (read it with
    ``selectors.webhook_secret_for``).
    """
    if access is not None:
        access.require(Perm.ACCOUNT_CONNECT)
        if account.workspace_id != access.workspace.pk:
            raise DomainError(_("No such account."))
    if "webhooks" not in platforms.capability_names(account.platform):
        # Its connector cannot check a delivery's signature: an endpoint would accept anyone's posts.
        raise DomainError(_("This platform does not send webhooks."), code="unsupported")
    endpoint = WebhookEndpoint.objects.create(
        workspace_id=account.workspace_id,
        account=account,
        token=secrets.token_urlsafe(32),
        secret_ciphertext=encrypt_secret({"secret": secret or secrets.token_urlsafe(32)}),
    )
    audit_record(
        actor=access.user if access else None,
        workspace=account.workspace_id,
        action="webhook_endpoint.create",
        obj=endpoint,
        after={"account": account.pk},
    )
    return endpoint


@dataclass
class RotationReport:
    """What ``secrets_rotate`` did, per kind of secret: re-encrypted, already current, undecryptable."""

    rotated: Counter = field(default_factory=Counter)
    current: Counter = field(default_factory=Counter)
    failed: dict[str, list[int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(self.failed.values())


def _rotation_targets() -> list[tuple[str, type, str]]:
    from kopiena.notifications.models import WebhookEndpoint as NotificationEndpoint  # people's own hooks

    return [
        ("credentials", Credential, "ciphertext"),
        ("webhook secrets", WebhookEndpoint, "secret_ciphertext"),
        ("OAuth app secrets", OAuthApp, "ciphertext"),
        ("notification webhook addresses", NotificationEndpoint, "ciphertext"),
    ]


def secrets_rotation_total() -> int:
    return sum(model.objects.count() for _, model, _ in _rotation_targets())


def secrets_rotate(*, on_progress: Callable[[], None] = lambda: None) -> RotationReport:
    """Re-encrypt every stored secret with the newest key in KOPIENA_SECRET_KEYS. Idempotent.

    Rows already under the newest key are left alone, so a second run changes nothing. Each row is
    swapped with a compare-and-set UPDATE (no long transaction, no lost concurrent write). Rows no
    configured key opens are reported, not touched: put the old key back and run again.
    """
    report = RotationReport()
    for kind, model, column in _rotation_targets():
        report.failed[kind] = []
        for pk, ciphertext in model.objects.order_by("pk").values_list("pk", column).iterator():
            if is_current(ciphertext):
                report.current[kind] += 1
            else:
                try:
                    fresh = rotate_secret(ciphertext)
                except CredentialDecryptError:
                    report.failed[kind].append(pk)
                else:
                    model.objects.filter(pk=pk, **{column: ciphertext}).update(**{column: fresh})
                    report.rotated[kind] += 1
            on_progress()
    audit_record(
        actor=None,
        action="keys.rotate",
        after={
            "rotated": dict(report.rotated),
            "already_current": dict(report.current),
            "failed": report.failed,
        },
    )
    return report


@transaction.atomic
def account_grants_set(*, access, membership, account_ids: list[int]) -> list[int]:
    """R8: limit ``membership`` to ``account_ids`` (empty: no limit, every account). Accounts of another
    workspace are refused; owners cannot be limited. Audited with before and after."""
    from kopiena.integrations.models import AccountGrant

    access.require(Perm.TEAM_MANAGE)
    if membership.workspace_id != access.workspace.pk:
        raise DomainError(_("No such member."))
    if membership.role == "owner" and account_ids:
        raise DomainError(_("Owners see every account; they cannot be limited."))
    wanted = sorted(set(account_ids))
    found = list(
        ConnectedAccount.objects.filter(workspace=access.workspace, pk__in=wanted).values_list(
            "pk", flat=True
        )
    )
    if len(found) != len(wanted):
        raise DomainError(_("Choose accounts of this workspace."), field="accounts")
    before = sorted(AccountGrant.objects.filter(membership=membership).values_list("account_id", flat=True))
    AccountGrant.objects.filter(membership=membership).exclude(account_id__in=wanted).delete()
    AccountGrant.objects.bulk_create(
        [AccountGrant(workspace=access.workspace, membership=membership, account_id=pk) for pk in wanted],
        ignore_conflicts=True,
    )
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="integrations.account_grants_set",
        obj=membership,
        before={"accounts": before},
        after={"accounts": wanted},
    )
    return wanted
