"""Base models shared by every domain app."""

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class WorkspaceScopedModel(TimeStampedModel):
    """Every tenant row belongs to exactly one workspace; selectors always filter on it."""

    workspace = models.ForeignKey("teams.Workspace", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True
