"""XRPC methods we call, each linked to its documentation (https://docs.bsky.app)."""

from __future__ import annotations

DEFAULT_SERVICE = "https://bsky.social"

# https://docs.bsky.app/docs/api/com-atproto-server-create-session
CREATE_SESSION = "/xrpc/com.atproto.server.createSession"
# https://docs.bsky.app/docs/api/com-atproto-server-refresh-session
REFRESH_SESSION = "/xrpc/com.atproto.server.refreshSession"
# https://docs.bsky.app/docs/api/app-bsky-actor-get-profile
GET_PROFILE = "/xrpc/app.bsky.actor.getProfile"
# https://docs.bsky.app/docs/api/com-atproto-identity-resolve-handle
RESOLVE_HANDLE = "/xrpc/com.atproto.identity.resolveHandle"
# https://docs.bsky.app/docs/api/com-atproto-repo-create-record
CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"
# https://docs.bsky.app/docs/api/com-atproto-repo-get-record
GET_RECORD = "/xrpc/com.atproto.repo.getRecord"
# https://docs.bsky.app/docs/api/com-atproto-repo-delete-record
DELETE_RECORD = "/xrpc/com.atproto.repo.deleteRecord"
# https://docs.bsky.app/docs/api/com-atproto-repo-upload-blob
UPLOAD_BLOB = "/xrpc/com.atproto.repo.uploadBlob"
# https://docs.bsky.app/docs/api/app-bsky-feed-get-posts
GET_POSTS = "/xrpc/app.bsky.feed.getPosts"
# https://docs.bsky.app/docs/api/app-bsky-feed-get-post-thread
GET_POST_THREAD = "/xrpc/app.bsky.feed.getPostThread"
# https://docs.bsky.app/docs/api/app-bsky-notification-list-notifications
LIST_NOTIFICATIONS = "/xrpc/app.bsky.notification.listNotifications"
# https://docs.bsky.app/docs/api/app-bsky-feed-search-posts
SEARCH_POSTS = "/xrpc/app.bsky.feed.searchPosts"

POST_COLLECTION = "app.bsky.feed.post"
# https://docs.bsky.app/docs/advanced-guides/post-richtext (facet features)
FACET_LINK = "app.bsky.richtext.facet#link"
FACET_MENTION = "app.bsky.richtext.facet#mention"
FACET_TAG = "app.bsky.richtext.facet#tag"
EMBED_IMAGES = "app.bsky.embed.images"
EMBED_RECORD = "app.bsky.embed.record"
EMBED_RECORD_WITH_MEDIA = "app.bsky.embed.recordWithMedia"

# Lexicon limits: app.bsky.feed.post text maxGraphemes 300 AND maxLength 3000 (UTF-8 bytes: 300 family
# emoji are 3,750 bytes); app.bsky.embed.images max 4, 1 000 000 bytes.
MAX_GRAPHEMES = 300
MAX_TEXT_BYTES = 3000
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
MAX_ALT_TEXT = 2000
PAGE_LIMIT = 50
MAX_NOTIFICATION_PAGES = 5
GET_POSTS_BATCH = 25
