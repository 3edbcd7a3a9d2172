"""The inbox: conversations (threads) of comments, mentions and messages, and our replies to them.

A thread groups what belongs to one conversation on one account: a top-level comment under our post and
the replies beneath it, a mention and its replies, or every direct message with one person. Negative
comments are never deleted (M4): there is no delete here at all; hiding on the platform is a person's
decision with a reason from the policy's list, and the text is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.core.models import TimeStampedModel, WorkspaceScopedModel

# A comment can be megabytes (pasted logs, spam); we keep the start, which is what a person reads.
TEXT_MAX_CHARS = 20_000


class ThreadStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting for them")
    CLOSED = "closed", _("Closed")


class Resolution(models.TextChoices):
    """Why a conversation was closed without (or after) our answer: both need a reason and are reported."""

    RESOLVED = "resolved", _("Resolved")
    NO_REPLY_NEEDED = "no_reply_needed", _("No reply needed")


class HideReason(models.TextChoices):
    """Why a person hid an item on the platform (M4: the policy's ``moderation.hide_reasons``)."""

    ILLEGAL = "illegal", _("Illegal content")
    PERSONAL_DATA = "personal_data", _("Personal data")
    SPAM = "spam", _("Spam")
    INSULTS = "insults", _("Insults to others")


class Priority(models.TextChoices):
    """The policy's routing priorities (policy.schema.Priority); ``rank`` orders the inbox."""

    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class ItemKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    REPLY = "reply", _("Reply")
    DM = "dm", _("Message")
    MENTION = "mention", _("Mention")


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class Thread(WorkspaceScopedModel):
    """One conversation. ``root_external_id`` is the remote id of its first item (or ``dm:<author>``)."""

    account = models.ForeignKey(
        "integrations.ConnectedAccount", on_delete=models.CASCADE, related_name="inbox_threads"
    )
    root_external_id = models.CharField(max_length=255)
    post_external_id = models.CharField(max_length=255, blank=True, help_text="Our post it is under, if any")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ThreadStatus.choices, default="open")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_role = models.CharField(_("assigned role"), max_length=20, blank=True)
    route_rule = models.CharField(max_length=200, blank=True, help_text="The policy rule that routed it")
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default="normal")
    language = models.CharField(_("language"), max_length=12, blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True)
    acute = models.BooleanField(_("acute"), default=False)
    acute_reasons = models.JSONField(default=list, blank=True)
    last_item_at = models.DateTimeField(null=True, blank=True, db_index=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    # The answer we owe now (M8 "answer everyone"): set when the community writes and nothing is pending,
    # cleared when the platform accepts our reply. The first one equals first_response_due_at.
    response_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # M3: when an acute conversation's owed answer was last escalated to the playbook's roles.
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Set when a person closes it ("resolved" / "no reply needed"), with the reason they gave; cleared
    # when the conversation opens again.
    # What the list views filter on without joining items: the kind of the item that started it (Mentions,
    # Direct messages), every intent any item had as ",question,complaint," (portable "contains" on SQLite
    # and PostgreSQL), and whether anyone in it does not follow us (Non-followers).
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices, blank=True)
    intent_keys = models.CharField(max_length=300, blank=True)
    non_follower = models.BooleanField(default=False)
    resolution = models.CharField(_("resolution"), max_length=20, choices=Resolution.choices, blank=True)
    resolution_reason = models.CharField(_("reason"), max_length=200, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    tags = models.ManyToManyField("inbox.Tag", blank=True, related_name="threads")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "root_external_id"], name="inbox_thread_unique_root")
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "last_item_at"]),
            # The list views: sorted by the answer's deadline, keyset-paginated on (due, id).
            models.Index(fields=["workspace", "response_due_at", "id"], name="inbox_thread_due"),
            # "Mine": one person's threads are a few hundred among a million, in the same order.
            models.Index(fields=["workspace", "assignee", "response_due_at", "id"], name="inbox_thread_mine"),
            # The language filter's choices, read by a skip scan (selectors.languages_in_inbox).
            models.Index(fields=["workspace", "language"], name="inbox_thread_language"),
        ]

    def __str__(self) -> str:
        return self.subject or self.root_external_id


