"""Reads of the notifications room: a person's own notices, choices, endpoints and recent deliveries."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from kopiena.notifications.events import DEFAULTS, Choice, Event
from kopiena.notifications.models import Notice, NoticeDelivery, PersonSettings, Preference, WebhookEndpoint
from kopiena.teams.models import Membership, User


def notifications_for(*, user: User, unread_only: bool = False) -> QuerySet[Notice]:
    """A person's own in-app notices across the workspaces they still belong to (no one else's; once
    removed from a workspace, its notices are no longer theirs to read). ``unread_only``: the bell's
    count — unread and not yet done (a done notice asks nothing any more)."""
    queryset = (
        Notice.objects.filter(recipient=user, in_app=True)
        .filter(Exists(Membership.objects.filter(workspace=OuterRef("workspace"), user=user)))
        .select_related("workspace", "post")
    )
    if unread_only:
        return queryset.filter(read_at__isnull=True, done_at__isnull=True)
    return queryset


def preferences_for(*, user: User) -> dict[str, Choice]:
    stored = {p.event: Choice(p.in_app, p.email, p.webhook) for p in Preference.objects.filter(user=user)}
    return {event: stored.get(event, DEFAULTS[event]) for event in Event.values}


def person_settings_for(*, user: User) -> PersonSettings:
    """The stored settings, or unsaved defaults in the time zone of the person's first workspace."""
    stored = PersonSettings.objects.filter(user=user).first()
    if stored is not None:
        return stored
    zone = (
        Membership.objects.filter(user=user)
        .order_by("pk")
        .values_list("workspace__timezone", flat=True)
        .first()
    )
    return PersonSettings(user=user, timezone=zone or "Europe/Riga")


def webhook_endpoints_for(*, user: User) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(user=user)


def recent_deliveries_for(*, user: User, limit: int = 20) -> list[NoticeDelivery]:
    """The person's latest e-mail/webhook deliveries, failures and waiting ones included."""
    return list(
        NoticeDelivery.objects.filter(notice__recipient=user)
        .select_related("notice__workspace", "endpoint")
        .order_by("-created_at", "-pk")[:limit]
    )
