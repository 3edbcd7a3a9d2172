"""Mentions: public posts and feed items that matched at least one saved query (R12, M8).

A mention is stored once per (source, external id) and, for feed items, once per canonical URL in the
workspace (the same article syndicated by two feeds is one mention). Which queries it matched lives in
``MentionMatch`` (with the mention's time and sentiment copied in, so the per-query charts read one
narrow table and never join 1M mentions).

``Mention`` is not a ``WorkspaceScopedModel`` on purpose: that base adds an indexed ``created_at`` and
``updated_at`` the bench showed to cost a fifth of the insert rate, and mentions are written once.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MentionSentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class SpamReview(models.TextChoices):
    """Spam is never dropped silently: it waits in a list for a person to confirm or release it."""

    NONE = "", _("Not spam")
    PENDING = "pending", _("Waiting for review")
    CONFIRMED = "confirmed", _("Confirmed spam")
    RELEASED = "released", _("Not spam after review")


class Mention(models.Model):
    workspace = models.ForeignKey("teams.Workspace", on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey("listening.ListeningSource", on_delete=models.CASCADE, related_name="mentions")
    external_id = models.CharField(max_length=255)
    # Feed items: the link without tracking parameters and fragment, unique per workspace (blank for
    # platform posts, whose external id is already unique).
    canonical_url = models.CharField(max_length=1000, blank=True)
    # sha256 hex of canonical_url ("" without one): the unique key, 64 bytes instead of up to 1000.
    url_key = models.CharField(max_length=64, blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    domain = models.CharField(_("domain"), max_length=255, blank=True)
    platform = models.CharField(_("platform"), max_length=30)
    author_handle = models.CharField(_("author"), max_length=255, blank=True)
    author_name = models.CharField(max_length=255, blank=True)
    author_external_id = models.CharField(max_length=255, blank=True)
    author_url = models.URLField(max_length=500, blank=True)
    author_followers = models.PositiveBigIntegerField(_("reach"), null=True, blank=True)
    is_follower = models.BooleanField(null=True, help_text="None: the platform does not tell us")
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=12, blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=MentionSentiment.choices, blank=True)
    intents = models.JSONField(default=list, blank=True)
    toxic = models.BooleanField(default=False)
    spam = models.BooleanField(default=False)
    acute = models.BooleanField(default=False)
    spam_review = models.CharField(max_length=10, choices=SpamReview.choices, default="", blank=True)
    published_at = models.DateTimeField(_("published"))
    fetched_at = models.DateTimeField()
    # Routed into the inbox (item 4): the Item, or for feeds the person's "answered elsewhere" link.
    inbox_item = models.ForeignKey(
        "inbox.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions"
    )
    answered_elsewhere_url = models.URLField(max_length=1000, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        "teams.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="listening_mention_unique_remote"),
            models.UniqueConstraint(
                fields=["workspace", "url_key"],
                name="listening_mention_unique_url",
                condition=~models.Q(url_key=""),
            ),
        ]
        indexes = [
            # The mentions list (keyset on published_at, id) and the 90-day volume chart.
            models.Index(fields=["workspace", "published_at", "id"], name="listening_m_ws_time"),
            models.Index(fields=["workspace", "source", "published_at"], name="listening_m_ws_source"),
            models.Index(fields=["workspace", "author_handle"], name="listening_m_ws_author"),
            models.Index(fields=["workspace", "domain"], name="listening_m_ws_domain"),
            models.Index(
                fields=["workspace", "spam_review"],
                name="listening_m_spam_review",
                condition=models.Q(spam_review="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_handle}: {self.text[:40]}"


class MentionMatch(models.Model):
    """Mention ↔ query. ``published_at``/``sentiment`` copy the mention's (never change after storing)."""

    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="matches")
    query = models.ForeignKey("listening.ListeningQuery", on_delete=models.CASCADE, related_name="matches")
    published_at = models.DateTimeField()
    sentiment = models.CharField(max_length=10, choices=MentionSentiment.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["query", "mention"], name="listening_match_unique"),
        ]
        indexes = [
            models.Index(fields=["query", "published_at", "mention"], name="listening_match_q_time"),
        ]


class SpikeKind(models.TextChoices):
    VOLUME = "volume", _("Volume")
    NEGATIVE = "negative", _("Negative share")


class Spike(models.Model):
    """One hour in which a query's volume or negative share jumped against its own baseline (item 5)."""

    query = models.ForeignKey("listening.ListeningQuery", on_delete=models.CASCADE, related_name="spikes")
    kind = models.CharField(_("kind"), max_length=10, choices=SpikeKind.choices)
    hour = models.DateTimeField(_("hour"))
    observed = models.FloatField()
    baseline = models.FloatField()
    spread = models.FloatField(help_text="median absolute deviation of the baseline hours")
    mentions = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0.0, help_text="(observed - baseline) / spread")
    example_ids = models.JSONField(default=list, blank=True, help_text="Top example mentions")
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-hour", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["query", "kind", "hour"], name="listening_spike_unique"),
        ]


class HourlyVolume(models.Model):
    """Mentions per hour per query (``query_key`` 0: all of the workspace's mentions), by sentiment.

    Derived data kept up to date by the store step (an upsert adding each batch's counts, in the same
    transaction): the volume/sentiment charts, share of voice and the spike baselines (same hour of week)
    read this small table instead of grouping a million mentions."""

    workspace = models.ForeignKey("teams.Workspace", on_delete=models.CASCADE, related_name="+")
    query_key = models.BigIntegerField()
    hour = models.DateTimeField()
    mentions = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)
    neutral = models.PositiveIntegerField(default=0)
    positive = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "query_key", "hour"], name="listening_hourly_unique")
        ]


class AuthorStat(models.Model):
    """Everyone heard, with how often and how (top authors; a base for community leaders, R13).
    Kept up to date by the store step like ``HourlyVolume``."""

    workspace = models.ForeignKey("teams.Workspace", on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=30)
    handle = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=500, blank=True)
    followers = models.PositiveBigIntegerField(null=True, blank=True)
    mentions = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)
    positive = models.PositiveIntegerField(default=0)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "handle"], name="listening_author_unique"
            )
        ]
        indexes = [models.Index(fields=["workspace", "mentions"], name="listening_author_top")]


class DomainStat(models.Model):
    """Mentions per web domain (top domains), kept up to date by the store step."""

    workspace = models.ForeignKey("teams.Workspace", on_delete=models.CASCADE, related_name="+")
    domain = models.CharField(max_length=255)
    mentions = models.PositiveIntegerField(default=0)
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "domain"], name="listening_domain_unique")
        ]
        indexes = [models.Index(fields=["workspace", "mentions"], name="listening_domain_top")]
