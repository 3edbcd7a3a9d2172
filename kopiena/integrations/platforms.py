"""What the connect form asks for each platform, derived from the connector registry.

The connector class is the single source of truth (``kopiena.connectors.registry``): its
``credential_fields`` are the fields of the token form, its ``default_base_url`` decides whether the
server address is asked for, its ``connect`` kind picks OAuth / token / app password / feed URL, and
its ``capabilities`` are what the UI and API show. A connector added to the registry therefore appears
in the UI with no change here; this module only adds human labels for well-known field names.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kopiena.connectors import registry as connector_registry
from kopiena.connectors.base import ConnectKind, Connector
from kopiena.core.errors import DomainError

# Labels and help for credential field names connectors commonly use; unknown names get "Bot token"-style
# labels from the key itself.
FIELD_LABELS = {
    "access_token": _("Access token"),
    "app_password": _("App password"),
    "identifier": _("Handle"),
    "handle": _("Handle"),
    "bot_token": _("Bot token"),
    "chat_id": _("Channel or group"),
    "group_id": _("Community id"),
    "page_id": _("Page id"),
    "ig_user_id": _("Instagram account id"),
    "callback_secret": _("Callback API secret key"),
    "confirmation_code": _("Callback API confirmation string"),
    "app_secret": _("App secret"),
    "client_id": _("Client id"),
    "client_secret": _("Client secret"),
    "refresh_token": _("Refresh token"),
    "username": _("User name"),
    "password": _("Password"),
    "location": _("Business location"),
    "user_id": _("Threads user id"),
    "organization_id": _("Organization id"),
    "client_key": _("Client key"),
}
FIELD_HELP = {
    "app_password": _("An app password, never your main password."),
    "app_secret": _("Optional: your Meta app's secret, if the app requires appsecret_proof."),
    "confirmation_code": _("Optional: the Callback API confirmation string, for instant comments."),
    "username": _("Only for private feeds (HTTP Basic auth)."),
    "password": _("Only for private feeds (HTTP Basic auth)."),
    "bot_token": _("From @BotFather."),
    "chat_id": _("@channelname or the numeric chat id; the bot must be an administrator there."),
    "identifier": _("e.g. kafija.bsky.social"),
    "location": _("e.g. accounts/1234/locations/5678 (Google Business Profile)"),
    "refresh_token": _(
        "A refresh token from the platform's consent with offline access (see this platform's guide); Kopiena renews the access token with it."
    ),
}
# Identifiers, not secrets: shown as plain text inputs (every field is still stored encrypted).
PLAIN_FIELDS = {
    "identifier",
    "handle",
    "chat_id",
    "group_id",
    "page_id",
    "ig_user_id",
    "username",
    "location",
    "user_id",
    "organization_id",
}
# Fields a connector can work without (its docs say when they are needed). For a feed (ConnectKind.URL)
# every credential is optional: they are HTTP Basic auth for private feeds.
OPTIONAL_FIELDS = {"app_secret", "confirmation_code"}


@dataclass(frozen=True)
class ConnectField:
    key: str
    label: str
    secret: bool
    required: bool = True
    help: str = ""
    initial: str = ""


@dataclass(frozen=True)
class Platform:
    key: str
    name: str
    connect: ConnectKind
    fields: tuple[ConnectField, ...]
    capabilities: tuple[str, ...]
    docs_url: str

    @property
    def oauth(self) -> bool:
        return self.connect == ConnectKind.OAUTH


def _base_url_field(cls: type[Connector]) -> ConnectField | None:
    if cls.connect == ConnectKind.URL:
        return ConnectField("base_url", str(_("Feed address")), secret=False)
    if cls.default_base_url:
        return ConnectField(
            "base_url", str(_("Server address")), secret=False, required=False, initial=cls.default_base_url
        )
    return ConnectField(
        "base_url", str(_("Server address")), secret=False, help=str(_("e.g. https://mastodon.social"))
    )


def describe(cls: type[Connector]) -> Platform:
    fields = [
        ConnectField(
            key,
            str(FIELD_LABELS.get(key, key.replace("_", " ").capitalize())),
            secret=key not in PLAIN_FIELDS,
            required=key not in OPTIONAL_FIELDS and cls.connect != ConnectKind.URL,
            help=str(FIELD_HELP.get(key, "")),
        )
        for key in cls.credential_fields
    ]
    base = _base_url_field(cls)
    return Platform(
        key=cls.key,
        name=cls.name or cls.key,
        connect=cls.connect,
        fields=tuple([base, *fields] if base else fields),
        capabilities=tuple(sorted(str(c) for c in cls.capabilities)),
        docs_url=cls.docs_url,
    )


def available() -> list[Platform]:
    """Every platform in the registry, in registry order (misconfiguration raises, on purpose)."""
    return [describe(cls) for cls in connector_registry.all()]


def require_known(platform: str) -> Platform:
    for candidate in available():
        if candidate.key == platform:
            return candidate
    raise DomainError(
        _("Kopiena cannot connect to “%(platform)s”.") % {"platform": platform}, field="platform"
    )


def account_label(account) -> str:
    """ "Shop (Mastodon)": the account's name with its platform's name (not its internal key), once."""
    try:
        platform = connector_registry.get(account.platform).name or account.platform
    except connector_registry.RegistryError:  # its connector was removed: the key is all we have
        platform = account.platform
    return account.name if platform.lower() in account.name.lower() else f"{account.name} ({platform})"


def connector_class(platform: str) -> type[Connector]:
    require_known(platform)
    return connector_registry.get(platform)


def capability_names(platform: str) -> list[str]:
    """What accounts of ``platform`` can do (empty for a platform whose connector was removed)."""
    for candidate in available():
        if candidate.key == platform:
            return list(candidate.capabilities)
    return []


CAPABILITY_LABELS = {
    "publish": _("Publish posts"),
    "publish_media": _("Images and video"),
    "polls": _("Polls"),
    "threads": _("Threads"),
    "quote": _("Quote posts"),
    "content_warning": _("Content warnings"),
    "visibility": _("Visibility"),
    "idempotent_publish": _("Duplicate-safe publishing"),
    "read_comments": _("Read comments"),
    "read_mentions": _("Read mentions"),
    "read_messages": _("Read messages"),
    "reply": _("Reply"),
    "hide": _("Hide comments"),
    "delete": _("Delete"),
    "search": _("Search"),
    "metrics": _("Metrics"),
    "webhooks": _("Instant updates (webhooks)"),
    "feeds": _("Feed items"),
    "reconcile": _("Check unconfirmed posts"),
    "account_posts": _("Follow public accounts"),
    "edits": _("Edits and deletions"),
    "streaming": _("Instant updates (streaming)"),
    "account_stats": _("Follower counts"),
}


# Where a platform's own words are truer than the generic ones (Google Business Profile reads reviews, not
# mentions, and publishes "updates" to a location).
PLATFORM_CAPABILITY_LABELS = {
    "google_business": {
        "publish": _("Publish local posts"),
        "read_mentions": _("Read reviews"),
        "reply": _("Reply to reviews"),
    },
}


def _media_label(platform: str):
    """ "Images", "Video" or "Images and video": what the connector's ``limits.media_mime_types`` accept
    (Bluesky publishes images only; the account page must not promise video)."""
    try:
        types = connector_registry.get(platform).limits.media_mime_types
    except connector_registry.RegistryError:  # its connector was removed: the generic words
        types = frozenset()
    images = any(t.startswith("image/") for t in types)
    video = any(t.startswith("video/") for t in types)
    if images and not video:
        return _("Images")
    if video and not images:
        return _("Video")
    return CAPABILITY_LABELS["publish_media"]


def capability_labels(platform: str) -> list[str]:
    own = PLATFORM_CAPABILITY_LABELS.get(platform, {})
    return [
        str(
            own[name]
            if name in own
            else _media_label(platform)
            if name == "publish_media"
            else CAPABILITY_LABELS.get(name, name)
        )
        for name in capability_names(platform)
    ]
