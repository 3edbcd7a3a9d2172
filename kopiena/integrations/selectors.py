"""Reads of connected accounts. Tenant rows only through ``access_*``; secrets only through ``credential_for``."""

from __future__ import annotations

from django.db.models import QuerySet

from kopiena.integrations.crypto import decrypt_secret
from kopiena.integrations.models import ConnectedAccount, Credential, WebhookEndpoint
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access, access_scoped


def accounts_of(*, access: Access) -> QuerySet[ConnectedAccount]:
    """Every account of the access's workspace (any member may see which accounts exist; never secrets)."""
    return ConnectedAccount.objects.filter(workspace=access.workspace).order_by("name", "pk")


def access_account(*, access: Access, pk: int, perm: Perm | str | None = None) -> ConnectedAccount:
    """One account of the access's workspace, or Http404 (also for another workspace's account)."""
    return access_scoped(access=access, queryset=ConnectedAccount.objects.all(), pk=pk, perm=perm)


def credential_for(account: ConnectedAccount) -> dict:
    """The decrypted secret fields of ``account`` (empty if none are stored).

    For the worker and connector factories only: never pass the result to a template, a log line, an API
    response or an audit event.
    """
    ciphertext = Credential.objects.filter(account=account).values_list("ciphertext", flat=True).first()
    return decrypt_secret(ciphertext) if ciphertext else {}


def webhook_secret_for(endpoint: WebhookEndpoint) -> str:
    """The decrypted signing secret of a webhook endpoint (for signature checks only)."""
    return decrypt_secret(endpoint.secret_ciphertext)["secret"]
