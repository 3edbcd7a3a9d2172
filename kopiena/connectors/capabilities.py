"""What a connector can do, declared (never probed), and a check that each declaration is real.

The UI and the engines ask ``connector_cls.capabilities`` what an account supports. A declared
capability whose method was not overridden is a bug caught by :func:`check_capabilities` — at
registry build time (startup) and in the shared contract suite.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kopiena.connectors.base import Connector


class Capability(StrEnum):
    PUBLISH = "publish"  # text posts
    PUBLISH_MEDIA = "publish_media"  # images/video with alt text
    POLLS = "polls"
    THREADS = "threads"  # a post may reply to our own previous post (PostDraft.reply_to)
    QUOTE = "quote"  # PostDraft.quote_of
    CONTENT_WARNING = "content_warning"  # PostDraft.content_warning
    VISIBILITY = "visibility"  # PostDraft.visibility other than PUBLIC
    IDEMPOTENT_PUBLISH = "idempotent_publish"  # the platform itself dedupes on our idempotency key
    READ_COMMENTS = "read_comments"  # replies/comments under our posts
    READ_MENTIONS = "read_mentions"  # the brand mentioned anywhere (incl. by non-followers)
    READ_MESSAGES = "read_messages"  # direct/private messages
    REPLY = "reply"
    HIDE = "hide"  # hide/unhide a comment (we never delete negative comments)
    DELETE = "delete"  # delete our own post, or spam where the platform allows nothing softer
    SEARCH = "search"  # platform search for listening
    METRICS = "metrics"
    WEBHOOKS = "webhooks"
    FEEDS = "feeds"  # a feed source (RSS/Atom): items arrive through fetch_mentions
    RECONCILE = "reconcile"  # find_published can tell whether an unconfirmed publish happened
    ACCOUNT_POSTS = "account_posts"  # another public account's own posts with their counts (competitors)
    EDITS = "edits"  # edits are reported (RemoteItem.edited_at) and deleted items found (fetch_removed)
    STREAMING = "streaming"  # the platform pushes new mentions over a long-lived connection
    ACCOUNT_STATS = "account_stats"  # our own account's followers / following / posts counts


# The methods that must be overridden for each capability. Capabilities that only refine
# ``publish``/``validate`` (media, polls, threads…) need ``publish`` itself.
REQUIRED_METHODS: dict[Capability, tuple[str, ...]] = {
    Capability.PUBLISH: ("publish",),
    Capability.PUBLISH_MEDIA: ("publish",),
    Capability.POLLS: ("publish",),
    Capability.THREADS: ("publish",),
    Capability.QUOTE: ("publish",),
    Capability.CONTENT_WARNING: ("publish",),
    Capability.VISIBILITY: ("publish",),
    Capability.IDEMPOTENT_PUBLISH: ("publish",),
    Capability.READ_COMMENTS: ("fetch_comments",),
    Capability.READ_MENTIONS: ("fetch_mentions",),
    Capability.READ_MESSAGES: ("fetch_messages",),
    Capability.REPLY: ("reply",),
    Capability.HIDE: ("hide", "unhide"),
    Capability.DELETE: ("delete",),
    Capability.SEARCH: ("search",),
    Capability.METRICS: ("fetch_metrics",),
    Capability.WEBHOOKS: ("verify_webhook", "parse_webhook"),
    Capability.FEEDS: ("fetch_mentions",),
    Capability.RECONCILE: ("find_published",),
    Capability.ACCOUNT_POSTS: ("fetch_account_posts",),
    Capability.EDITS: ("fetch_removed",),
    Capability.STREAMING: ("stream_mentions",),
    Capability.ACCOUNT_STATS: ("fetch_account_stats",),
}


class CapabilityMismatch(TypeError):
    """A connector class declares a capability it does not implement (or the other way round)."""


def missing_methods(connector_cls: type[Connector]) -> dict[Capability, list[str]]:
    """Declared capabilities whose required methods are still the base class's stubs."""
    from kopiena.connectors.base import Connector

    missing: dict[Capability, list[str]] = {}
    for capability in connector_cls.capabilities:
        for name in REQUIRED_METHODS[capability]:
            if getattr(connector_cls, name) is getattr(Connector, name):
                missing.setdefault(capability, []).append(name)
    return missing


def check_capabilities(connector_cls: type[Connector]) -> None:
    """Raise :class:`CapabilityMismatch` unless every declared capability is implemented."""
    missing = missing_methods(connector_cls)
    if missing:
        detail = ", ".join(f"{cap.value} needs {'/'.join(names)}" for cap, names in missing.items())
        raise CapabilityMismatch(f"{connector_cls.__module__}.{connector_cls.__qualname__}: {detail}")
