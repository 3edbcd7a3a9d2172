"""Preferences are respected per channel; quiet hours hold e-mail and webhooks; the daily digest."""

from __future__ import annotations

from datetime import time

from django.core import mail
from django.urls import reverse

from kopiena.notifications import services
from kopiena.notifications.delivery import deliveries_send, digests_send
from kopiena.notifications.events import Choice, EmailMode, Event
from kopiena.notifications.models import Channel, DeliveryState, Notice, NoticeDelivery, PersonSettings
from kopiena.notifications.selectors import notifications_for
from kopiena.notifications.services import notices_done, notify, preferences_save
from kopiena.teams.models import Role
from tests.notifications.conftest import riga


def overdue(workspace, people, subject="Kad atvērsiet?", thread=7, urgent=False):
    return notify(
        workspace_id=workspace.pk,
        recipients=people,
        kind="inbox.sla_overdue",
        params={"subject": subject, "due_at": "2026-11-24T16:00:00+00:00", "thread": thread},
        target=services.thread_target(thread),
        urgent=urgent,
    )


def test_the_defaults_mail_overdue_at_once_and_due_soon_in_the_digest(workspace, member):
    moderator = member(Role.MODERATOR)
    [late] = overdue(workspace, [moderator])
    [soon] = notify(
        workspace_id=workspace.pk,
        recipients=[moderator],
        kind="inbox.sla_due_soon",
        params={"subject": "x", "due_at": "2026-11-24T16:00:00+00:00"},
    )
    assert late.event == Event.OVERDUE and soon.event == Event.DUE_SOON
    assert list(late.deliveries.values_list("channel", flat=True)) == [Channel.EMAIL]
    assert list(soon.deliveries.values_list("channel", flat=True)) == [Channel.DIGEST]
    assert deliveries_send()["sent"] == 1  # the digest waits for its hour
    assert [m.to for m in mail.outbox] == [[moderator.email]]
    assert "An answer is overdue" in mail.outbox[0].subject


def test_each_channel_follows_the_persons_choice(workspace, member, login):
    quiet, silent, loud = member(Role.MODERATOR), member(Role.MODERATOR), member(Role.MODERATOR)
    preferences_save(
        user=quiet, choices={Event.OVERDUE: Choice(in_app=True, email=EmailMode.OFF, webhook=False)}
    )
    preferences_save(
        user=silent, choices={Event.OVERDUE: Choice(in_app=False, email=EmailMode.OFF, webhook=False)}
    )
    preferences_save(
        user=loud, choices={Event.OVERDUE: Choice(in_app=False, email=EmailMode.IMMEDIATE, webhook=False)}
    )
    notices = {n.recipient_id: n for n in overdue(workspace, [quiet, silent, loud])}
    assert silent.pk not in notices  # every channel off: nothing at all
    assert not notices[quiet.pk].deliveries.exists() and notifications_for(user=quiet).count() == 1
    assert notices[loud.pk].deliveries.get().channel == Channel.EMAIL
    assert not notifications_for(user=loud).exists()  # e-mail only: not under the bell
    # Another event keeps its defaults.
    [assigned] = notify(
        workspace_id=workspace.pk, recipients=[quiet], kind="inbox.thread_assigned", params={"subject": "y"}
    )
    assert assigned.deliveries.get().channel == Channel.EMAIL


def test_the_preferences_page_saves_the_matrix(workspace, member, login):
    moderator = member(Role.MODERATOR)
    client = login(moderator)
    page = client.get(reverse("notification_preferences")).text
    assert 'name="email__overdue"' in page and "An answer is overdue" in page
    form = {
        "section": "matrix",
        f"in_app__{Event.OVERDUE}": "on",
        f"email__{Event.OVERDUE}": EmailMode.DIGEST,
    }
    for event in Event.values:
        if event != Event.OVERDUE:
            form[f"in_app__{event}"] = "on"
            form[f"email__{event}"] = EmailMode.IMMEDIATE
    assert client.post(reverse("notification_preferences"), form).status_code == 302
    [late] = overdue(workspace, [moderator])
    assert list(late.deliveries.values_list("channel", flat=True)) == [Channel.DIGEST]
    assert client.post(reverse("notification_preferences"), {"email__overdue": "loud"}).status_code == 302
    assert "Unknown notification setting" in client.get(reverse("notification_preferences")).text


