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
