"""Where mentions come from: RSS/Atom feeds and connected accounts whose platform can SEARCH.

Health lives on the source (a failing feed or a rate-limited account backs off as a whole while the others
carry on); each query/source pair of a SEARCH source keeps its own cursor (``SourceCursor``), a feed has
one cursor (query NULL) because one fetch serves every query.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.core.models import WorkspaceScopedModel


class SourceKind(models.TextChoices):
    FEED = "feed", _("Feed (RSS/Atom)")
    SEARCH = "search", _("Platform search")


class SourceHealth(models.TextChoices):
    NEW = "new", _("Not run yet")
    OK = "ok", _("Working")
    FAILING = "failing", _("Failing, retrying")
    DISABLED = "disabled", _("Disabled")


class ListeningSource(WorkspaceScopedModel):
    """A feed URL, or a connected account (its platform declares SEARCH) searched with each query.

    ``account`` is required for SEARCH. For a FEED it is the ``rss`` ConnectedAccount made the first time
    one of its mentions becomes an inbox thread (inbox threads belong to an account); until then NULL.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=SourceKind.choices)
    name = models.CharField(_("name"), max_length=200)
    feed_url = models.URLField(_("feed address"), max_length=1000, blank=True)
    account = models.ForeignKey(
        "integrations.ConnectedAccount",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="listening_sources",
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # Health and backoff: a failure sets last_error and pushes next_attempt_at out exponentially
    # (RateLimited: exactly as long as the platform asks); a success clears them.
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    mentions_found = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "feed_url"],
                name="listening_source_unique_feed",
                condition=models.Q(kind="feed"),
            ),
            models.UniqueConstraint(
                fields=["workspace", "account"],
                name="listening_source_unique_account",
                condition=models.Q(kind="search"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def health(self) -> str:
        if not self.enabled:
            return SourceHealth.DISABLED
        if self.consecutive_failures:
            return SourceHealth.FAILING
        return SourceHealth.OK if self.last_success_at else SourceHealth.NEW

    @property
    def health_label(self) -> str:
        return SourceHealth(self.health).label


class SourceCursor(models.Model):
    """Where reading one source for one query (SEARCH) or for all queries (FEED: ``query`` NULL) got to.

    ``cursor`` is the connector's opaque cursor (a feed's carries its ETag/Last-Modified, copied to the
    two columns for the health list)."""

    source = models.ForeignKey(ListeningSource, on_delete=models.CASCADE, related_name="cursors")
    query = models.ForeignKey(
        "listening.ListeningQuery", null=True, blank=True, on_delete=models.CASCADE, related_name="cursors"
    )
    cursor = models.TextField(blank=True)
    etag = models.CharField(max_length=255, blank=True)
    last_modified = models.CharField(max_length=64, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "query"],
                name="listening_cursor_unique_query",
                condition=models.Q(query__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["source"], name="listening_cursor_unique_feed", condition=models.Q(query__isnull=True)
            ),
        ]
