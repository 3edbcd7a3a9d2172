"""Installed accounts (the provider lives in ``kopiena.connectors``; this is one team's connection to it)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.core.models import TimeStampedModel, WorkspaceScopedModel


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnect")
    DISABLED = "disabled", _("Disabled")


class ConnectedAccount(WorkspaceScopedModel):
    """One social account/page/channel/feed a workspace publishes to or listens on."""

    platform = models.CharField(_("platform"), max_length=32, help_text="Key in the connector registry")
    name = models.CharField(_("name"), max_length=120)
    handle = models.CharField(_("handle"), max_length=255, blank=True)
    external_id = models.CharField(max_length=255, blank=True, help_text="The platform's id for the account")
    base_url = models.URLField(_("server address"), blank=True, help_text="Instance/PDS/API base URL")
    timezone = models.CharField(_("time zone"), max_length=64, blank=True, help_text="Empty: the workspace's")
    status = models.CharField(
        _("status"), max_length=20, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    approval_required = models.BooleanField(_("posts need approval"), default=True)
    is_sandbox = models.BooleanField(_("sandbox"), default=False)
    settings = models.JSONField(default=dict, blank=True, help_text="Non-secret platform settings")
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "external_id"],
                name="account_unique_remote",
                condition=~models.Q(external_id=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.platform})"


class Credential(models.Model):
    """The secret half of an account, encrypted with MultiFernet. Never rendered, logged or serialised."""

    account = models.OneToOneField(ConnectedAccount, on_delete=models.CASCADE, related_name="credential")
    ciphertext = models.TextField(editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __repr__(self) -> str:  # keep secrets out of tracebacks and debug pages
        return f"<Credential account={self.account_id}>"

    __str__ = __repr__


class SyncCursor(models.Model):
    """Where polling of one stream (comments, mentions, notifications…) of an account got to."""

    account = models.ForeignKey(ConnectedAccount, on_delete=models.CASCADE, related_name="cursors")
    stream = models.CharField(max_length=40)
    cursor = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "stream"], name="cursor_unique_stream")]


class WebhookEndpoint(WorkspaceScopedModel):
    """A secret URL a platform posts events to; its signing secret is encrypted like a credential."""

    account = models.ForeignKey(ConnectedAccount, on_delete=models.CASCADE, related_name="webhooks")
    token = models.CharField(max_length=64, unique=True, help_text="Random path segment of the webhook URL")
    secret_ciphertext = models.TextField(editable=False)
    last_received_at = models.DateTimeField(null=True, blank=True)


class WebhookDelivery(models.Model):
    """Dedupe record: platforms retry (Meta for up to 36 h); the same delivery must create one item."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    delivery_key = models.CharField(max_length=128)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "delivery_key"], name="webhook_delivery_unique")
        ]


class OAuthApp(TimeStampedModel):
    """Our OAuth client registration on one server (Mastodon: one app per instance, made on first use).

    Shared by every workspace that connects an account there; client id and secret are encrypted like a
    credential (``ciphertext`` holds ``{"client_id", "client_secret", "scopes"}``).
    """

    platform = models.CharField(max_length=32)
    base_url = models.URLField()
    redirect_uri = models.URLField(max_length=500)
    ciphertext = models.TextField(editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "base_url", "redirect_uri"], name="oauth_app_unique")
        ]

    def __repr__(self) -> str:  # keep secrets out of tracebacks and debug pages
        return f"<OAuthApp {self.platform} {self.base_url}>"

    __str__ = __repr__


class AccountGrant(WorkspaceScopedModel):
    """R8 (freelancers): a member limited to some accounts. A membership with any grant sees, in the inbox
    and in publishing, only the accounts granted to it; a membership with none sees every account (owners
    are never limited). Read through ``integrations.selectors.granted_account_ids``."""

    membership = models.ForeignKey("teams.Membership", on_delete=models.CASCADE, related_name="grants")
    account = models.ForeignKey(ConnectedAccount, on_delete=models.CASCADE, related_name="grants")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "account"], name="integrations_grant_unique")
        ]
