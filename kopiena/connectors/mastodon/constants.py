"""Mastodon REST API endpoints we use, each linked to its documentation (https://docs.joinmastodon.org)."""

from __future__ import annotations

# https://docs.joinmastodon.org/methods/apps/#create
APPS = "/api/v1/apps"
# https://docs.joinmastodon.org/methods/oauth/#authorize
OAUTH_AUTHORIZE = "/oauth/authorize"
# https://docs.joinmastodon.org/methods/oauth/#token
OAUTH_TOKEN = "/oauth/token"  # noqa: S105 - a path, not a secret
# https://docs.joinmastodon.org/methods/oauth/#revoke
OAUTH_REVOKE = "/oauth/revoke"
# https://docs.joinmastodon.org/methods/accounts/#verify_credentials
VERIFY_CREDENTIALS = "/api/v1/accounts/verify_credentials"
# https://docs.joinmastodon.org/methods/accounts/#statuses
ACCOUNT_STATUSES = "/api/v1/accounts/{id}/statuses"
ACCOUNT_LOOKUP = "/api/v1/accounts/lookup"
# https://docs.joinmastodon.org/methods/accounts/#relationships
RELATIONSHIPS = "/api/v1/accounts/relationships"
# https://docs.joinmastodon.org/methods/statuses/#create
STATUSES = "/api/v1/statuses"
# https://docs.joinmastodon.org/methods/statuses/#get  and  #delete
STATUS = "/api/v1/statuses/{id}"
# https://docs.joinmastodon.org/methods/statuses/#context
STATUS_CONTEXT = "/api/v1/statuses/{id}/context"
# https://docs.joinmastodon.org/methods/media/#v2
MEDIA_UPLOAD = "/api/v2/media"
# https://docs.joinmastodon.org/methods/media/#get
MEDIA = "/api/v1/media/{id}"
# https://docs.joinmastodon.org/methods/notifications/#get
NOTIFICATIONS = "/api/v1/notifications"
# https://docs.joinmastodon.org/methods/search/#v2
SEARCH = "/api/v2/search"
# https://docs.joinmastodon.org/methods/timelines/#tag
TAG_TIMELINE = "/api/v1/timelines/tag/{tag}"
# https://docs.joinmastodon.org/methods/streaming/#user  (Server-Sent Events; events are documented at
# https://docs.joinmastodon.org/methods/streaming/#events: notification, delete, status.update, …)
STREAMING_USER = "/api/v1/streaming/user"
STREAM_READ_TIMEOUT_SECONDS = 90.0  # the server sends a heartbeat comment every ~30 s

# Granular scopes (https://docs.joinmastodon.org/api/oauth-scopes/): read what we answer, write posts.
SCOPES = "read:accounts read:follows read:notifications read:search read:statuses write:media write:statuses"
OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"

# Defaults of a stock instance (https://docs.joinmastodon.org/entities/Instance/#configuration);
# URLs always count as 23 characters (https://docs.joinmastodon.org/user/posting/#text).
MAX_CHARACTERS = 500
URL_WEIGHT = 23
MAX_MEDIA = 4
MAX_IMAGE_BYTES = 16 * 1024 * 1024
MAX_VIDEO_BYTES = 99 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/avif"})
VIDEO_TYPES = frozenset({"video/mp4", "video/webm", "video/quicktime"})
MAX_ALT_TEXT = 1500
MAX_POLL_OPTIONS = 4
MAX_POLL_OPTION_CHARS = 50
MIN_POLL_EXPIRY_SECONDS = 300
MAX_POLL_EXPIRY_SECONDS = 2629746
PAGE_LIMIT = 40  # the maximum `limit` of notifications and account statuses
MEDIA_PROCESSING_POLLS = 20  # GET /api/v1/media/:id answers 206 while processing
