"""Issue 9 item 14: someone removed from a workspace no longer sees its notifications, and is neither
notified nor e-mailed about it any more."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from kopiena.publishing.models import Notification
from kopiena.publishing.notifications import notification_emails_send, notify
from kopiena.publishing.selectors import notifications_for
from kopiena.teams.models import Membership, Role
from kopiena.teams.services import membership_remove

pytestmark = pytest.mark.django_db


def _notice(workspace, users, title="Delivery failed: the client's launch post"):
    return notify(
        workspace_id=workspace.pk,
        recipients=users,
        kind="delivery.rejected",
        title=lambda: title,
        body=lambda: "Internal details of the client's account",
    )


def _remove(owner_access, user):
    membership = Membership.objects.get(workspace=owner_access.workspace, user=user)
    membership_remove(access=owner_access, membership_id=membership.pk)


def test_a_removed_member_no_longer_sees_the_workspaces_notifications(owner_access, workspace, member, login):
    moderator = member(Role.MODERATOR)
    [notice] = _notice(workspace, [moderator])
    client = login(moderator)
    assert "launch post" in client.get(reverse("notifications")).text

    _remove(owner_access, moderator)
    page = client.get(reverse("notifications")).text
    assert "launch post" not in page
    assert "unread" not in page.split("<main")[0]  # the bell counts nothing
    assert client.post(reverse("notification_open", kwargs={"notification_id": notice.pk})).status_code == 404
    assert not notifications_for(user=moderator).exists()


def test_notices_of_other_workspaces_stay_visible(owner_access, workspace, other_workspace, member):
    moderator = member(Role.MODERATOR)
    Membership.objects.create(workspace=other_workspace, user=moderator, role=Role.ANALYST)
    _notice(workspace, [moderator], title="From the first")
    _notice(other_workspace, [moderator], title="From the other")
    _remove(owner_access, moderator)
    assert [n.title for n in notifications_for(user=moderator)] == ["From the other"]


def test_a_removed_member_is_not_notified_or_emailed(owner_access, workspace, owner, member):
    moderator = member(Role.MODERATOR)
    [before] = _notice(workspace, [moderator])  # created while a member, e-mailed after the removal
    _remove(owner_access, moderator)
    assert notification_emails_send([before.pk]) == 0
    assert mail.outbox == []

    created = _notice(workspace, [moderator, owner], title="Later")  # a stale recipient list
    assert [n.recipient_id for n in created] == [owner.pk]
    assert (
        not Notification.objects.filter(recipient=moderator, created_at__gte=before.created_at)
        .exclude(pk=before.pk)
        .exists()
    )
    assert notification_emails_send([n.pk for n in created]) == 1
    assert [m.to for m in mail.outbox] == [[owner.email]]
