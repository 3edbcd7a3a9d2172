"""Append-only, keyed hash-chained audit log.

Each row stores ``hash = HMAC(key, key_id + prev_hash + canonical_json(row))`` with a key kept outside the
database (``kopiena.audit.chain``). Updates, deletes and (on PostgreSQL) TRUNCATE are refused here and by
database triggers (see migrations); someone who drops the triggers and edits rows cannot recompute the
chain without the key, and deleting the newest rows is caught by the anchor the clock writes out
(``kopiena.audit.anchor``). ``kopiena audit verify`` names the first row that no longer fits.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AuditFields(models.Model):
    """What an event says; ``AuditEvent`` adds its place in the chain."""

    workspace = models.ForeignKey(
        "teams.Workspace",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, help_text="Who, as text, kept even if the user is removed")
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        abstract = True


class PendingAuditEvent(AuditFields):
    """An event written by a hot path (the delivery engine) that ``audit_flush`` has not chained yet.

    Inserted in the same transaction as the change it describes (so it exists exactly when the change
    does) without taking the chain's lock; ``audit_flush`` moves a batch into the chain under one lock
    acquisition. Rows live here for seconds: the clock flushes every few seconds, and the audit page
    flushes first (``kopiena audit verify`` only reads, and counts them)."""

    # Only ever read in id order by the flusher: no secondary indexes to slow the hot path's inserts.
    action = models.CharField(_("action"), max_length=80)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]


class AuditEvent(AuditFields):
    prev_hash = models.CharField(max_length=64)
    # Which audit key signed the row (kopiena.audit.chain.key_id_of); "" for rows from before keying.
    key_id = models.CharField(max_length=16, blank=True, default="")
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["workspace", "-id"])]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")
