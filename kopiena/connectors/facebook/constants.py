"""Meta Graph API (Facebook Pages) endpoints, error codes and limits, each linked to Meta's documentation.

The Page access token travels in the ``Authorization: Bearer`` header, never in the URL.
"""

from __future__ import annotations

DEFAULT_BASE_URL = "https://graph.facebook.com"
# https://developers.facebook.com/docs/graph-api/changelog/versions
API_VERSION = "v21.0"

# https://developers.facebook.com/docs/graph-api/reference/page/
PAGE = "/{page_id}"
# https://developers.facebook.com/docs/graph-api/reference/page/feed/ — publish text/link posts; read posts.
PAGE_FEED = "/{page_id}/feed"
# https://developers.facebook.com/docs/graph-api/reference/page/photos/
PAGE_PHOTOS = "/{page_id}/photos"
# https://developers.facebook.com/docs/graph-api/reference/page/videos/
PAGE_VIDEOS = "/{page_id}/videos"
# https://developers.facebook.com/docs/graph-api/reference/page/published_posts/ — reconciliation look-up.
PAGE_PUBLISHED_POSTS = "/{page_id}/published_posts"
# https://developers.facebook.com/docs/graph-api/reference/page/tagged/ — posts that mention the Page.
PAGE_TAGGED = "/{page_id}/tagged"
# https://developers.facebook.com/docs/graph-api/reference/object/comments/ — read and create comments.
OBJECT_COMMENTS = "/{object_id}/comments"
# https://developers.facebook.com/docs/graph-api/reference/comment/#updating — is_hidden=true|false
COMMENT = "/{comment_id}"
# https://developers.facebook.com/docs/graph-api/reference/post/
POST = "/{post_id}"
# https://developers.facebook.com/docs/graph-api/reference/page/conversations/ — Messenger inbox (polling)
PAGE_CONVERSATIONS = "/{page_id}/conversations"
# https://developers.facebook.com/docs/graph-api/reference/message/ — who sent a message (its PSID)
MESSAGE = "/{message_id}"
# https://developers.facebook.com/docs/messenger-platform/reference/send-api/ — answer in Messenger
PAGE_MESSAGES = "/{page_id}/messages"
# https://developers.facebook.com/docs/messenger-platform/reference/send-api/#message — "text: up to 2000 characters"
MAX_MESSAGE_CHARS = 2000

# https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow#login — the consent dialog
OAUTH_DIALOG_URL = "https://www.facebook.com/{version}/dialog/oauth"
# https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow#confirm — code → user token;
# https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived — the same endpoint
# swaps it for a 60-day user token, and Page tokens read with that one do not expire.
OAUTH_ACCESS_TOKEN = "/oauth/access_token"  # noqa: S105 - an endpoint path
# https://developers.facebook.com/docs/graph-api/reference/user/accounts/ — the Pages a person manages
ME_ACCOUNTS = "/me/accounts"
# https://developers.facebook.com/docs/permissions — what Kopiena asks for (Pages, Messenger, Instagram).
OAUTH_SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "pages_manage_engagement",
    "pages_read_user_content",
    "pages_manage_metadata",
    "pages_messaging",
    "read_insights",
    "instagram_basic",
    "instagram_content_publish",
    "instagram_manage_comments",
    "instagram_manage_insights",
)

# https://developers.facebook.com/docs/graph-api/webhooks/getting-started#event-notifications
SIGNATURE_HEADER = "X-Hub-Signature-256"
# https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
VERIFY_MODE = "subscribe"

# https://developers.facebook.com/docs/graph-api/overview/rate-limiting/
APP_USAGE_HEADER = "X-App-Usage"
PAGE_USAGE_HEADER = "X-Page-Usage"
BUSINESS_USAGE_HEADER = "X-Business-Use-Case-Usage"
# Above this share of a quota (percent) we stop calling before Meta throttles us.
USAGE_THROTTLE_PERCENT = 95
USAGE_THROTTLE_SECONDS = 300

# https://developers.facebook.com/docs/graph-api/guides/error-handling
ERROR_UNKNOWN = 1
ERROR_SERVICE = 2
ERROR_APP_RATE = 4
ERROR_PERMISSION = 10
ERROR_USER_RATE = 17
ERROR_PAGE_RATE = 32
ERROR_INVALID_PARAMETER = 100
ERROR_OAUTH = 190
ERROR_PERMISSION_DENIED = 200
ERROR_BLOCKED = 368
ERROR_DUPLICATE_POST = 506
ERROR_API_RATE = 613
ERROR_PAGE_BUC_RATE = 80001
ERROR_INSTAGRAM_BUC_RATE = 80002
ERROR_INSTAGRAM_PUBLISH_RATE = 9
RATE_ERRORS = frozenset(
    {
        ERROR_APP_RATE,
        ERROR_USER_RATE,
        ERROR_PAGE_RATE,
        ERROR_API_RATE,
        ERROR_PAGE_BUC_RATE,
        ERROR_INSTAGRAM_BUC_RATE,
    }
)
TRANSIENT_ERRORS = frozenset({ERROR_UNKNOWN, ERROR_SERVICE})
# https://developers.facebook.com/docs/graph-api/guides/error-handling#errorcodes — 190 subcodes that only a
# fresh login fixes: app removed (458), checkpoint (459), password changed (460), unconfirmed user (464),
# session invalidated (492). 463 (expired) and 467 (invalid) mean the token itself must be renewed.
REVOKED_SUBCODES = frozenset({458, 459, 460, 464, 492})
EXPIRED_SUBCODES = frozenset({463, 467})
# Permissions withdrawn (10, 200-299): the Page admin must reconnect and grant them again.
PERMISSION_CODES = frozenset({ERROR_PERMISSION, *range(200, 300)})
# https://developers.facebook.com/docs/messenger-platform/policy/policy-overview#24hours — code 10 with this
# subcode is a reply outside Messenger's 24-hour window: this message is refused, the permission is fine.
SUBCODE_OUTSIDE_MESSAGING_WINDOW = 2018278

# https://developers.facebook.com/docs/graph-api/reference/page/feed/#publish — Facebook's post limit.
MAX_TEXT_CHARS = 63206
MAX_COMMENT_CHARS = 8000
# https://developers.facebook.com/docs/graph-api/reference/page/photos/#upload — JPEG, PNG, GIF…, up to 4 MB.
MAX_PHOTO_BYTES = 4 * 1024 * 1024
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff"})
MAX_PHOTOS = 10
# https://developers.facebook.com/docs/video-api/guides/publishing — up to 10 GB; MP4 recommended.
MAX_VIDEO_BYTES = 10 * 1024 * 1024 * 1024
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})
# How far back the reconciliation look-up searches for a post whose outcome is unknown.
RECONCILE_LOOKBACK_POSTS = 25
