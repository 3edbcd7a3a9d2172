"""Reads of connected accounts. Tenant rows only through ``access_*``; secrets only through ``credential_for``."""

from __future__ import annotations

from django.db.models import QuerySet
from django.views.decorators.debug import sensitive_variables

from kopiena.integrations.crypto import decrypt_secret
from kopiena.integrations.models import (
    AccountGrant,
    AccountStatus,
    ConnectedAccount,
    Credential,
    WebhookEndpoint,
)
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access, access_scoped


def granted_account_ids(*, access: Access) -> list[int] | None:
    """R8: the accounts a member is limited to (their ``AccountGrant`` rows), or None when they are not
    limited (no grants; owners never are). The one place inbox and publishing reads ask."""
    if access.role == "owner":
        return None
    ids = list(AccountGrant.objects.filter(membership=access.membership).values_list("account_id", flat=True))
    return ids or None


def accounts_of(*, access: Access) -> QuerySet[ConnectedAccount]:
    """The accounts of the access's workspace this member may work with: every one, or only those
    granted to a limited member (R8). Never secrets."""
    qs = ConnectedAccount.objects.filter(workspace=access.workspace)
    granted = granted_account_ids(access=access)
    if granted is not None:
        qs = qs.filter(pk__in=granted)
    return qs.order_by("name", "pk")


def access_account(*, access: Access, pk: int, perm: Perm | str | None = None) -> ConnectedAccount:
    """One account of the access's workspace, or Http404 (also for another workspace's account, and for
    an account not granted to a limited member)."""
    queryset = ConnectedAccount.objects.all()
    granted = granted_account_ids(access=access)
    if granted is not None:
        queryset = queryset.filter(pk__in=granted)
    return access_scoped(access=access, queryset=queryset, pk=pk, perm=perm)


@sensitive_variables()
def credential_for(account: ConnectedAccount) -> dict:
    """The decrypted secret fields of ``account`` (empty if none are stored).

    For the worker and connector factories only: never pass the result to a template, a log line, an API
    response or an audit event.
    """
    ciphertext = Credential.objects.filter(account=account).values_list("ciphertext", flat=True).first()
    return decrypt_secret(ciphertext) if ciphertext else {}


@sensitive_variables()
def webhook_secret_for(endpoint: WebhookEndpoint) -> str:
    """The decrypted signing secret of a webhook endpoint (for signature checks only)."""
    return decrypt_secret(endpoint.secret_ciphertext)["secret"]


def webhook_endpoint_by_token(token: str) -> WebhookEndpoint | None:
    """The endpoint a platform posts to (its random URL token is its first factor), if still in use."""
    return (
        WebhookEndpoint.objects.select_related("account")
        .exclude(account__status=AccountStatus.DISABLED)
        .filter(token=token)
        .first()
    )


def webhook_endpoints_of(*, account: ConnectedAccount) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(account=account).order_by("-created_at")
