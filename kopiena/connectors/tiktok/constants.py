"""TikTok Content Posting API and Display API endpoints and limits, linked to TikTok's documentation
(https://developers.tiktok.com/doc/content-posting-api-get-started)."""

from __future__ import annotations

DEFAULT_BASE_URL = "https://open.tiktokapis.com"

# https://developers.tiktok.com/doc/content-posting-api-reference-query-creator-info — must be asked before
# each post: the privacy options the creator has, whether comments are off, the longest video allowed.
CREATOR_INFO = "/v2/post/publish/creator_info/query/"
# https://developers.tiktok.com/doc/content-posting-api-reference-direct-post
VIDEO_INIT = "/v2/post/publish/video/init/"
# https://developers.tiktok.com/doc/content-posting-api-reference-get-video-status
STATUS_FETCH = "/v2/post/publish/status/fetch/"
# https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info
USER_INFO = "/v2/user/info/"
# https://developers.tiktok.com/doc/tiktok-api-v2-video-list and .../tiktok-api-v2-video-query
VIDEO_LIST = "/v2/video/list/"
VIDEO_QUERY = "/v2/video/query/"

# https://developers.tiktok.com/doc/oauth-user-access-token-management — access tokens last 24 hours,
# refresh tokens 365 days (a refresh may return a new one).
OAUTH_AUTHORIZE_URL = "https://www.tiktok.com/v2/auth/authorize/"
OAUTH_TOKEN_PATH = "/v2/oauth/token/"  # noqa: S105 - an endpoint path
OAUTH_SCOPES = ("user.info.basic", "user.info.profile", "user.info.stats", "video.publish", "video.list")

STATUS_COMPLETE = "PUBLISH_COMPLETE"
STATUS_FAILED = "FAILED"
PUBLIC = "PUBLIC_TO_EVERYONE"
PRIVATE = "SELF_ONLY"

# https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide — chunks of 5–64 MB (the last
# may be up to 128 MB); a video under 64 MB goes in one chunk.
MIN_CHUNK_BYTES = 5 * 1024 * 1024
CHUNK_BYTES = 10 * 1024 * 1024
SINGLE_CHUNK_MAX_BYTES = 64 * 1024 * 1024
MAX_VIDEO_BYTES = 4 * 1024 * 1024 * 1024
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime", "video/webm"})
# The video's title (its caption) is up to 2,200 UTF-16 code units.
MAX_TITLE_CHARS = 2200
STATUS_POLL_SECONDS = 2.0
STATUS_POLL_ATTEMPTS = 30
