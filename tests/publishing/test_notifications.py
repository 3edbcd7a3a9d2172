"""Failures reach people: a notification each, in their own language, under the bell and by e-mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from kopiena.notifications.models import Notice as Notification
from kopiena.notifications.rendering import render_for
from kopiena.notifications.tasks import notice_deliveries_send
from kopiena.publishing.engine import deliveries_drain
from kopiena.publishing.notifications import notification_emails_send, notify
from kopiena.teams.models import Role
from tests.publishing.test_engine import CONFIG, scheduled  # noqa: F401  (fixture)


@pytest.fixture
def latvian_author(manager_access):
    manager_access.user.language = "lv"
    manager_access.user.save()
    return manager_access.user


def test_a_late_post_is_reported_in_each_persons_language_and_mailed_once(
    scheduled,  # noqa: F811
    latvian_author,
    member,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.BASE_URL = "https://kopiena.example.lv"
    english_owner = member(Role.OWNER)
    post = scheduled(late_by=timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        deliveries_drain(worker="w1", config=CONFIG)

    notices = Notification.objects.filter(post=post).select_related("recipient", "workspace")
    titles = {n.recipient.username: render_for(n, n.recipient).title for n in notices}
    assert titles[latvian_author.username].startswith("Nav publicēts")
    assert titles[english_owner.username].startswith("Not published to")
    # After the commit the worker's queue holds the delivery job; running it sends each person one mail.
    job = DBTaskResult.objects.get(task_path="kopiena.notifications.tasks.notice_deliveries_send")
    assert notice_deliveries_send.call(job.args_kwargs["args"][0])["sent"] >= 2
    ids = [n.pk for n in notices]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert latvian_author.email and english_owner.email
    assert "Nav publicēts" in by_address[latvian_author.email].subject
    assert f"https://kopiena.example.lv/w/{post.workspace.slug}/calendar/posts/{post.pk}/" in (
        by_address[english_owner.email].body
    )
    assert notification_emails_send(ids) == 0  # a second run (a retried job) mails nobody again
    assert all(n.emailed_at for n in Notification.objects.filter(post=post, recipient__email__gt=""))


def _notice(workspace, user, title="Nav publicēts uz Mastodon", post=None):
    return notify(
        workspace_id=workspace.pk,
        recipients=[user],
        kind="delivery.rejected",
        title=lambda: title,
        body=lambda: "Platforma teica: <b>par garu</b>\nKo darīt: saīsiniet.",
        post=post,
    )[0]


def test_the_bell_and_the_page_show_only_ones_own(login, owner, workspace, other_workspace, member):
    mine = _notice(workspace, owner)
    _notice(workspace, owner, title="Otrs")
    someone_else = member(Role.MANAGER)
    theirs = _notice(workspace, someone_else, title="Not for the owner")
    client = login(owner)

    home = client.get(reverse("notifications")).text
    assert "Nav publicēts uz Mastodon" in home and "Not for the owner" not in home
    assert "&lt;b&gt;par garu&lt;/b&gt;<br>" in home  # the platform's words as text, lines kept
    assert "Notifications: 2 unread" in home

    assert client.post(reverse("notification_open", kwargs={"notification_id": theirs.pk})).status_code == 404
    response = client.post(reverse("notification_open", kwargs={"notification_id": mine.pk}))
    assert response.status_code == 302 and response.url == reverse("notifications")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None

    client.post(reverse("notifications_read_all"))
    assert not Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=someone_else, read_at__isnull=True).count() == 1
    assert "Notifications: " not in client.get(reverse("notifications")).text.split("<main")[0]


def test_opening_a_post_notification_goes_to_the_post(login, owner, workspace, manager_access, make_account):
    from kopiena.publishing.services import post_create

    post = post_create(access=manager_access, account_ids=[make_account().pk], text="Sveiki")
    notice = _notice(workspace, owner, post=post)
    response = login(owner).post(reverse("notification_open", kwargs={"notification_id": notice.pk}))
    assert response.url == reverse("post_edit", kwargs={"ws": workspace.slug, "post_id": post.pk})


def test_no_notifications_is_an_empty_state(login, owner):
    page = login(owner).get(reverse("notifications")).text
    assert "No notifications" in page
