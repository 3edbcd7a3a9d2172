"""Message ids of the kinds that are stored as parameters and rendered when shown.

Each kind has a title and a body with ``%(name)s`` arguments taken from the notice's ``params``. Params
ending in ``_at`` are ISO datetimes, shown in the workspace's time zone and the reader's date format;
a ``minutes`` param is a number. Strings are marked here and translated at render time.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class Message:
    title: str
    body: str


MESSAGES: dict[str, Message] = {
    "inbox.sla_due_soon": Message(
        gettext_noop("An answer is due soon"),
        gettext_noop("“%(subject)s” is waiting for an answer; it is due at %(due_at)s."),
    ),
    "inbox.sla_overdue": Message(
        gettext_noop("An answer is overdue"),
        gettext_noop(
            "“%(subject)s” has waited past its deadline (%(due_at)s). Open the inbox and answer it."
        ),
    ),
    "inbox.acute_escalation": Message(
        gettext_noop("An acute conversation has waited over %(minutes)s minutes"),
        gettext_noop("“%(subject)s” still has no answer. Open the inbox and take it over."),
    ),
    "inbox.reply_approval": Message(
        gettext_noop("An answer in an acute conversation waits for your approval"),
        gettext_noop("%(author)s wrote:\n%(text)s"),
    ),
    "inbox.reply_approved": Message(
        gettext_noop("Your answer was approved"),
        gettext_noop("%(reviewer)s approved your answer; it is being sent."),
    ),
    "inbox.reply_sent_back": Message(
        gettext_noop("Your answer was sent back"),
        gettext_noop("%(reviewer)s: %(note)s"),
    ),
    "inbox.reply_failed": Message(
        gettext_noop("Your answer was not sent"),
        gettext_noop("The answer to “%(subject)s” was not sent. The platform said: %(error)s"),
    ),
    "inbox.thread_assigned": Message(
        gettext_noop("A conversation was assigned to you"),
        gettext_noop("%(actor)s assigned “%(subject)s” to you."),
    ),
    "publishing.review_requested": Message(
        gettext_noop("A post waits for your review"),
        gettext_noop("%(author)s submitted a post for review: “%(excerpt)s”"),
    ),
    "publishing.approved": Message(
        gettext_noop("Your post was approved"),
        gettext_noop("%(reviewer)s approved “%(excerpt)s”."),
    ),
    "publishing.sent_back": Message(
        gettext_noop("Your post was sent back"),
        gettext_noop("%(reviewer)s sent “%(excerpt)s” back: %(comment)s"),
    ),
    "notifications.test": Message(
        gettext_noop("Test notification from Kopiena"),
        gettext_noop("If you can read this, notices reach “%(endpoint)s”. Sent at %(sent_at)s."),
    ),
}
