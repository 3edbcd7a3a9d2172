"""Competitors (R18): public accounts of other brands, their posts and the engagement those drew.

A competitor's account is read through a feed (RSS/Atom: a blog, a Mastodon ``@user.rss``, a Bluesky
``/profile/<handle>/rss``…), on the clock like listening's feeds. Engagement counts are appended as
snapshots (never overwritten), so "engagement over time" is a query, not a guess.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.core.models import WorkspaceScopedModel


class Competitor(WorkspaceScopedModel):
    name = models.CharField(_("name"), max_length=120)
    # Names and words that count as talking about this competitor (share of voice from mentions).
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="listening_competitor_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def terms(self) -> list[str]:
        return [t for t in [self.name, *self.aliases] if t]


class CompetitorAccount(models.Model):
    """One public account or feed of a competitor, with its own fetch health and feed cursor."""

    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="accounts")
    platform = models.CharField(_("platform"), max_length=30)
    handle = models.CharField(_("handle"), max_length=255, blank=True)
    # Blank: read through the platform's API (its connector declares ACCOUNT_POSTS) with one of the
    # workspace's connected accounts of that platform — which also brings engagement counts.
    feed_url = models.URLField(_("feed address"), max_length=1000, blank=True)
    cursor = models.TextField(blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["platform", "handle", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["competitor", "feed_url"],
                name="listening_comp_account_unique",
                condition=~models.Q(feed_url=""),
            ),
            models.UniqueConstraint(
                fields=["competitor", "platform", "handle"],
                name="listening_comp_account_unique_api",
                condition=models.Q(feed_url=""),
            ),
        ]

    def __str__(self) -> str:
        return self.handle or self.feed_url


class CompetitorPost(models.Model):
    account = models.ForeignKey(CompetitorAccount, on_delete=models.CASCADE, related_name="posts")
    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="posts")
    external_id = models.CharField(max_length=500)
    url = models.URLField(max_length=1000, blank=True)
    published_at = models.DateTimeField(_("published"))
    content_type = models.CharField(_("content type"), max_length=20, default="text")
    text = models.TextField(_("text"), blank=True)
    # Latest known counts (the history is in CompetitorEngagement).
    likes = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="listening_comp_post_unique")
        ]
        indexes = [models.Index(fields=["competitor", "published_at"], name="listening_comp_post_time")]

    @property
    def engagement(self) -> int:
        return self.likes + self.shares + self.replies


class CompetitorEngagement(models.Model):
    """Append-only: the counts a post showed at one moment."""

    post = models.ForeignKey(CompetitorPost, on_delete=models.CASCADE, related_name="snapshots")
    at = models.DateTimeField()
    likes = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]
