"""Planning: local events (C5), the idea bank (C2–C10), testimonial consent (C6) and the week planner's
proposals.

Public holidays, Latvian name days and the curated unusual days are not stored: they are computed from
the ``holidays`` package, ``lv-namedays`` and ``planning/data/observances.json`` (``kopiena.planning.days``).
All writes go through ``kopiena.planning.services``; these classes hold no business logic.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.core.models import TimeStampedModel, WorkspaceScopedModel


class EventFeed(WorkspaceScopedModel):
    """An iCal (.ics) address whose events are imported as local events and refreshed by a task."""

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("address"), max_length=2000)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    event_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "url"], name="event_feed_unique_url")]

    def __str__(self) -> str:
        return self.name


class LocalEvent(WorkspaceScopedModel):
    """A local event the business may promote (C5): a charity run, a football match, a fair."""

    feed = models.ForeignKey(
        EventFeed, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    uid = models.CharField(max_length=255, blank=True, help_text="The iCal UID (imported events)")
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=255, blank=True)
    url = models.URLField(_("link"), max_length=2000, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["workspace", "starts_on"], name="local_event_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "uid"], condition=~models.Q(uid=""), name="local_event_unique_uid"
            )
        ]

    def __str__(self) -> str:
        return self.title


class IdeaKind(models.TextChoices):
    QUESTION = "question", _("Engaging question")
    LINK = "link", _("Third-party link")
    EVENT = "event", _("Local event")
    TESTIMONIAL = "testimonial", _("Customer testimonial")
    FAQ = "faq", _("FAQ")
    NEWS = "news", _("News")
    NEWSLETTER = "newsletter", _("Newsletter")
    DISCOUNT = "discount", _("Social-only discount")
    HOLIDAY = "holiday", _("Holiday or special day")
    THEME = "theme", _("Weekday theme")
    TOPIC = "topic", _("Topic from comments")


class IdeaStatus(models.TextChoices):
    OPEN = "open", _("Open")
    USED = "used", _("Used")
    ARCHIVED = "archived", _("Archived")


class Consent(WorkspaceScopedModel):
    """A customer's permission to publish their testimonial (C6): who, for what, on which accounts, the
    evidence, and until when. Withdrawn consents stay (the record of what was allowed is evidence too)."""

    person_name = models.CharField(_("person"), max_length=200)
    person_handle = models.CharField(_("their account"), max_length=255, blank=True)
    person_url = models.URLField(_("link to their account"), max_length=1000, blank=True)
    purpose = models.TextField(_("what they agreed to"))
    accounts = models.ManyToManyField(
        "integrations.ConnectedAccount", related_name="+", verbose_name=_("accounts")
    )
    evidence_url = models.URLField(_("evidence link"), max_length=2000, blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="consents/%Y/%m/", blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.person_name


class Idea(WorkspaceScopedModel):
    """One thing worth a post. ``source_key`` makes ideas found automatically (FAQ, topics, days) unique per
    workspace so a refresh updates the count instead of adding a copy; ``source_item_ids`` are the inbox
    items (comments, questions) it came from."""

    kind = models.CharField(_("kind"), max_length=16, choices=IdeaKind.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("draft text"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    content_type = models.CharField(_("content type"), max_length=40, blank=True)
    hashtags = models.JSONField(_("hashtags"), default=list, blank=True)
    link = models.URLField(_("link"), max_length=2000, blank=True)
    link_context = models.CharField(_("why this link"), max_length=255, blank=True)
    day = models.DateField(_("for the day"), null=True, blank=True)
    event = models.ForeignKey(
        LocalEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas"
    )
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="ideas"
    )
    promo_code = models.CharField(_("promo code"), max_length=40, blank=True)
    source_key = models.CharField(max_length=200, blank=True)
    source_item_ids = models.JSONField(default=list, blank=True)
    source_mention_id = models.BigIntegerField(null=True, blank=True)
    count = models.PositiveIntegerField(_("times asked"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=IdeaStatus.choices, default=IdeaStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-count", "created_at", "id"]
        indexes = [models.Index(fields=["workspace", "status", "kind"], name="idea_bank")]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source_key"],
                condition=~models.Q(source_key=""),
                name="idea_unique_source",
            ),
            models.UniqueConstraint(
                fields=["workspace", "promo_code"],
                condition=~models.Q(promo_code=""),
                name="idea_unique_promo",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PromoUse(WorkspaceScopedModel):
    """One counted use of a social-only promo code (C8): the shop or the till reports it."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="promo_uses")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]


class PostConsent(TimeStampedModel):
    """The consent a testimonial post relies on; ``flagged_at`` is set when that consent is withdrawn."""

    post = models.OneToOneField("publishing.Post", on_delete=models.CASCADE, related_name="consent_link")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="post_links")
    flagged_at = models.DateTimeField(null=True, blank=True)


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")


class Proposal(WorkspaceScopedModel):
    """One post the week planner proposes for one account and slot. ``reasons`` are codes with parameters
    ([{"code", ...}]) so the explanation is written in the reader's language when shown."""

    week_start = models.DateField()
    account = models.ForeignKey("integrations.ConnectedAccount", on_delete=models.CASCADE, related_name="+")
    slot_at = models.DateTimeField()
    content_type = models.CharField(max_length=40)
    theme = models.CharField(max_length=80, blank=True)
    text = models.TextField(blank=True)
    hashtags = models.JSONField(default=list, blank=True)
    link = models.URLField(max_length=2000, blank=True)
    link_context = models.CharField(max_length=255, blank=True)
    idea = models.ForeignKey(Idea, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    day_key = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=16, choices=IdeaKind.choices)
    reasons = models.JSONField(default=list)
    choice = models.PositiveIntegerField(default=0, help_text="Which ranked option (regenerate moves it on)")
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    post = models.ForeignKey(
        "publishing.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["slot_at", "account_id", "id"]
        indexes = [models.Index(fields=["workspace", "week_start", "status"], name="proposal_week")]
