"""Writes of the notifications room: ``notify`` (every app calls it), marking notices read and done, and
a person's own choices (preferences, quiet hours, webhook endpoints).

``notify`` decides the channels at write time from the recipient's preferences: an in-app notice, an
e-mail now (or at the end of quiet hours), a line in tomorrow's digest, a POST to each webhook endpoint.
The deliveries are made by the worker after the transaction commits (``delivery``), with retries.
"""

from __future__ import annotations

import secrets as pysecrets
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kopiena.audit.services import audit_record
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.integrations.crypto import encrypt_secret
from kopiena.notifications.events import DEFAULTS, URGENT_EVENTS, Channel, Choice, EmailMode, Event, event_for
from kopiena.notifications.models import (
    DeliveryState,
    Notice,
    NoticeDelivery,
    PersonSettings,
    Preference,
    WebhookEndpoint,
    WebhookFormat,
)
from kopiena.teams.models import Membership, User, Workspace

TITLE_MAX = 300


# ------------------------------------------------------------------ choices and quiet hours


def choices_for(*, users: Iterable[User], event: str) -> dict[int, Choice]:
    """Each person's choice for ``event`` (stored, or the default)."""
    ids = [u.pk for u in users]
    stored = {
        p.user_id: Choice(p.in_app, p.email, p.webhook)
        for p in Preference.objects.filter(user_id__in=ids, event=event)
    }
    return {pk: stored.get(pk, DEFAULTS[event]) for pk in ids}


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def quiet_until(person: PersonSettings | None, at: datetime) -> datetime | None:
    """The end of the quiet hours ``at`` falls in, or None when the person may be disturbed at ``at``.
    Hours that cross midnight (22:00–07:00) are quiet from the start until the next day's end."""
    if person is None or person.quiet_start is None or person.quiet_end is None:
        return None
    start, end = person.quiet_start, person.quiet_end
    if start == end:
        return None
    zone = _zone(person.timezone)
    local = at.astimezone(zone)
    t = local.time()
    today = local.date()
    if start < end:
        inside = start <= t < end
        end_day = today
    elif t >= start:
        inside, end_day = True, today + timedelta(days=1)
    else:
        inside, end_day = t < end, today
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=zone)


def next_digest_at(
    person: PersonSettings | None, at: datetime, *, zone_name: str = "Europe/Riga"
) -> datetime:
    """The next daily digest moment after ``at`` (default 08:00 in ``zone_name``, the workspace's zone,
    for a person who chose nothing), moved out of quiet hours."""
    zone = _zone(person.timezone if person else zone_name)
    hour = person.digest_hour if person else 8
    local = at.astimezone(zone)
    moment = datetime.combine(local.date(), time(hour=min(hour, 23)), tzinfo=zone)
    if moment <= local:
        moment = datetime.combine(local.date() + timedelta(days=1), time(hour=min(hour, 23)), tzinfo=zone)
    return quiet_until(person, moment) or moment


# ------------------------------------------------------------------ notify


def _all_languages(title: Callable[[], str], body: Callable[[], str] | None) -> dict:
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = {"title": str(title())[:TITLE_MAX], "body": str(body()) if body else ""}
    return texts


def notify(
    *,
    workspace_id: int,
    recipients: Iterable[User],
    kind: str,
    title: Callable[[], str] | None = None,
    body: Callable[[], str] | None = None,
    params: dict | None = None,
    target: str = "",
    post=None,
    urgent: bool = False,
) -> list[Notice]:
    """Tell ``recipients`` about ``kind``. Either ``params`` for a kind listed in ``messages.MESSAGES``
    (rendered when shown, in the reader's language), or ``title``/``body`` callables (the original
    contract: called once per language, each inside that language). ``target`` names what the notice
    asks for, so it is marked done when that is done (``notices_done``).

    Only people who are members of the workspace now are told (a list built from old assignments or
    settings may name someone removed). Each person's preferences pick the channels; a person who
    turned every channel off for this event gets nothing. Returns the notices created (in-app or not)."""
    if title is None and params is None:
        raise ValueError("notify needs params (a message kind) or title/body callables")
    people = {u.pk: u for u in recipients if u is not None}
    members = set(
        Membership.objects.filter(workspace_id=workspace_id, user_id__in=people).values_list(
            "user_id", flat=True
        )
    )
    people = {pk: u for pk, u in people.items() if pk in members}
    if not people:
        return []
    event = event_for(kind)
    urgent = urgent or event in URGENT_EVENTS
    texts = _all_languages(title, body) if title is not None else {}
    choices = choices_for(users=people.values(), event=event)
    rows: list[tuple[Notice, Choice]] = []
    for pk, user in people.items():
        choice = choices[pk]
        if not (choice.in_app or choice.email != EmailMode.OFF or choice.webhook):
            continue
        notice = Notice(
            workspace_id=workspace_id,
            recipient=user,
            kind=kind[:60],
            event=event,
            params=params or {},
            texts=texts,
            target=target[:80],
            urgent=urgent,
            in_app=choice.in_app,
            post=post,
        )
        rows.append((notice, choice))
    created = Notice.objects.bulk_create([n for n, _c in rows])
    zone_name = Workspace.objects.filter(pk=workspace_id).values_list("timezone", flat=True).first() or "UTC"
    _plan_deliveries(list(zip(created, [c for _n, c in rows], strict=True)), zone_name=zone_name)
    return created


