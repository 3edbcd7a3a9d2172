"""How a person connects each platform: the form fields, where each value is stored, OAuth or token.

What an account can *do* is not decided here: capabilities come from the connector registry
(``kopiena.connectors.registry``), which is the single source of truth the UI and API ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from kopiena.core.errors import DomainError


class Store(StrEnum):
    """Where a connect-form value goes."""

    SECRET = "secret"  # noqa: S105 -- stored as an encrypted Credential
    SETTING = "setting"  # ConnectedAccount.settings (non-secret, e.g. a chat id)
    BASE_URL = "base_url"
    HANDLE = "handle"


@dataclass(frozen=True)
class ConnectField:
    key: str
    label: str
    store: Store
    help: str = ""
    required: bool = True
    initial: str = ""


@dataclass(frozen=True)
class PlatformSpec:
    key: str
    label: str
    fields: tuple[ConnectField, ...]
    oauth: bool = False  # offers "Sign in with …" besides the token form
    docs: str = ""


def _server(initial: str = "", help: str = "") -> ConnectField:
    return ConnectField("base_url", _("Server address"), Store.BASE_URL, help=help, initial=initial)


PLATFORMS: dict[str, PlatformSpec] = {
    spec.key: spec
    for spec in (
        PlatformSpec(
            "mastodon",
            "Mastodon",
            (
                _server(help=_("Your instance, e.g. https://mastodon.social")),
                ConnectField(
                    "access_token",
                    _("Access token"),
                    Store.SECRET,
                    help=_("Preferences → Development → New application (scopes read write)."),
                ),
            ),
            oauth=True,
            docs="docs/connectors/mastodon.md",
        ),
        PlatformSpec(
            "bluesky",
            "Bluesky",
            (
                _server(
                    initial="https://bsky.social", help=_("Your PDS; https://bsky.social for most people")
                ),
                ConnectField("identifier", _("Handle"), Store.HANDLE, help=_("e.g. kafija.bsky.social")),
                ConnectField(
                    "app_password",
                    _("App password"),
                    Store.SECRET,
                    help=_("Settings → Privacy and security → App passwords. Never your main password."),
                ),
            ),
            docs="docs/connectors/bluesky.md",
        ),
        PlatformSpec(
            "telegram",
            "Telegram",
            (
                ConnectField("bot_token", _("Bot token"), Store.SECRET, help=_("From @BotFather.")),
                ConnectField(
                    "chat_id",
                    _("Channel or group"),
                    Store.SETTING,
                    help=_("@channelname or the numeric chat id; the bot must be an administrator."),
                ),
            ),
            docs="docs/connectors/telegram.md",
        ),
        PlatformSpec(
            "vk",
            "VK",
            (
                ConnectField(
                    "access_token",
                    _("Community access token"),
                    Store.SECRET,
                    help=_("Community → Manage → API usage → Access tokens."),
                ),
                ConnectField("group_id", _("Community id"), Store.SETTING, help=_("Numbers only.")),
                ConnectField(
                    "callback_secret",
                    _("Callback API secret key"),
                    Store.SECRET,
                    required=False,
                    help=_("Optional: lets VK push comments to Kopiena instantly."),
                ),
                ConnectField(
                    "confirmation_code",
                    _("Callback API confirmation string"),
                    Store.SETTING,
                    required=False,
                ),
            ),
            docs="docs/connectors/vk.md",
        ),
        PlatformSpec(
            "facebook",
            "Facebook Page",
            (
                ConnectField("page_id", _("Page id"), Store.SETTING),
                ConnectField(
                    "access_token",
                    _("Page access token"),
                    Store.SECRET,
                    help=_("A long-lived Page token; signing in with Facebook fetches one for you."),
                ),
            ),
            oauth=True,
            docs="docs/connectors/facebook.md",
        ),
        PlatformSpec(
            "instagram",
            "Instagram",
            (
                ConnectField("ig_user_id", _("Instagram professional account id"), Store.SETTING),
                ConnectField(
                    "access_token",
                    _("Page access token"),
                    Store.SECRET,
                    help=_("The token of the Facebook Page the Instagram account is linked to."),
                ),
            ),
            docs="docs/connectors/instagram.md",
        ),
        PlatformSpec(
            "rss",
            _("RSS / Atom feed"),
            (ConnectField("base_url", _("Feed address"), Store.BASE_URL),),
            docs="docs/connectors/rss.md",
        ),
    )
}


def require_known(platform: str) -> PlatformSpec:
    spec = PLATFORMS.get(platform)
    if spec is None:
        raise DomainError(
            _("Kopiena cannot connect to “%(platform)s”.") % {"platform": platform}, field="platform"
        )
    return spec


def capability_names(platform: str) -> list[str]:
    """What accounts of ``platform`` can do, as declared by its connector (sorted capability values)."""
    from kopiena.connectors import registry

    return sorted(str(capability) for capability in registry.get(platform).capabilities)
