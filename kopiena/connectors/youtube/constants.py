"""YouTube Data API v3 and Google OAuth 2.0 endpoints and limits, each linked to Google's documentation.

The access token travels in the ``Authorization: Bearer`` header, never in the URL; the refresh token and
client secret only in the body of the POST to the token endpoint.
"""

from __future__ import annotations

DEFAULT_BASE_URL = "https://www.googleapis.com"

# https://developers.google.com/identity/protocols/oauth2/web-server#exchange-authorization-code and
# https://developers.google.com/identity/protocols/oauth2/web-server#offline — code exchange and refresh.
TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - an address, not a secret
# A base URL other than the default (an API proxy, the local test server) serves the token endpoint here.
TOKEN_PATH = "/token"  # noqa: S105 - a path, not a secret
# https://developers.google.com/youtube/v3/guides/auth/server-side-web-apps#identify-access-scopes —
# "youtube.force-ssl" covers videos.insert, thumbnails.set, comments.insert and setModerationStatus.
SCOPES = "https://www.googleapis.com/auth/youtube.force-ssl"

# https://developers.google.com/youtube/v3/docs/channels/list — mine=true: the authorised channel.
CHANNELS = "/youtube/v3/channels"
# https://developers.google.com/youtube/v3/docs/videos/insert and
# https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol — resumable upload:
# POST the metadata (answer: Location = upload session URI), then PUT the bytes to that URI.
VIDEOS_UPLOAD = "/upload/youtube/v3/videos"
# https://developers.google.com/youtube/v3/docs/videos/list (statistics) and
# https://developers.google.com/youtube/v3/docs/videos/delete
VIDEOS = "/youtube/v3/videos"
# https://developers.google.com/youtube/v3/docs/thumbnails/set
THUMBNAILS_SET = "/upload/youtube/v3/thumbnails/set"
# https://developers.google.com/youtube/v3/docs/playlistItems/list — the channel's uploads playlist
# (channels.list contentDetails.relatedPlaylists.uploads): reconciliation look-up, 1 quota unit.
PLAYLIST_ITEMS = "/youtube/v3/playlistItems"
# https://developers.google.com/youtube/v3/docs/commentThreads/list — videoId=…, paged by nextPageToken.
COMMENT_THREADS = "/youtube/v3/commentThreads"
# https://developers.google.com/youtube/v3/docs/comments/list (parentId=…: every reply of a thread) and
# https://developers.google.com/youtube/v3/docs/comments/insert (snippet.parentId: a reply).
COMMENTS = "/youtube/v3/comments"
# https://developers.google.com/youtube/v3/docs/comments/setModerationStatus
COMMENTS_MODERATION = "/youtube/v3/comments/setModerationStatus"

# https://developers.google.com/youtube/v3/docs/videos#snippet.title — at most 100 characters, no < or >.
MAX_TITLE_CHARS = 100
# https://developers.google.com/youtube/v3/docs/videos#snippet.description — at most 5000 bytes, no < or >.
MAX_DESCRIPTION_BYTES = 5000
# https://developers.google.com/youtube/v3/docs/videos#snippet.tags — 500 characters in all.
MAX_TAGS_CHARS = 500
# https://developers.google.com/youtube/v3/docs/comments#snippet.textOriginal — comment length.
MAX_COMMENT_CHARS = 10000
# https://developers.google.com/youtube/v3/docs/videos/insert ("Accepted Media MIME types: video/*,
# application/octet-stream"; max file size 256GB) — the formats YouTube lists as supported:
# https://support.google.com/youtube/troubleshooter/2888402
VIDEO_TYPES = frozenset(
    {
        "video/mp4",
        "video/quicktime",
        "video/x-msvideo",
        "video/x-ms-wmv",
        "video/mpeg",
        "video/webm",
        "video/3gpp",
        "video/x-flv",
        "video/x-matroska",
    }
)
MAX_VIDEO_BYTES = 256 * 1024**3
# https://developers.google.com/youtube/v3/docs/thumbnails/set — image/jpeg or image/png, at most 2 MB.
THUMBNAIL_TYPES = frozenset({"image/jpeg", "image/png"})
MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024

PAGE_SIZE = 100  # commentThreads.list maxResults (1–100)
MAX_PAGES = 10  # per fetch: 1000 threads, 10 quota units
UPLOADS_LOOKBACK = 50  # playlistItems.list maxResults: recent uploads searched by reconcile

# https://developers.google.com/youtube/v3/docs/errors — 403 reasons that mean "slow down / wait".
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "uploadRateLimitExceeded"})
# 403 reasons that mean the authorisation cannot do this any more: reconnect.
DISCONNECTED_REASONS = frozenset(
    {"insufficientPermissions", "accountClosed", "accountSuspended", "youtubeSignupRequired", "channelClosed"}
)
