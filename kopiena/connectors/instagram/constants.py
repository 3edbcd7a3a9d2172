"""Instagram Graph API (professional accounts, Facebook Login) endpoints and limits, linked to Meta's docs.

Instagram speaks the same Graph API as Facebook Pages (same host, errors, rate-limit headers and webhook
signature), so the transport and error mapping live in ``connectors.facebook``; this module holds only what is
Instagram's own.
"""

from __future__ import annotations

# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user
IG_USER = "/{ig_user_id}"
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media —
# step 1 of publishing: create a container (image_url / video_url / children).
IG_USER_MEDIA = "/{ig_user_id}/media"
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media_publish
IG_USER_MEDIA_PUBLISH = "/{ig_user_id}/media_publish"
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/content_publishing_limit
IG_USER_PUBLISHING_LIMIT = "/{ig_user_id}/content_publishing_limit"
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/tags
IG_USER_TAGS = "/{ig_user_id}/tags"
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-container
IG_CONTAINER = "/{container_id}"
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media
IG_MEDIA = "/{media_id}"
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/comments
IG_MEDIA_COMMENTS = "/{media_id}/comments"
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/insights
IG_MEDIA_INSIGHTS = "/{media_id}/insights"
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment/replies
IG_COMMENT_REPLIES = "/{comment_id}/replies"
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment#updating
IG_COMMENT = "/{comment_id}"

# https://developers.facebook.com/docs/instagram-platform/content-publishing#limitations
MAX_CAPTION_CHARS = 2200
MAX_HASHTAGS = 30
MAX_MENTIONS = 20
MIN_CAROUSEL_ITEMS = 2
MAX_CAROUSEL_ITEMS = 10
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media#image-specifications
MAX_IMAGE_BYTES = 8 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/jpeg"})
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media#reel-specifications
MAX_VIDEO_BYTES = 300 * 1024 * 1024
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})
MAX_COMMENT_CHARS = 2200
# https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media_publish —
# "50 posts within a 24 hour moving period"; the live figure is read from content_publishing_limit.
DEFAULT_PUBLISH_QUOTA = 50
# Containers take seconds (images) to minutes (video) to process; we poll this often, this many times.
CONTAINER_POLL_SECONDS = 2.0
CONTAINER_POLL_ATTEMPTS = 30
