"""Notices, each person's choices, their webhook endpoints, and the deliveries the worker makes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.core.models import TimeStampedModel, WorkspaceScopedModel
from kopiena.notifications.events import Channel, EmailMode, Event


class Notice(WorkspaceScopedModel):
    """One thing to tell one person. Stores the ``kind`` and its ``params`` (message id and arguments);
    the text is rendered when shown (``rendering.render``), in the reader's current language and the
    workspace's time zone. Callers that pass ready-made text callables (the original ``notify``
    contract) get it rendered once per supported language into ``texts`` instead.

    ``target`` names what the notice asks for (``inbox.thread:12``, ``inbox.reply:7``,
    ``publishing.post:3``); ``done_at`` is set when that is done (answered, approved, sent back)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=60)
    event = models.CharField(max_length=30, choices=Event.choices, default=Event.OTHER)
    params = models.JSONField(default=dict, blank=True)
    texts = models.JSONField(default=dict, blank=True)  # {"en": {"title": …, "body": …}, "lv": …}
    target = models.CharField(max_length=80, blank=True, default="")
    urgent = models.BooleanField(default=False)
    in_app = models.BooleanField(default=True)  # False: only for e-mail/webhooks (the person chose so)
    post = models.ForeignKey(
        "publishing.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    read_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notice_unread"),
            models.Index(fields=["workspace", "target"], name="notice_target"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def title(self) -> str:
        """The title in the active language (see ``rendering.render``)."""
        from kopiena.notifications.rendering import render

        return render(self).title

    @property
    def body(self) -> str:
        from kopiena.notifications.rendering import render

        return render(self).body


class PersonSettings(TimeStampedModel):
    """A person's quiet hours and digest time (one row, created on first save; absent = defaults)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    quiet_start = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet until"), null=True, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Riga")
    urgent_breaks_quiet = models.BooleanField(_("acute conversations may wake me"), default=True)
    digest_hour = models.PositiveSmallIntegerField(_("daily digest at"), default=8)


class Preference(TimeStampedModel):
    """One person's choice for one event (absent = ``events.DEFAULTS``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(max_length=30, choices=Event.choices)
    in_app = models.BooleanField(default=True)
    email = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE)
    webhook = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="notification_pref_unique")]


class WebhookFormat(models.TextChoices):
    SLACK = "slack", _("Slack-compatible (incoming webhook)")
    TELEGRAM = "telegram", _("Telegram bot (sendMessage)")


class WebhookEndpoint(TimeStampedModel):
    """Where a person's notices go as HTTP POSTs. The URL (a Slack webhook or Telegram bot URL carries
    its token) and the signing secret are stored encrypted (``integrations.crypto``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    name = models.CharField(_("name"), max_length=100)
    format = models.CharField(_("format"), max_length=10, choices=WebhookFormat.choices)
    host = models.CharField(max_length=255)  # shown instead of the secret URL
    chat_id = models.CharField(_("Telegram chat id"), max_length=64, blank=True)
    ciphertext = models.TextField()  # {"url": …, "secret": …}
    enabled = models.BooleanField(default=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["user", "name", "pk"]

    def secrets(self) -> dict:
        from kopiena.integrations.crypto import decrypt_secret

        return decrypt_secret(self.ciphertext)


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not needed any more")


class NoticeDelivery(TimeStampedModel):
    """One notice to one e-mail address or endpoint, made by the worker (``delivery``). ``due_at`` is
    when it may go: now, the end of quiet hours, the next digest, or the next retry."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    due_at = models.DateTimeField()
    held_for_quiet = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["state", "due_at"], name="notice_delivery_due")]
