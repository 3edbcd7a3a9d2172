"""Frozen dataclasses that cross the connector boundary (platform JSON never does).

All datetimes are aware UTC. All durations are ``*_seconds``. Remote ids are strings.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path


@dataclass(frozen=True)
class AccountCredentials:
    """The secret half of a connected account, decrypted only for the duration of a call.

    ``secrets`` holds whatever the platform needs (``access_token``, ``app_password``, ``refresh_jwt``,
    ``bot_token`` …); ``base_url`` the instance/PDS/API root; ``account_key`` a stable, non-secret id
    used to key the per-account rate limiter. Never in ``repr``/``str``.
    """

    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    base_url: str = ""
    account_key: str = ""

    def __repr__(self) -> str:
        return f"AccountCredentials(base_url={self.base_url!r}, account_key={self.account_key!r}, secrets=[{len(self.secrets)} hidden])"

    __str__ = __repr__

    def secret(self, name: str) -> str:
        """The named secret, or ``""`` when absent."""
        return self.secrets.get(name, "")

    def secret_values(self) -> list[str]:
        """Every secret value, for scrubbing from logs and error messages."""
        return [v for v in self.secrets.values() if isinstance(v, str) and v]


@dataclass(frozen=True)
class AccountInfo:
    """Who the credentials belong to (from verify_credentials / getProfile / getMe …)."""

    external_id: str
    handle: str
    name: str = ""
    url: str = ""
    avatar_url: str = ""
    followers_count: int | None = None


@dataclass(frozen=True)
class AccountRef:
    """A pointer to a remote account (author of a comment, target of a mention)."""

    id: str
    handle: str = ""
    name: str = ""
    url: str = ""
    is_follower: bool | None = None  # None: the platform does not tell us cheaply
    followers_count: int | None = None


class Visibility(StrEnum):
    PUBLIC = "public"
    UNLISTED = "unlisted"
    FOLLOWERS = "followers"
    DIRECT = "direct"


@dataclass(frozen=True)
class MediaItem:
    """An image or video to attach. ``source`` is a path or the bytes themselves."""

    source: Path | str | bytes
    mime: str = ""
    alt_text: str = ""
    filename: str = ""

    @property
    def mime_type(self) -> str:
        if self.mime:
            return self.mime
        guessed, _ = mimetypes.guess_type(self.name)
        return guessed or "application/octet-stream"

    @property
    def name(self) -> str:
        if self.filename:
            return self.filename
        if isinstance(self.source, bytes):
            return "upload"
        return Path(self.source).name

    @property
    def size_bytes(self) -> int:
        if isinstance(self.source, bytes):
            return len(self.source)
        return Path(self.source).stat().st_size

    def read_bytes(self) -> bytes:
        if isinstance(self.source, bytes):
            return self.source
        return Path(self.source).read_bytes()

    def __repr__(self) -> str:  # never dump the bytes
        return f"MediaItem(name={self.name!r}, mime={self.mime_type!r}, alt_text={self.alt_text!r})"


@dataclass(frozen=True)
class Poll:
    options: tuple[str, ...]
    expires_in_seconds: int = 24 * 3600
    multiple: bool = False


@dataclass(frozen=True)
class PostDraft:
    """One post (or reply) as we want it published on one platform.

    ``idempotency_key`` is required for publish/reply: stable across retries of the SAME delivery
    (the delivery engine uses the delivery's id). Connectors send it where the platform has a key
    (Mastodon ``Idempotency-Key``, Bluesky record key, VK ``guid``) and use it in ``find_published``.
    ``reply_to`` / ``quote_of`` are remote ids (threads: the previous part's ``PublishResult.remote_id``).
    """

    text: str
    idempotency_key: str = ""
    media: tuple[MediaItem, ...] = ()
    link: str = ""
    poll: Poll | None = None
    reply_to: str = ""
    quote_of: str = ""
    content_warning: str = ""
    visibility: Visibility = Visibility.PUBLIC
    language: str = ""  # ISO 639-1, e.g. "lv"


@dataclass(frozen=True)
class PublishResult:
    """The platform accepted the post. Store ``remote_id`` the moment you get this."""

    remote_id: str
    url: str = ""
    published_at: datetime | None = None


class ItemKind(StrEnum):
    COMMENT = "comment"  # a reply under one of our posts
    MENTION = "mention"  # the account/brand named elsewhere (incl. search hits and feed items)
    MESSAGE = "message"  # a direct/private message


@dataclass(frozen=True)
class RemoteItem:
    """A comment, mention or message as read from the platform.

    ``external_id`` is unique per account (ingest dedupes on it). ``parent_id`` is what it answers
    (a post or another comment); ``thread_id`` the root post of the conversation (our post for
    comments). ``title`` is only used by feeds.
    """

    external_id: str
    kind: ItemKind
    text: str
    created_at: datetime
    author: AccountRef
    url: str = ""
    parent_id: str = ""
    thread_id: str = ""
    language: str = ""
    title: str = ""
    # Reviews (Google Business Profile): the stars given, 1–5 (a sentiment hint for the inbox), and
    # whether the account had already answered it on the platform (then it owes no response).
    rating: int | None = None
    answered: bool = False
    # When the author last edited it on the platform (None: never, or the platform does not say); the
    # text is then the edited text. Ingest keeps the text it first saw and records the edit.
    edited_at: datetime | None = None


@dataclass(frozen=True)
class Page:
    """One batch of items. Persist ``cursor`` (opaque, may equal the one passed in) and pass it next
    time to get only newer items. ``has_more``: calling again right away would return more."""

    items: tuple[RemoteItem, ...] = ()
    cursor: str = ""
    has_more: bool = False


@dataclass(frozen=True)
class Metrics:
    """Counters for one of our posts at ``collected_at``. ``None``: the platform does not expose it."""

    remote_id: str
    collected_at: datetime
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    views: int | None = None
    bookmarks: int | None = None


@dataclass(frozen=True)
class AccountStats:
    """Our account's audience at ``collected_at``. ``None``: the platform does not give that number."""

    collected_at: datetime
    followers: int | None = None
    following: int | None = None
    posts: int | None = None


@dataclass(frozen=True)
class ValidationProblem:
    """One reason a draft cannot be published. ``code`` is stable (UI translates by it)."""

    field: str
    code: str
    message: str
    limit: int | None = None


@dataclass(frozen=True)
class Limits:
    """Per-platform content limits used by the generic part of ``Connector.validate``."""

    max_text_length: int = 0  # 0: no limit known
    max_media: int = 0
    max_image_bytes: int = 0
    max_video_bytes: int = 0
    media_mime_types: frozenset[str] = frozenset()
    max_alt_text_length: int = 0
    max_poll_options: int = 0
    max_poll_option_length: int = 0
    min_poll_expiry_seconds: int = 0
    max_poll_expiry_seconds: int = 0


@dataclass(frozen=True)
class WebhookEvent:
    """One event from a verified webhook delivery. ``delivery_key`` dedupes platform retries."""

    delivery_key: str
    event_type: str
    items: tuple[RemoteItem, ...] = ()
    removed_ids: tuple[str, ...] = ()  # items deleted/hidden upstream


@dataclass(frozen=True)
class WebhookChallenge:
    """A handshake answer (Meta ``hub.challenge``, VK confirmation code) to send back verbatim."""

    body: str
    status: int = 200
    content_type: str = "text/plain"


@dataclass(frozen=True)
class AccountPosts:
    """A public account's own posts newer than the cursor (``page.items``, kind POST-like MENTIONs) and
    the counters each showed when read (``metrics`` by external id)."""

    page: Page
    metrics: dict[str, Metrics] = field(default_factory=dict)


@dataclass(frozen=True)
class StreamEvent:
    """One push from a platform's streaming API: new ``items`` (a mention, a reply, a message), an
    edited one (the item again, with ``edited_at``), or ``removed_ids`` deleted upstream."""

    items: tuple[RemoteItem, ...] = ()
    removed_ids: tuple[str, ...] = ()