def _plan_deliveries(rows: list[tuple[Notice, Choice]], *, zone_name: str) -> None:
    at = now()
    user_ids = {n.recipient_id for n, _c in rows}
    persons = {p.user_id: p for p in PersonSettings.objects.filter(user_id__in=user_ids)}
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(user_id__in=user_ids, enabled=True):
        endpoints.setdefault(endpoint.user_id, []).append(endpoint)
    deliveries: list[NoticeDelivery] = []
    for notice, choice in rows:
        person = persons.get(notice.recipient_id)
        held = quiet_until(person, at)
        if held is not None and notice.urgent and (person.urgent_breaks_quiet if person else True):
            held = None
        due = held or at
        if choice.email == EmailMode.IMMEDIATE and notice.recipient.email:
            deliveries.append(
                NoticeDelivery(
                    notice=notice, channel=Channel.EMAIL, due_at=due, held_for_quiet=held is not None
                )
            )
        elif choice.email == EmailMode.DIGEST and notice.recipient.email:
            deliveries.append(
                NoticeDelivery(
                    notice=notice,
                    channel=Channel.DIGEST,
                    due_at=next_digest_at(person, at, zone_name=zone_name),
                )
            )
        if choice.webhook:
            for endpoint in endpoints.get(notice.recipient_id, []):
                deliveries.append(
                    NoticeDelivery(
                        notice=notice,
                        channel=Channel.WEBHOOK,
                        endpoint=endpoint,
                        due_at=due,
                        held_for_quiet=held is not None,
                    )
                )
    created = NoticeDelivery.objects.bulk_create(deliveries)
    now_ids = [d.pk for d in created if d.due_at <= at]
    if now_ids:
        from kopiena.notifications.tasks import notice_deliveries_send

        transaction.on_commit(lambda: notice_deliveries_send.enqueue(now_ids))


# ------------------------------------------------------------------ read and done


def notices_mark_read(*, user: User, notice_id: int | None = None) -> int:
    """Mark one of ``user``'s notices (or all of them) read; another person's is never touched."""
    unread = Notice.objects.filter(recipient=user, read_at__isnull=True)
    if notice_id is not None:
        unread = unread.filter(pk=notice_id)
    return unread.update(read_at=now())


def notices_done(*, workspace_id: int, target: str, kinds: Iterable[str] | None = None) -> int:
    """What the notices about ``target`` asked for is done (an approval given or sent back, a thread
    answered or resolved): mark them done; e-mails and webhooks not yet sent for them are dropped.
    Called by the services that do those things, inside their transaction."""
    pending = Notice.objects.filter(workspace_id=workspace_id, target=target, done_at__isnull=True)
    if kinds is not None:
        pending = pending.filter(kind__in=list(kinds))
    ids = list(pending.values_list("pk", flat=True))
    if not ids:
        return 0
    at = now()
    Notice.objects.filter(pk__in=ids).update(done_at=at)
    NoticeDelivery.objects.filter(notice_id__in=ids, state=DeliveryState.PENDING).update(
        state=DeliveryState.SKIPPED, last_error="", updated_at=at
    )
    return len(ids)


def thread_target(thread_id: int) -> str:
    return f"inbox.thread:{thread_id}"


def reply_target(reply_id: int) -> str:
    return f"inbox.reply:{reply_id}"


def post_target(post_id: int) -> str:
    return f"publishing.post:{post_id}"


