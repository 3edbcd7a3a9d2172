"""Community leaders (R13): people who engage with the brand, known by one or more platform handles.

A person is their handles: merging two people moves the handles (and notes and tasks) of one to the
other. Rankings are computed from inbox items and mentions by handle, so nothing is copied here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.core.models import WorkspaceScopedModel


class Person(WorkspaceScopedModel):
    display_name = models.CharField(_("name"), max_length=255)

    class Meta:
        ordering = ["display_name", "id"]

    def __str__(self) -> str:
        return self.display_name


class PersonHandle(models.Model):
    workspace = models.ForeignKey("teams.Workspace", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="handles")
    platform = models.CharField(_("platform"), max_length=30)
    handle = models.CharField(_("handle"), max_length=255)

    class Meta:
        ordering = ["platform", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "handle"], name="listening_person_handle_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.handle}"


class PersonNote(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class PersonTask(models.Model):
    """ "Work with them": something a teammate should do with this person by a date."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=300)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("assignee")
    )
    due_date = models.DateField(_("due date"))
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done", "due_date", "id"]


class TrendIdea(models.Model):
    """A draft post made from a trend: where it came from (C10)."""

    workspace = models.ForeignKey("teams.Workspace", on_delete=models.CASCADE, related_name="+")
    post = models.OneToOneField("publishing.Post", on_delete=models.CASCADE, related_name="trend_idea")
    label = models.CharField(max_length=255)
    terms = models.JSONField(default=list, blank=True)
    examples = models.JSONField(default=list, blank=True)
    period_days = models.PositiveIntegerField(default=7)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
