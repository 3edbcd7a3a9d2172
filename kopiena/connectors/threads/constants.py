"""Threads API endpoints and limits, linked to Meta's documentation.

Threads speaks Graph-API style JSON (same error objects as Facebook and Instagram), on its own host and
version: https://developers.facebook.com/docs/threads/overview (``graph.threads.net``, ``v1.0``).
"""

from __future__ import annotations

DEFAULT_BASE_URL = "https://graph.threads.net"
API_VERSION = "v1.0"

# https://developers.facebook.com/docs/threads/threads-profiles
ME = "/me"
# https://developers.facebook.com/docs/threads/posts — step 1: a media container (TEXT, IMAGE, VIDEO,
# CAROUSEL; ``reply_to_id`` makes it a reply).
USER_THREADS = "/{user_id}/threads"
# Step 2: publish the container.
USER_THREADS_PUBLISH = "/{user_id}/threads_publish"
# https://developers.facebook.com/docs/threads/troubleshooting#publishing-does-not-return-a-media-id —
# a container's ``status``: IN_PROGRESS, FINISHED, PUBLISHED, ERROR, EXPIRED.
CONTAINER = "/{container_id}"
# https://developers.facebook.com/docs/threads/overview#rate-limiting — 250 posts and 1,000 replies a day.
USER_PUBLISHING_LIMIT = "/{user_id}/threads_publishing_limit"
# https://developers.facebook.com/docs/threads/threads-mentions
USER_MENTIONS = "/{user_id}/mentions"
# https://developers.facebook.com/docs/threads/retrieve-and-manage-replies/replies-and-conversations —
# every reply under a post, nested ones included, flattened.
MEDIA_CONVERSATION = "/{media_id}/conversation"
# https://developers.facebook.com/docs/threads/reply-management#hide-replies — top-level replies only.
MANAGE_REPLY = "/{reply_id}/manage_reply"
# https://developers.facebook.com/docs/threads/insights#media-insights
MEDIA_INSIGHTS = "/{media_id}/insights"

# https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions
OAUTH_AUTHORIZE_URL = "https://threads.net/oauth/authorize"
# Endpoint paths (not secrets).
OAUTH_ACCESS_TOKEN_PATH = "/oauth/access_token"  # noqa: S105 - code → short-lived token (POST)
LONG_LIVED_TOKEN_PATH = "/access_token"  # noqa: S105 - short → long-lived, about 60 days (th_exchange_token)
REFRESH_TOKEN_PATH = "/refresh_access_token"  # noqa: S105 - long-lived → a new one (th_refresh_token)
OAUTH_SCOPES = (
    "threads_basic",
    "threads_content_publish",
    "threads_read_replies",
    "threads_manage_replies",
    "threads_manage_insights",
    "threads_manage_mentions",
)
# A long-lived token can be refreshed once it is a day old, and must be before it expires (60 days).
REFRESH_WHEN_SECONDS_LEFT = 7 * 24 * 3600
MIN_TOKEN_AGE_SECONDS = 24 * 3600

# https://developers.facebook.com/docs/threads/posts#limitations — 500 characters, emoji counted as their
# UTF-8 bytes; at most 5 links in a post; carousels of 2 to 20 items.
MAX_TEXT_CHARS = 500
MAX_LINKS = 5
MIN_CAROUSEL_ITEMS = 2
MAX_CAROUSEL_ITEMS = 20
# https://developers.facebook.com/docs/threads/posts#media-specifications
MAX_IMAGE_BYTES = 8 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
MAX_VIDEO_BYTES = 1024 * 1024 * 1024
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})
MAX_ALT_TEXT_CHARS = 1000
DEFAULT_PUBLISH_QUOTA = 250
DEFAULT_REPLY_QUOTA = 1000
# Meta recommends waiting before publishing a container; images take seconds, video longer.
CONTAINER_POLL_SECONDS = 2.0
CONTAINER_POLL_ATTEMPTS = 30