class Item(WorkspaceScopedModel):
    """One incoming comment, reply, message or mention, as classified when it arrived."""

    account = models.ForeignKey(
        "integrations.ConnectedAccount", on_delete=models.CASCADE, related_name="inbox_items"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    external_id = models.CharField(max_length=255)
    parent_external_id = models.CharField(max_length=255, blank=True)
    author_handle = models.CharField(_("author"), max_length=255, blank=True)
    author_name = models.CharField(max_length=255, blank=True)
    author_external_id = models.CharField(max_length=255, blank=True)
    author_url = models.URLField(max_length=500, blank=True)
    is_follower = models.BooleanField(null=True, help_text="None: the platform does not tell us")
    text = models.TextField(_("text"), blank=True)
    text_truncated = models.BooleanField(default=False)
    remote_created_at = models.DateTimeField(db_index=True)
    url = models.URLField(max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=12, blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True)
    intents = models.JSONField(default=list, blank=True)
    toxic = models.BooleanField(default=False)
    spam = models.BooleanField(default=False)
    acute = models.BooleanField(default=False)
    acute_reasons = models.JSONField(default=list, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    hidden = models.BooleanField(_("hidden"), default=False)
    # Who hid it, when and why (M4): the text above is always kept for the team.
    hidden_reason = models.CharField(max_length=20, choices=HideReason.choices, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    # When it reached us (stream, webhook or poll): received_at - remote_created_at is the platform-to-inbox
    # delay. Null for rows stored before it was recorded.
    received_at = models.DateTimeField(null=True, blank=True)
    # Changes on the platform (issue 12 item 9): ``text`` stays what we first saw; the latest edit is
    # shown beside it, marked "edited"; a deleted item is marked "deleted on the platform" and kept.
    # The history is the append-only ItemEvent rows.
    edited_text = models.TextField(blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["remote_created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="inbox_item_unique_remote")
        ]
        # The latest arrivals, for the platform-to-inbox delay shown above the list (selectors.arrival_delay).
        indexes = [models.Index(fields=["workspace", "received_at"], name="inbox_item_arrival")]

    def __str__(self) -> str:
        return f"{self.author_handle}: {self.text[:40]}"


class ItemEventKind(models.TextChoices):
    EDITED = "edited", _("Edited on the platform")
    DELETED = "deleted", _("Deleted on the platform")


class ItemEvent(models.Model):
    """Something the platform told us happened to an item after we stored it, append-only: an edit (with
    the new text) or a deletion. ``at``: when it happened on the platform (or when we noticed, if it does
    not say); ``noticed_at``: when we learned of it."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=ItemEventKind.choices)
    at = models.DateTimeField()
    noticed_at = models.DateTimeField()
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]


class ReplyState(models.TextChoices):
    AWAITING_APPROVAL = "awaiting", _("Waiting for approval")  # M3: an acute answer, before a second look
    SENT_BACK = "sent_back", _("Sent back")  # not approved: never sent
    QUEUED = "queued", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNCONFIRMED = "unconfirmed", _("Not confirmed")  # the platform may or may not have it: never re-sent


class Reply(TimeStampedModel):
    """Our answer to an item, sent through the connector by a task."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("text"))
    state = models.CharField(max_length=12, choices=ReplyState.choices, default=ReplyState.QUEUED)
    remote_id = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]


class SavedReply(WorkspaceScopedModel):
    """A prepared answer the team reuses ("thanks for the photo!", the delivery FAQ), picked in the reply box.

    ``{name}`` in the text becomes the person's name when it is inserted; ``language`` (empty: any) puts the
    ones in the conversation's language first. The reply still goes through the tone guard and link rules."""

    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("text"), max_length=TEXT_MAX_CHARS)
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class SlaKind(models.TextChoices):
    FIRST = "first", _("First answer")
    NEXT = "next", _("Next answer")


class SlaStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")  # overdue, or answered late


class AppliedSla(WorkspaceScopedModel):
    """One answer we owe (M2/M8): the first one in a thread, or a next one after the customer wrote again
    following our answer. The deadline is in business time when the policy says so (core.business_time).

    ``state`` and the timestamps are a summary; the history is the append-only ``SlaEvent`` rows.
    ``elapsed_seconds`` is the (business) time used before the latest pause, so a resumed clock only gets
    what was left."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="slas")
    # The remote id of the message that started the clock (items are bulk-inserted after their SLA).
    started_by = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=8, choices=SlaKind.choices)
    state = models.CharField(max_length=10, choices=SlaStatus.choices, default=SlaStatus.RUNNING)
    target_seconds = models.PositiveIntegerField()
    business_time = models.BooleanField(default=True)
    warn_share = models.FloatField(default=0.75)
    started_at = models.DateTimeField()
    warn_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True, help_text="Answered, or paused")
    elapsed_seconds = models.FloatField(default=0)
    answer_seconds = models.FloatField(null=True, blank=True, help_text="Business seconds to the answer")

    class Meta:
        ordering = ["started_at", "pk"]
        indexes = [
            models.Index(fields=["state", "warn_at"], name="inbox_sla_warn"),
            models.Index(fields=["state", "due_at"], name="inbox_sla_due"),
        ]


class SlaEventKind(models.TextChoices):
    STARTED = "started", _("Started")
    WARNED = "warned", _("Due soon")
    MET = "met", _("Answered in time")
    BREACHED = "breached", _("Overdue")
    ANSWERED_LATE = "answered_late", _("Answered late")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")


class SlaEvent(models.Model):
    """What happened to an AppliedSla, append-only (written only by inbox.sla_clock; never updated)."""

    sla = models.ForeignKey(AppliedSla, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=SlaEventKind.choices)
    at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class Tag(WorkspaceScopedModel):
    """A workspace's own label for conversations ("delivery", "campaign-may"), filtered on in the inbox."""

    name = models.CharField(_("name"), max_length=40)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="inbox_tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class ThreadNote(WorkspaceScopedModel):
    """An internal note on a conversation, never sent to the platform. ``text`` is shown as text (HTML in
    it is displayed literally); the teammates it @mentions (``mentioned``) were notified once."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("text"))
    mentioned = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]


class ItemCorrection(WorkspaceScopedModel):
    """A person's correction of how an item was classified: the workspace's own labelled example.

    ``text`` is the item's text at the time (the example), ``before`` what it was labelled, ``labels``
    the whole corrected label set (language, sentiment, intents, spam, toxic). The newest correction of
    a text wins when the workspace's next comments are classified (inbox.corrections)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="corrections")
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    before = models.JSONField(default=dict)
    labels = models.JSONField(default=dict)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["workspace", "id"], name="inbox_correction_ws")]
