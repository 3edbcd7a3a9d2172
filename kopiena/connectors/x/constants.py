"""X API v2 endpoints and limits, linked to X's documentation (https://docs.x.com/x-api)."""

from __future__ import annotations

DEFAULT_BASE_URL = "https://api.x.com"

# https://docs.x.com/x-api/posts/create-post
TWEETS = "/2/tweets"
# https://docs.x.com/x-api/posts/get-posts-by-ids — public_metrics
TWEETS_LOOKUP = "/2/tweets"
# https://docs.x.com/x-api/users/get-my-user
ME = "/2/users/me"
# https://docs.x.com/x-api/users/get-posts — the account's recent posts (reconciliation)
USER_TWEETS = "/2/users/{id}/tweets"
# https://docs.x.com/x-api/users/get-mentions
USER_MENTIONS = "/2/users/{id}/mentions"
# https://docs.x.com/x-api/posts/search-recent-posts — replies under a post: conversation_id:<id>
SEARCH_RECENT = "/2/tweets/search/recent"
# https://docs.x.com/x-api/posts/hide-reply
HIDE_REPLY = "/2/tweets/{id}/hidden"
# https://docs.x.com/x-api/media/upload-media and .../media-metadata-create (alt text)
MEDIA_UPLOAD = "/2/media/upload"
MEDIA_METADATA = "/2/media/metadata"

# https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code — PKCE; access tokens last two
# hours; a refresh token (scope offline.access) is single-use: each refresh returns the next one.
OAUTH_AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
OAUTH_TOKEN_PATH = "/2/oauth2/token"  # noqa: S105 - an endpoint path
OAUTH_SCOPES = (
    "tweet.read",
    "tweet.write",
    "users.read",
    "tweet.moderate.write",
    "media.write",
    "offline.access",
)

TWEET_FIELDS = "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,public_metrics"
USER_FIELDS = "username,name,public_metrics"

# https://docs.x.com/resources/fundamentals/counting-characters — 280 weighted characters: most Latin,
# Cyrillic and punctuation count 1, other characters (CJK, emoji) 2, every URL 23.
MAX_WEIGHTED_LENGTH = 280
URL_LENGTH = 23
LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
# https://docs.x.com/x-api/posts/create-post — media: up to 4 images; poll: 2–4 options of 25 characters,
# 5 minutes to 7 days.
MAX_IMAGES = 4
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_ALT_TEXT_CHARS = 1000
MAX_POLL_OPTIONS = 4
MAX_POLL_OPTION_CHARS = 25
MIN_POLL_SECONDS = 5 * 60
MAX_POLL_SECONDS = 7 * 24 * 3600
