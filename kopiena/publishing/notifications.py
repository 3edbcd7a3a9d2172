"""Telling people: one ``Notification`` per person, written in that person's language, shown under the
bell in the top bar and e-mailed (after the change commits, by the worker) to those with an address.

Writes only (services); ``kopiena.publishing.selectors.notifications_for`` reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kopiena.core.clock import now
from kopiena.publishing.models import Notification, Post
from kopiena.teams.models import Membership, User


def notify(
    *,
    workspace_id: int,
    recipients: Iterable[User],
    kind: str,
    title: Callable[[], str],
    body: Callable[[], str],
    post: Post | None = None,
) -> list[Notification]:
    """``title`` and ``body`` are called once per person inside that person's language.

    Only people who are members of the workspace now are notified: a list of recipients built from old
    assignments or settings may still name someone who has been removed, and they must not learn about
    the workspace any more."""
    people = {u.pk: u for u in recipients}
    members = set(
        Membership.objects.filter(workspace_id=workspace_id, user_id__in=people).values_list(
            "user_id", flat=True
        )
    )
    rows = []
    for user in (u for pk, u in people.items() if pk in members):
        with translation.override(user.language or settings.LANGUAGE_CODE):
            rows.append(
                Notification(
                    workspace_id=workspace_id,
                    recipient=user,
                    kind=kind,
                    title=title()[:200],
                    body=body(),
                    post=post,
                )
            )
    created = Notification.objects.bulk_create(rows)
    to_mail = [n.pk for n in created if n.recipient.email]
    if to_mail:
        from kopiena.publishing.tasks import notification_emails_send

        transaction.on_commit(lambda: notification_emails_send.enqueue(to_mail))
    return created


def notification_emails_send(notification_ids: list[int]) -> int:
    """E-mail each notification not yet e-mailed; returns how many were sent. Safe to run twice."""
    sent = 0
    # Not to someone removed from the workspace between the notice and this e-mail.
    pending = (
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .filter(
            Exists(Membership.objects.filter(workspace=OuterRef("workspace"), user=OuterRef("recipient")))
        )
        .select_related("recipient", "workspace", "post")
    )
    for notification in pending:
        recipient = notification.recipient
        if not recipient.email:
            continue
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            lines = [notification.body, ""]
            if notification.post_id:
                path = reverse(
                    "post_edit", kwargs={"ws": notification.workspace.slug, "post_id": notification.post_id}
                )
                lines.append(_("The post: %(url)s") % {"url": settings.BASE_URL.rstrip("/") + path})
            lines.append(
                _("All your notifications: %(url)s")
                % {"url": settings.BASE_URL.rstrip("/") + reverse("notifications")}
            )
            subject = f"[Kopiena · {notification.workspace.name}] {notification.title}"
        send_mail(subject, "\n".join(lines), None, [recipient.email])
        Notification.objects.filter(pk=notification.pk).update(emailed_at=now())
        sent += 1
    return sent


def notifications_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of ``user``'s notifications (or all of them) read; another person's is never touched."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=now())
