"""Analytics storage. Snapshots are append-only: a new reading is a new row, never an update."""

from __future__ import annotations

from django.db import models


class MetricSnapshot(models.Model):
    """Engagement of one published delivery as the platform reported it at ``taken_at``.

    ``None`` means the platform does not report that figure (e.g. views on Mastodon), not zero.
    """

    workspace = models.ForeignKey("teams.Workspace", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("integrations.ConnectedAccount", on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey("publishing.Delivery", on_delete=models.CASCADE, related_name="metrics")
    taken_at = models.DateTimeField()
    likes = models.PositiveBigIntegerField(null=True, blank=True)
    reposts = models.PositiveBigIntegerField(null=True, blank=True)
    replies = models.PositiveBigIntegerField(null=True, blank=True)
    views = models.PositiveBigIntegerField(null=True, blank=True)
    clicks = models.PositiveBigIntegerField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True, help_text="Platform-specific figures")

    class Meta:
        ordering = ["delivery", "taken_at"]
        indexes = [
            models.Index(fields=["delivery", "taken_at"], name="metric_by_delivery"),
            models.Index(fields=["workspace", "taken_at"], name="metric_by_workspace"),
        ]


class AccountSnapshot(models.Model):
    """An account's audience as the platform reported it, one row per account and workspace-local day.

    Read daily (``analytics.accounts.account_snapshots_poll``); a second reading on the same day replaces
    the day's figures. ``None``: the platform does not give that number.
    """

    workspace = models.ForeignKey("teams.Workspace", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("integrations.ConnectedAccount", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text="The workspace's local date of the reading")
    taken_at = models.DateTimeField()
    followers = models.PositiveBigIntegerField(null=True, blank=True)
    following = models.PositiveBigIntegerField(null=True, blank=True)
    posts = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["account", "day"]
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="account_snapshot_one_a_day")]
        indexes = [models.Index(fields=["workspace", "day"], name="account_snapshot_by_day")]


class PostStat(models.Model):
    """Rollup: one row per published delivery with its latest counters and where it falls in the workspace's
    week (local day, weekday 0=Monday, hour). Kept by ``rollups.rollups_refresh`` from new snapshots, so
    charts and "top posts" never read ``MetricSnapshot``. ``views`` is ``None`` when the platform gives no
    reach for the post."""

    workspace = models.ForeignKey("teams.Workspace", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("integrations.ConnectedAccount", on_delete=models.CASCADE, related_name="+")
    delivery = models.OneToOneField("publishing.Delivery", on_delete=models.CASCADE, related_name="stat")
    post = models.ForeignKey("publishing.Post", on_delete=models.CASCADE, related_name="+")
    published_at = models.DateTimeField()
    day = models.DateField()
    weekday = models.PositiveSmallIntegerField()
    hour = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=40)
    theme = models.CharField(max_length=80, blank=True)
    likes = models.PositiveBigIntegerField(default=0)
    reposts = models.PositiveBigIntegerField(default=0)
    replies = models.PositiveBigIntegerField(default=0)
    views = models.PositiveBigIntegerField(null=True, blank=True)
    engagement = models.PositiveBigIntegerField(default=0, help_text="likes + reposts + replies")
    taken_at = models.DateTimeField(
        null=True, blank=True, help_text="When the counters were read; None: never"
    )

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "day"], name="post_stat_by_day"),
            models.Index(fields=["account", "day"], name="post_stat_by_account_day"),
        ]


class EngagementDay(models.Model):
    """Rollup: posts published and their engagement per account, local day, hour, content type and theme.

    Every engagement chart (by content type, theme, account, weekday × hour, day) sums these rows — at
    most a few per account and day, whatever the number of snapshots."""

    workspace = models.ForeignKey("teams.Workspace", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("integrations.ConnectedAccount", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    weekday = models.PositiveSmallIntegerField()
    week = models.DateField(help_text="The Monday of the day's week: cadence's weekly limits group by it")
    hour = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=40)
    theme = models.CharField(max_length=80, blank=True)
    posts = models.PositiveIntegerField(default=0)
    measured = models.PositiveIntegerField(default=0, help_text="Posts with at least one reading")
    likes = models.PositiveBigIntegerField(default=0)
    reposts = models.PositiveBigIntegerField(default=0)
    replies = models.PositiveBigIntegerField(default=0)
    engagement = models.PositiveBigIntegerField(default=0)
    views = models.PositiveBigIntegerField(default=0)
    posts_with_views = models.PositiveIntegerField(default=0, help_text="Posts whose platform gave reach")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "day", "hour", "content_type", "theme"], name="engagement_day_unique"
            )
        ]
        indexes = [models.Index(fields=["workspace", "day"], name="engagement_day_by_day")]


def account_or_total() -> models.ForeignKey:
    """The account of a rollup row that also keeps workspace totals: None on the total rows."""
    return models.ForeignKey(
        "integrations.ConnectedAccount",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="None: the workspace's total over its accounts, what whole-workspace charts read",
    )


class ResponseDay(models.Model):
    """Rollup: answers given per workspace-local day, by account, answer kind (first / next), person, role,
    language and item kind — counted from the inbox's SLA clocks (business seconds when the policy says so).

    Rows without an account are the workspace's totals per day and dimension, kept beside the per-account
    rows by the same rollup step: a chart over the whole workspace reads a few thousand rows for two years
    instead of summing every account's (300,000 for 100 accounts)."""

    workspace = models.ForeignKey("teams.Workspace", on_delete=models.CASCADE, related_name="+")
    account = account_or_total()
    day = models.DateField()
    sla_kind = models.CharField(max_length=8)
    person = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, blank=True)
    language = models.CharField(max_length=12, blank=True)
    item_kind = models.CharField(max_length=10, blank=True)
    answered = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0, help_text="Sum of the answers' seconds")
    within_target = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "day"], name="response_day_by_day"),
            models.Index(fields=["account", "day"], name="response_day_by_account"),
            models.Index(
                fields=["workspace", "day"],
                condition=models.Q(account__isnull=True),
                name="response_day_totals",
            ),
        ]


class SentimentDay(models.Model):
    """Rollup: incoming inbox items per workspace-local day, account and sentiment ('' = not classified);
    rows without an account are the workspace's totals (as in ``ResponseDay``)."""

    workspace = models.ForeignKey("teams.Workspace", on_delete=models.CASCADE, related_name="+")
    account = account_or_total()
    day = models.DateField()
    sentiment = models.CharField(max_length=10, blank=True)
    items = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "day", "sentiment"], name="sentiment_day_unique"),
            models.UniqueConstraint(
                fields=["workspace", "day", "sentiment"],
                condition=models.Q(account__isnull=True),
                name="sentiment_day_total_unique",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "day"], name="sentiment_day_by_day")]


class RollupCursor(models.Model):
    """How far each rollup has read its source (a row id or a time), so a refresh reads only what is new."""

    name = models.CharField(max_length=40, unique=True)
    last_id = models.BigIntegerField(default=0)
    last_at = models.DateTimeField(null=True, blank=True)
