"""LinkedIn Community Management API (organisation Pages) endpoints and limits, linked to Microsoft's docs.

Versioned REST API: every call carries ``LinkedIn-Version`` (YYYYMM) and ``X-Restli-Protocol-Version: 2.0.0``
(https://learn.microsoft.com/en-us/linkedin/marketing/versioning).
"""

from __future__ import annotations

DEFAULT_BASE_URL = "https://api.linkedin.com"
API_VERSION = "202511"
RESTLI_PROTOCOL = "2.0.0"

# https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api
POSTS = "/rest/posts"
# https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api
IMAGES_INITIALIZE = "/rest/images?action=initializeUpload"
# https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api
COMMENTS = "/rest/socialActions/{urn}/comments"
# https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/share-statistics
SHARE_STATISTICS = "/rest/organizationalEntityShareStatistics"
# https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-lookup-api
ORGANIZATION = "/rest/organizations/{id}"
# https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-access-control-by-role
ORGANIZATION_ACLS = "/rest/organizationAcls"
# https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/follower-statistics
NETWORK_SIZE = "/rest/networkSizes/{urn}"

# https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow
OAUTH_AUTHORIZE_URL = "https://www.linkedin.com/oauth/v2/authorization"
OAUTH_TOKEN_PATH = "/oauth/v2/accessToken"  # noqa: S105 - an endpoint path
OAUTH_TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"  # noqa: S105 - an address
OAUTH_SCOPES = ("r_organization_social", "w_organization_social", "rw_organization_admin")

# https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api#post-schema —
# commentary up to 3,000 characters; comments up to 1,250.
MAX_TEXT_CHARS = 3000
MAX_COMMENT_CHARS = 1250
# https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/multiimage-post-api
MAX_IMAGES = 20
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})
# Images API: "maximum 36152320 pixels" — bytes are not capped in the docs; keep uploads sensible.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_ALT_TEXT_CHARS = 4086
# https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits — daily quotas, a 429 with
# no Retry-After when spent; they reset at midnight UTC.
# https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format —
# characters reserved by the "little" text format, backslash-escaped to stay plain text.
LITTLE_RESERVED = "\\|{}@[]()<>#*_~"
