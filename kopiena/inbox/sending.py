"""The connector calls behind replies and hides (run by tasks, outside any transaction).

A reply is sent once: with the reply's own idempotency key, and never again after an answer that may or
may not have reached the platform (OutcomeUnknown → ``unconfirmed``, a person decides).
"""

from __future__ import annotations

from kopiena.connectors.errors import AccountDisconnected, AuthExpired, ConnectorError, OutcomeUnknown
from kopiena.connectors.types import PostDraft
from kopiena.inbox.models import Item, Reply, ReplyState
from kopiena.inbox.services import reply_record_outcome
from kopiena.integrations.connecting import connector_for
from kopiena.integrations.services import account_credentials_refresh, account_mark_needs_reconnect


def reply_deliver(*, reply_id: int) -> str:
    reply = Reply.objects.select_related("item__account").filter(pk=reply_id).first()
    if reply is None or reply.state != ReplyState.QUEUED:
        return "skipped"
    account = reply.item.account
    connector = connector_for(account)
    draft = PostDraft(
        text=reply.text, idempotency_key=f"kopiena-reply-{reply.pk}", language=reply.item.language
    )
    try:
        result = connector.reply(parent_id=reply.item.external_id, draft=draft)
    except OutcomeUnknown as exc:
        reply_record_outcome(reply=reply, state=ReplyState.UNCONFIRMED, error=str(exc))
    except (AuthExpired, AccountDisconnected) as exc:
        account_mark_needs_reconnect(account=account, error=str(exc))
        reply_record_outcome(reply=reply, state=ReplyState.FAILED, error=str(exc))
    except ConnectorError as exc:
        reply_record_outcome(reply=reply, state=ReplyState.FAILED, error=str(exc))
    else:
        reply_record_outcome(reply=reply, state=ReplyState.SENT, remote_id=result.remote_id, url=result.url)
    finally:
        account_credentials_refresh(account=account, updated=connector.updated_secrets())
        connector.close()
    return Reply.objects.values_list("state", flat=True).get(pk=reply.pk)


def item_hide_deliver(*, item_id: int) -> str:
    item = Item.objects.select_related("account").filter(pk=item_id, hidden=True).first()
    if item is None:
        return "skipped"
    with connector_for(item.account) as connector:
        connector.hide(item.external_id)
    return "hidden"
