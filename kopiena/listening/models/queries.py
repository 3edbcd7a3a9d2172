"""Saved listening queries: what a workspace wants to hear about (R12, M8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.core.models import WorkspaceScopedModel


class ListeningQuery(WorkspaceScopedModel):
    """One saved query.

    ``expression`` is in the query language of :mod:`kopiena.listening.query_language` (keywords,
    "phrases", #hashtags, @handles, AND/OR/NOT, parentheses); it is parsed when saved, so a stored
    expression always compiles. ``languages`` empty: the workspace's languages. ``sources`` empty: every
    enabled source of the workspace. Excluded authors are handles (without @), excluded domains host names.
    """

    name = models.CharField(_("name"), max_length=120)
    expression = models.TextField(_("query"), max_length=2000)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    excluded_authors = models.JSONField(_("excluded authors"), default=list, blank=True)
    excluded_domains = models.JSONField(_("excluded domains"), default=list, blank=True)
    sources = models.ManyToManyField(
        "listening.ListeningSource", blank=True, related_name="queries", verbose_name=_("sources")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # Spike alerts (item 5) compare this query's hourly volume / negative share with its own baseline.
    alerts_enabled = models.BooleanField(_("spike alerts"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="listening_query_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