def test_quiet_hours_hold_mail_until_they_end_and_acute_may_break_through(workspace, member, moment):
    night, strict = member(Role.MODERATOR), member(Role.MODERATOR)
    for person, breaks in ((night, True), (strict, False)):
        services.person_settings_save(
            user=person,
            quiet_start=time(22, 0),
            quiet_end=time(7, 0),
            timezone="Europe/Riga",
            urgent_breaks_quiet=breaks,
            digest_hour=8,
        )
    moment(riga(2026, 11, 24, 23, 30))
    overdue(workspace, [night])
    acute = {n.recipient_id: n for n in overdue(workspace, [night, strict], thread=8, urgent=True)}
    held = NoticeDelivery.objects.filter(held_for_quiet=True)
    assert held.count() == 2 and all(d.due_at == riga(2026, 11, 25, 7, 0) for d in held)
    assert acute[night.pk].deliveries.get().held_for_quiet is False  # they allowed acute at night
    assert acute[strict.pk].deliveries.get().held_for_quiet is True

    assert deliveries_send(at=riga(2026, 11, 24, 23, 31))["sent"] == 1  # only the acute one, now
    assert [m.to for m in mail.outbox] == [[night.email]]
    assert deliveries_send(at=riga(2026, 11, 25, 6, 59))["sent"] == 0
    assert deliveries_send(at=riga(2026, 11, 25, 7, 0))["sent"] == 2
    # Outside quiet hours nothing is held.
    moment(riga(2026, 11, 25, 12, 0))
    [day] = overdue(workspace, [night], thread=9)
    assert day.deliveries.get().due_at == riga(2026, 11, 25, 12, 0)


def test_quiet_hours_are_checked(member):
    from kopiena.core.errors import DomainError

    person = member(Role.MODERATOR)
    for bad in ({"timezone": "Mars/Base"}, {"quiet_end": None}, {"digest_hour": 24}):
        values = {
            "quiet_start": time(22, 0),
            "quiet_end": time(7, 0),
            "timezone": "Europe/Riga",
            "urgent_breaks_quiet": True,
            "digest_hour": 8,
            **bad,
        }
        try:
            services.person_settings_save(user=person, **values)
        except DomainError:
            continue
        raise AssertionError(f"accepted {bad}")
    assert not PersonSettings.objects.filter(user=person).exists()


def test_the_daily_digest_is_one_mail_in_the_readers_language_without_what_is_done(workspace, member, moment):
    moderator = member(Role.MODERATOR)
    moderator.language = "lv"
    moderator.save()
    moment(riga(2026, 11, 24, 14, 0))
    for thread in (1, 2, 3):
        notify(
            workspace_id=workspace.pk,
            recipients=[moderator],
            kind="inbox.sla_due_soon",
            params={"subject": f"Jautājums {thread}", "due_at": riga(2026, 11, 24, 16, thread).isoformat()},
            target=services.thread_target(thread),
        )
    notices_done(workspace_id=workspace.pk, target=services.thread_target(2))  # answered meanwhile
    assert NoticeDelivery.objects.filter(channel=Channel.DIGEST, state=DeliveryState.PENDING).count() == 2
    assert digests_send(at=riga(2026, 11, 25, 7, 59)) == 0
    assert digests_send(at=riga(2026, 11, 25, 8, 0)) == 1
    [digest] = mail.outbox
    assert digest.to == [moderator.email] and "ikdienas" in digest.subject.lower()
    assert "Jautājums 1" in digest.body and "Jautājums 3" in digest.body and "Jautājums 2" not in digest.body
    assert "16:01" in digest.body  # the deadline in the workspace's zone (Riga), not UTC 14:01
    assert digests_send(at=riga(2026, 11, 26, 8, 0)) == 0  # sent once
    assert Notice.objects.filter(recipient=moderator).count() == 3


def test_the_settings_page_speaks_latvian_and_russian(member, login, settings):
    client = login(member(Role.MODERATOR))
    for language, words, english in (
        (
            "lv",
            ["Atbilde kavējas", "Dienas kopsavilkums", "Klusuma stundas", "Tīmekļa āķu galapunkti"],
            "Quiet hours",
        ),
        (
            "ru",
            ["Ответ просрочен", "Ежедневная сводка", "Тихие часы", "Адреса вебхуков"],
            "Webhook endpoints",
        ),
    ):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(reverse("notification_preferences")).text
        assert all(word in page for word in words), language
        assert english not in page and "An answer is overdue" not in page
    assert 'value="Europe/Riga" selected' in page or "<option selected>Europe/Riga</option>" in page
