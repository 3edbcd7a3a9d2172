"""Posts, their per-account variants, and the deliveries that carry them to the platforms.

A ``Post`` is what a person writes once; a ``Variant`` adapts it to one ``ConnectedAccount``; a ``Delivery``
is one attempt-tracked trip of a variant to its platform. The post's state is the editorial workflow
(draft → in review → approved → scheduled → publishing → published / failed / unconfirmed / cancelled);
each delivery has its own state so one failing account never holds back or re-sends the others.

All writes go through ``kopiena.publishing.services`` (editorial) and ``kopiena.publishing.engine``
(delivery); these classes hold no business logic.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.core.models import TimeStampedModel, WorkspaceScopedModel
from kopiena.core.zones import zone_name_of


class ContentType(models.TextChoices):
    """What kind of post it is (M6: the schedule is split by content type)."""

    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")
    TEXT = "text", _("Text")
    AUDIO = "audio", _("Audio")
    COMIC = "comic", _("Comic / illustration")
    POLL = "poll", _("Poll")
    LINK = "link", _("Link share")
    STORY = "story", _("Story / reel")
    CAROUSEL = "carousel", _("Carousel")


class PostState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    UNCONFIRMED = "unconfirmed", _("Unconfirmed")
    CANCELLED = "cancelled", _("Cancelled")


# Editing is allowed in these states; once deliveries are claimed the text is what the platform got.
EDITABLE_POST_STATES = frozenset(
    {PostState.DRAFT, PostState.IN_REVIEW, PostState.APPROVED, PostState.SCHEDULED}
)


class Post(WorkspaceScopedModel):
    """One piece of content, written once and published to one or more accounts through its variants."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts")
    # One of the policy's content types (kopiena.publishing.content_types); the built-in ones by default.
    content_type = models.CharField(_("content type"), max_length=40, default=ContentType.TEXT)
    text = models.TextField(_("text"), blank=True)
    theme = models.CharField(_("theme"), max_length=80, blank=True, help_text=_("e.g. Throwback Thursday"))
    tags = models.JSONField(_("tags"), default=list, blank=True)
    campaign = models.CharField(_("campaign"), max_length=120, blank=True)
    link = models.URLField(_("link"), max_length=2000, blank=True)
    link_context = models.CharField(
        _("why this link"),
        max_length=255,
        blank=True,
        help_text=_("The reason the audience needs the link (M9), e.g. 'they asked for the catalogue'"),
    )
    first_comment = models.TextField(_("first comment"), blank=True)
    poll_options = models.JSONField(_("poll options"), default=list, blank=True)
    poll_duration_seconds = models.PositiveIntegerField(_("poll duration (seconds)"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=PostState.choices, default=PostState.DRAFT)
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    timezone = models.CharField(
        _("time zone shown"), max_length=64, blank=True, help_text=_("Empty: the workspace's time zone")
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.TextField(
        _("policy override reason"), blank=True, help_text=_("Set when a manager scheduled against a rule")
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # Policy rules that flag but do not refuse (mix worsened, link without context): a list of
    # {"code", "path", "message"}, refreshed whenever the post is scheduled, moved or edited.
    policy_flags = models.JSONField(_("policy flags"), default=list, blank=True)

    class Meta:
        ordering = ["scheduled_at", "id"]
        indexes = [
            # The calendar's month view: one workspace, a date range.
            models.Index(fields=["workspace", "scheduled_at"], name="post_calendar"),
            models.Index(fields=["workspace", "state"], name="post_state"),
        ]

    def __str__(self) -> str:
        return (self.text or self.content_type)[:60]

    @property
    def display_timezone(self) -> str:
        return zone_name_of(self.timezone, self.workspace.timezone)


class PostMedia(TimeStampedModel):
    """An image/video/audio attached to a post: an uploaded file or a remote URL, always with alt text."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="media")
    position = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(_("file"), upload_to="posts/%Y/%m/", blank=True)
    url = models.URLField(_("address"), max_length=2000, blank=True)
    mime_type = models.CharField(_("type"), max_length=100, blank=True)
    alt_text = models.TextField(_("alt text"), blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)

    class Meta:
        ordering = ["post", "position", "id"]


class MediaAsset(WorkspaceScopedModel):
    """A file in the workspace's media library: every file uploaded in the composer, with its alt text, so a
    later post reuses it (its ``PostMedia`` points at the same stored file). Checked by content on upload."""

    file = models.FileField(_("file"), upload_to="library/%Y/%m/")
    mime_type = models.CharField(_("type"), max_length=100)
    alt_text = models.TextField(_("alt text"), blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class Variant(TimeStampedModel):
    """The post as one account will see it: text and media adapted to the platform.

    ``problems`` caches the connector's ``validate()`` result (list of {"code", "field", "message"}) so the
    composer can show it live and scheduling can refuse with the same words.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="variants")
    account = models.ForeignKey(
        "integrations.ConnectedAccount", on_delete=models.CASCADE, related_name="variants"
    )
    text = models.TextField(_("text"), blank=True)
    media = models.ManyToManyField(PostMedia, blank=True, related_name="variants")
    problems = models.JSONField(default=list, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "account"], name="variant_one_per_account")]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.account_id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    CLAIMED = "claimed", _("Claimed by a worker")
    PUBLISHING = "publishing", _("Sending to the platform")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    UNCONFIRMED = "unconfirmed", _("Unconfirmed — checking the platform")
    CANCELLED = "cancelled", _("Cancelled")