# ------------------------------------------------------------------ a person's choices


@transaction.atomic
def preferences_save(*, user: User, choices: dict[str, Choice]) -> None:
    """Store ``user``'s choice per event (only those that differ from the defaults are kept)."""
    before = {p.event: [p.in_app, p.email, p.webhook] for p in Preference.objects.filter(user=user)}
    for event, choice in choices.items():
        if event not in Event.values or choice.email not in EmailMode.values:
            raise DomainError(_("Unknown notification setting."))
        if choice == DEFAULTS[event]:
            Preference.objects.filter(user=user, event=event).delete()
        else:
            Preference.objects.update_or_create(
                user=user,
                event=event,
                defaults={"in_app": choice.in_app, "email": choice.email, "webhook": choice.webhook},
            )
    after = {p.event: [p.in_app, p.email, p.webhook] for p in Preference.objects.filter(user=user)}
    if before != after:
        audit_record(
            actor=user, action="notifications.preferences_save", obj=user, before=before, after=after
        )


@transaction.atomic
def person_settings_save(
    *,
    user: User,
    quiet_start: time | None,
    quiet_end: time | None,
    timezone: str,
    urgent_breaks_quiet: bool,
    digest_hour: int,
) -> PersonSettings:
    if (quiet_start is None) != (quiet_end is None):
        raise DomainError(_("Give both the start and the end of quiet hours, or neither."), field="quiet_end")
    if timezone not in zoneinfo.available_timezones():
        raise DomainError(_("Choose a time zone from the list."), field="timezone")
    if not 0 <= digest_hour <= 23:
        raise DomainError(_("The digest hour must be between 0 and 23."), field="digest_hour")
    person, _created = PersonSettings.objects.get_or_create(user=user)
    before = _settings_dict(person)
    person.quiet_start, person.quiet_end = quiet_start, quiet_end
    person.timezone, person.urgent_breaks_quiet, person.digest_hour = (
        timezone,
        urgent_breaks_quiet,
        digest_hour,
    )
    person.save()
    audit_record(
        actor=user,
        action="notifications.settings_save",
        obj=user,
        before=before,
        after=_settings_dict(person),
    )
    return person


def _settings_dict(person: PersonSettings) -> dict:
    return {
        "quiet_start": person.quiet_start.isoformat() if person.quiet_start else None,
        "quiet_end": person.quiet_end.isoformat() if person.quiet_end else None,
        "timezone": person.timezone,
        "urgent_breaks_quiet": person.urgent_breaks_quiet,
        "digest_hour": person.digest_hour,
    }


@transaction.atomic
def webhook_endpoint_create(
    *, user: User, name: str, fmt: str, url: str, chat_id: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint; returns it and its signing secret (shown to the person once)."""
    name = " ".join((name or "").split())[:100]
    url = (url or "").strip()
    chat_id = (chat_id or "").strip()[:64]
    if not name:
        raise DomainError(_("Give the endpoint a name."), field="name")
    if fmt not in WebhookFormat.values:
        raise DomainError(_("Choose a format."), field="format")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        parsed = None
    if parsed is None or parsed.scheme not in ("https", "http") or not parsed.host or len(url) > 2000:
        raise DomainError(_("Enter the full address, starting with https://."), field="url")
    if fmt == WebhookFormat.TELEGRAM and not chat_id:
        raise DomainError(_("A Telegram bot needs the chat id to write to."), field="chat_id")
    if WebhookEndpoint.objects.filter(user=user).count() >= 10:
        raise DomainError(_("At most 10 endpoints per person."))
    secret = pysecrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        user=user,
        name=name,
        format=fmt,
        host=parsed.host[:255],
        chat_id=chat_id,
        ciphertext=encrypt_secret({"url": url, "secret": secret}),
    )
    audit_record(
        actor=user,
        action="notifications.webhook_create",
        obj=endpoint,
        after={"name": name, "format": fmt, "host": endpoint.host},
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_delete(*, user: User, endpoint_id: int) -> None:
    endpoint = WebhookEndpoint.objects.filter(user=user, pk=endpoint_id).first()
    if endpoint is None:
        from django.http import Http404

        raise Http404
    audit_record(
        actor=user,
        action="notifications.webhook_delete",
        obj=endpoint,
        before={"name": endpoint.name, "format": endpoint.format, "host": endpoint.host},
    )
    endpoint.delete()
