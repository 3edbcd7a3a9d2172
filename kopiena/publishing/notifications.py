"""Moved to ``kopiena.notifications`` (the notifications room every app uses). These names stay so that
callers written against the original module keep working: ``notify(workspace_id=, recipients=, kind=,
title=callable, body=callable, post=)``."""

from __future__ import annotations

from kopiena.notifications.services import notices_mark_read as notifications_mark_read
from kopiena.notifications.services import notify


def notification_emails_send(notification_ids: list[int]) -> int:
    """Send the e-mails of these notices that are due now (the original task's contract); returns how many
    were sent. Safe to run twice."""
    from kopiena.notifications.delivery import deliveries_send
    from kopiena.notifications.models import Channel, NoticeDelivery

    ids = list(
        NoticeDelivery.objects.filter(notice_id__in=notification_ids, channel=Channel.EMAIL).values_list(
            "pk", flat=True
        )
    )
    return deliveries_send(ids=ids)["sent"] if ids else 0


__all__ = ["notification_emails_send", "notifications_mark_read", "notify"]
