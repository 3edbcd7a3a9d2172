"""VK API endpoints, error codes and limits, each linked to the vendor's documentation.

The community access token travels in the ``Authorization: Bearer`` header
(https://dev.vk.com/ru/api/api-requests), never in the URL or the form body.
"""

from __future__ import annotations

DEFAULT_BASE_URL = "https://api.vk.com"
# https://dev.vk.com/ru/reference/versions
API_VERSION = "5.199"
# https://dev.vk.com/ru/api/api-requests — POST {base}/method/{name}, parameters as a form body.
METHOD_URL = "{base}/method/{method}"

# https://dev.vk.com/ru/method/groups.getById
GROUPS_GET_BY_ID = "groups.getById"
# https://dev.vk.com/ru/method/wall.post — ``guid`` makes a repeated call return the first post.
WALL_POST = "wall.post"
# https://dev.vk.com/ru/method/wall.getById
WALL_GET_BY_ID = "wall.getById"
# https://dev.vk.com/ru/method/wall.get
WALL_GET = "wall.get"
# https://dev.vk.com/ru/method/wall.getComments
WALL_GET_COMMENTS = "wall.getComments"
# https://dev.vk.com/ru/method/wall.createComment
WALL_CREATE_COMMENT = "wall.createComment"
# https://dev.vk.com/ru/method/photos.getWallUploadServer
PHOTOS_GET_WALL_UPLOAD_SERVER = "photos.getWallUploadServer"
# https://dev.vk.com/ru/method/photos.saveWallPhoto
PHOTOS_SAVE_WALL_PHOTO = "photos.saveWallPhoto"
# https://dev.vk.com/ru/method/video.save
VIDEO_SAVE = "video.save"
# https://dev.vk.com/ru/method/polls.create
POLLS_CREATE = "polls.create"
# https://dev.vk.com/ru/method/newsfeed.search
NEWSFEED_SEARCH = "newsfeed.search"

# https://dev.vk.com/ru/reference/errors
ERROR_UNKNOWN = 1
ERROR_AUTH_FAILED = 5
ERROR_TOO_MANY_PER_SECOND = 6
ERROR_FLOOD_CONTROL = 9
ERROR_INTERNAL = 10
ERROR_ACCESS_DENIED = 15
ERROR_VALIDATION_REQUIRED = 17
ERROR_USER_DELETED_OR_BANNED = 18
ERROR_GROUP_AUTH_FAILED = 27
ERROR_RATE_LIMIT = 29
ERROR_INVALID_PARAMETER = 100
ERROR_GROUP_ACCESS_DENIED = 203
ERROR_WALL_ACCESS_DENIED = 214
ERROR_WALL_ADS_PUBLISHED = 219
ERROR_WALL_TOO_MANY_RECIPIENTS = 220
ERROR_WALL_LINKS_FORBIDDEN = 222
ERROR_WALL_REPLY_OWNER_FLOOD = 223

# The token no longer works: the admin must paste a new one.
AUTH_ERRORS = frozenset({ERROR_AUTH_FAILED, ERROR_GROUP_AUTH_FAILED})
# The community or the app lost the right to post: reconnecting (new token with rights) is the remedy.
DISCONNECTED_ERRORS = frozenset({ERROR_USER_DELETED_OR_BANNED, ERROR_GROUP_ACCESS_DENIED})
RATE_ERRORS = frozenset({ERROR_TOO_MANY_PER_SECOND, ERROR_FLOOD_CONTROL, ERROR_RATE_LIMIT})
TRANSIENT_ERRORS = frozenset({ERROR_UNKNOWN, ERROR_INTERNAL})
CONTENT_ERRORS = frozenset(
    {
        ERROR_ACCESS_DENIED,
        ERROR_INVALID_PARAMETER,
        ERROR_WALL_ACCESS_DENIED,
        ERROR_WALL_ADS_PUBLISHED,
        ERROR_WALL_TOO_MANY_RECIPIENTS,
        ERROR_WALL_LINKS_FORBIDDEN,
        ERROR_WALL_REPLY_OWNER_FLOOD,
    }
)
# https://dev.vk.com/ru/api/api-requests#Ограничения и рекомендации — 20 calls/second for a community token;
# code 6 carries no Retry-After, so we wait one second; code 29 (daily quota) we retry in an hour.
RATE_RETRY_AFTER_SECONDS = {ERROR_TOO_MANY_PER_SECOND: 1, ERROR_FLOOD_CONTROL: 60, ERROR_RATE_LIMIT: 3600}

# https://dev.vk.com/ru/method/wall.post — guid: "unique identifier to prevent sending the same post twice";
# VK keeps it for one hour.
GUID_MAX_CHARS = 64
# https://vk.com/faq18062 — post text is limited to 16384 characters.
MAX_TEXT_CHARS = 16384
# https://dev.vk.com/ru/method/wall.post — "attachments: up to 10 objects".
MAX_ATTACHMENTS = 10
# https://dev.vk.com/ru/method/wall.createComment — "message: up to 16384 characters"
MAX_COMMENT_CHARS = 16384
# https://dev.vk.com/ru/api/upload/wall-photo — JPG, PNG, GIF; up to 50 MB.
MAX_PHOTO_BYTES = 50 * 1024 * 1024
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})
# https://dev.vk.com/ru/api/upload/video-in-profile — AVI, MP4, 3GP, MPEG, MOV, FLV, WMV; we cap at 5 GB.
MAX_VIDEO_BYTES = 5 * 1024 * 1024 * 1024
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime", "video/x-msvideo", "video/mpeg", "video/3gpp"})
# https://dev.vk.com/ru/method/polls.create — up to 10 answers.
MAX_POLL_OPTIONS = 10

# https://dev.vk.com/ru/api/callback/getting-started — event types we turn into inbox items.
CALLBACK_CONFIRMATION = "confirmation"
CALLBACK_WALL_REPLY_NEW = "wall_reply_new"
CALLBACK_WALL_REPLY_EDIT = "wall_reply_edit"
CALLBACK_WALL_REPLY_DELETE = "wall_reply_delete"
# https://dev.vk.com/ru/api/callback/getting-started — the server must answer the string "ok" to every event.
CALLBACK_ACK = "ok"
# https://dev.vk.com/ru/method/wall.getComments — "count: up to 100"
COMMENTS_PAGE = 100
# https://dev.vk.com/ru/method/newsfeed.search — "count: up to 200"
SEARCH_PAGE = 200
# https://dev.vk.com/ru/method/wall.get — how many recent posts reconciliation looks through
RECONCILE_LOOKBACK_POSTS = 20
