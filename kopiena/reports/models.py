"""Client reports (issue 13 item 5): the workspace's branding, saved report definitions and share links.

A report definition names its sections, its default period and an optional e-mail schedule; the numbers are
computed when the report is shown (``reports.selectors.report_data``), never stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.core.models import TimeStampedModel, WorkspaceScopedModel


class Section(models.TextChoices):
    HEADLINE = "headline", _("Headline numbers")
    ACTIVITY = "activity", _("Posts and engagement over time")
    TOP_POSTS = "top_posts", _("Top posts")
    RESPONSE = "response", _("Response times")
    SENTIMENT = "sentiment", _("Sentiment of comments")
    MIX = "mix", _("Content mix")


ALL_SECTIONS = [s.value for s in Section]


class Period(models.TextChoices):
    LAST_7 = "last_7", _("Last 7 days")
    LAST_30 = "last_30", _("Last 30 days")
    LAST_90 = "last_90", _("Last 90 days")
    PREVIOUS_WEEK = "previous_week", _("Previous week (Monday–Sunday)")
    PREVIOUS_MONTH = "previous_month", _("Previous calendar month")


class Schedule(models.TextChoices):
    NONE = "none", _("Not sent by e-mail")
    WEEKLY = "weekly", _("Weekly (Mondays, previous week)")
    MONTHLY = "monthly", _("Monthly (the 1st, previous month)")


class Branding(WorkspaceScopedModel):
    """The workspace's look in client reports: a logo (PNG/JPEG, sniffed from its bytes) and a colour."""

    logo = models.BinaryField(_("logo"), blank=True, default=b"")
    logo_type = models.CharField(max_length=20, blank=True)
    primary_colour = models.CharField(_("primary colour"), max_length=7, default="#1f6feb")
    report_footer = models.CharField(_("footer text"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="reports_branding_one_per_ws")]


class ClientReport(WorkspaceScopedModel):
    title = models.CharField(_("title"), max_length=120)
    sections = models.JSONField(_("sections"), default=list)
    period = models.CharField(_("period"), max_length=20, choices=Period.choices, default=Period.LAST_30)
    schedule = models.CharField(_("schedule"), max_length=10, choices=Schedule.choices, default=Schedule.NONE)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=5, default="lv")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    next_send_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["schedule", "next_send_at"], name="report_due_scan")]

    def __str__(self) -> str:
        return self.title


class ShareLink(TimeStampedModel):
    """A read-only link to one report for one fixed period. The URL carries a signed token naming this row;
    the row decides whether it still works (expiry, revocation), so revoking takes effect at once."""

    workspace = models.ForeignKey("teams.Workspace", on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(ClientReport, on_delete=models.CASCADE, related_name="links")
    nonce = models.CharField(max_length=32)
    start = models.DateField()
    end = models.DateField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