DELIVERY_FINAL_STATES = frozenset({DeliveryState.PUBLISHED, DeliveryState.FAILED, DeliveryState.CANCELLED})


def _idempotency_key() -> str:
    return uuid.uuid4().hex


class Delivery(WorkspaceScopedModel):
    """One variant on its way to one account.

    ``idempotency_key`` is fixed at creation and sent with every attempt, so a platform that honours it
    (Mastodon ``Idempotency-Key``, VK ``guid``, Bluesky record key) cannot create a second post, and one
    that does not can be searched for it by ``find_published``.

    ``next_attempt_at`` is when the row is next eligible to be claimed (``due_at`` at first, later after a
    retry backoff); ``lease_expires_at`` is when a claim by a worker that died may be taken back.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="deliveries")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="deliveries")
    account = models.ForeignKey(
        "integrations.ConnectedAccount", on_delete=models.CASCADE, related_name="deliveries"
    )
    due_at = models.DateTimeField(_("due"))
    state = models.CharField(
        _("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=64, default=_idempotency_key, editable=False)
    remote_id = models.CharField(max_length=255, blank=True)
    remote_url = models.URLField(max_length=2000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_message = models.TextField(blank=True)
    claimed_by = models.CharField(max_length=120, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    unconfirmed_since = models.DateTimeField(null=True, blank=True)
    reconcile_attempts = models.PositiveIntegerField(default=0)
    metrics_polled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        # Every claim and send rewrites the row in a new place (its state changes), so PostgreSQL inserts
        # an entry into each full index every time: the scans are partial indexes, which take an entry
        # only while a row is in the state they look for, and the idempotency key is a constraint (a
        # unique=True CharField would add a second, pattern-ops index nobody reads).
        indexes = [
            # The due scan: WHERE state='pending' AND next_attempt_at <= now ORDER BY next_attempt_at.
            models.Index(
                fields=["next_attempt_at"], condition=models.Q(state="pending"), name="delivery_due_scan"
            ),
            # Lease recovery: WHERE state IN (claimed, publishing) AND lease_expires_at < now.
            models.Index(
                fields=["lease_expires_at"],
                condition=models.Q(state__in=["claimed", "publishing"]),
                name="delivery_lease_scan",
            ),
            # Reconcile: WHERE state='unconfirmed' AND next_attempt_at <= now.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="unconfirmed"),
                name="delivery_unconfirmed_scan",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="delivery_idempotency_key_unique"),
            # A variant is delivered at most once at a time: rescheduling moves the delivery, not copies it.
            models.UniqueConstraint(
                fields=["variant"],
                condition=~models.Q(state__in=["failed", "cancelled"]),
                name="delivery_one_live_per_variant",
            ),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.state})"


class AttemptOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted by the platform")
    RETRY = "retry", _("Not received; will retry")
    RATE_LIMITED = "rate_limited", _("Rate limited; will retry")
    REJECTED = "rejected", _("Rejected by the platform")
    AUTH = "auth", _("Authorisation expired or revoked")
    UNKNOWN = "unknown", _("Outcome unknown")
    LATE = "late", _("Too late to publish")
    SKIPPED = "skipped", _("Not sent (account or permission changed)")
    RECOVERED = "recovered", _("Worker died; claim recovered")
    FOUND = "found", _("Found on the platform by reconcile")
    NOT_FOUND = "not_found", _("Not found on the platform by reconcile")


class DeliveryAttempt(models.Model):
    """Append-only log of everything that happened to a delivery (never updated or deleted by our code)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    outcome = models.CharField(max_length=16, choices=AttemptOutcome.choices)
    worker = models.CharField(max_length=120, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    error_code = models.CharField(max_length=40, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery", "id"]


class ApprovalDecision(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    SENT_BACK = "sent_back", _("Sent back")


class ApprovalRequest(TimeStampedModel):
    """One submission of a post for review and the manager's decision on it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="approval_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(
        max_length=16, choices=ApprovalDecision.choices, default=ApprovalDecision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["post", "-created_at"]


class PostComment(TimeStampedModel):
    """Review discussion on a post (a manager's 'send back' reason is one of these)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    approval_request = models.ForeignKey(
        ApprovalRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))

    class Meta:
        ordering = ["post", "created_at"]


# Moved to the notifications room; the old name stays importable for callers written before the move.
from kopiena.notifications.models import Notice as Notification  # noqa: E402, F401
