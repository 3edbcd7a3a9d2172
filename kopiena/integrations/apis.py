"""REST: the workspace's connected accounts. Public fields only; credentials are never serialised."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from kopiena.core.auth_api import request_access
from kopiena.integrations import platforms
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.selectors import access_account, accounts_of

router = Router(tags=["accounts"])


class AccountOut(Schema):
    id: int
    platform: str
    name: str
    handle: str
    external_id: str
    base_url: str
    status: str
    is_sandbox: bool
    approval_required: bool
    timezone: str
    capabilities: list[str]
    last_error: str
    last_error_at: datetime | None
    last_synced_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_capabilities(account: ConnectedAccount) -> list[str]:
        return platforms.capability_names(account.platform)


@router.get("", response=list[AccountOut], summary="Connected accounts of the workspace")
def list_accounts(request):
    return list(accounts_of(access=request_access(request)))


@router.get("/{int:account_id}", response=AccountOut, summary="One connected account")
def get_account(request, account_id: int):
    return access_account(access=request_access(request), pk=account_id)
