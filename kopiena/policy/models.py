"""Every saved version of a workspace's communication policy. Versions are never changed or deleted."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.core.models import WorkspaceScopedModel


class PolicyVersion(WorkspaceScopedModel):
    """One saved policy document. The highest ``number`` is the workspace's current policy."""

    number = models.PositiveIntegerField(_("version"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # JSON as text, not a JSONField: PostgreSQL's jsonb re-sorts object keys, and the order of content
    # types, weekdays and targets is part of what the team wrote.
    document_json = models.TextField(help_text="The validated document as canonical JSON")
    yaml = models.TextField(help_text="Canonical YAML of the document, as exported and diffed")
    summary = models.CharField(_("summary"), max_length=300, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="policy_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"policy v{self.number}"

    @property
    def data(self) -> dict:
        return json.loads(self.document_json)
