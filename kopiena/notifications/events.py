"""What a person can be told about (events), the channels, the defaults, and which kind is which event.

A *kind* is what a caller passes to ``notify`` (``inbox.sla_overdue``, ``delivery.rejected``,
``note_mention`` …); an *event* is the row of the preferences matrix it belongs to. Kinds nobody listed
fall into an event by their name (``…mention…`` → mentioned in a note, ``delivery.…`` → post not
published), else "everything else", so a new caller is never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned to me or my role")
    NOTE_MENTION = "note_mention", _("Mentioned in a note")
    DUE_SOON = "due_soon", _("An answer is due soon")
    OVERDUE = "overdue", _("An answer is overdue")
    ACUTE = "acute", _("Acute conversation")
    REVIEW_REQUESTED = "review_requested", _("Review requested")
    REVIEW_DONE = "review_done", _("Approved or sent back")
    REPLY_FAILED = "reply_failed", _("An answer was not sent")
    PUBLISH_FAILED = "publish_failed", _("A post was not published")
    ACCOUNT = "account", _("An account needs reconnecting")
    LISTENING = "listening", _("Listening alerts and tasks")
    OTHER = "other", _("Everything else")


class EmailMode(models.TextChoices):
    OFF = "off", _("No e-mail")
    IMMEDIATE = "immediate", _("E-mail at once")
    DIGEST = "digest", _("Daily digest")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    DIGEST = "digest", _("Daily digest")
    WEBHOOK = "webhook", _("Webhook")


@dataclass(frozen=True)
class Choice:
    """One person's choice for one event: in the app, by e-mail (now / digest / not), to webhooks."""

    in_app: bool
    email: str
    webhook: bool


# Sensible defaults: everything in the app; e-mail at once for what needs someone now; a digest for the
# rest; webhooks for everything (an endpoint is itself an opt-in, so adding one should just work).
DEFAULTS: dict[str, Choice] = {
    Event.ASSIGNED: Choice(True, EmailMode.IMMEDIATE, True),
    Event.NOTE_MENTION: Choice(True, EmailMode.IMMEDIATE, True),
    Event.DUE_SOON: Choice(True, EmailMode.DIGEST, True),
    Event.OVERDUE: Choice(True, EmailMode.IMMEDIATE, True),
    Event.ACUTE: Choice(True, EmailMode.IMMEDIATE, True),
    Event.REVIEW_REQUESTED: Choice(True, EmailMode.IMMEDIATE, True),
    Event.REVIEW_DONE: Choice(True, EmailMode.IMMEDIATE, True),
    Event.REPLY_FAILED: Choice(True, EmailMode.IMMEDIATE, True),
    Event.PUBLISH_FAILED: Choice(True, EmailMode.IMMEDIATE, True),
    Event.ACCOUNT: Choice(True, EmailMode.IMMEDIATE, True),
    Event.LISTENING: Choice(True, EmailMode.IMMEDIATE, True),
    Event.OTHER: Choice(True, EmailMode.DIGEST, True),
}

KIND_EVENTS: dict[str, str] = {
    "inbox.thread_assigned": Event.ASSIGNED,
    "inbox.note_mention": Event.NOTE_MENTION,
    "note_mention": Event.NOTE_MENTION,
    "inbox.sla_due_soon": Event.DUE_SOON,
    "inbox.sla_overdue": Event.OVERDUE,
    "inbox.acute_escalation": Event.ACUTE,
    "inbox.reply_approval": Event.REVIEW_REQUESTED,
    "publishing.review_requested": Event.REVIEW_REQUESTED,
    "inbox.reply_approved": Event.REVIEW_DONE,
    "inbox.reply_sent_back": Event.REVIEW_DONE,
    "publishing.approved": Event.REVIEW_DONE,
    "publishing.sent_back": Event.REVIEW_DONE,
    "inbox.reply_failed": Event.REPLY_FAILED,
    "account.needs_reconnect": Event.ACCOUNT,
}

# Events that may break through quiet hours when the person allows it.
URGENT_EVENTS = frozenset({Event.ACUTE})


def event_for(kind: str) -> str:
    if kind in KIND_EVENTS:
        return KIND_EVENTS[kind]
    if kind.startswith("delivery."):
        return Event.PUBLISH_FAILED
    if kind.startswith("listening."):
        return Event.LISTENING
    if "mention" in kind:
        return Event.NOTE_MENTION
    if "assign" in kind:
        return Event.ASSIGNED
    if "overdue" in kind:
        return Event.OVERDUE
    if "acute" in kind:
        return Event.ACUTE
    return Event.OTHER
