"""Google Business Profile endpoints we use, each linked to its documentation.

Reviews and local posts still live in the v4 API (mybusiness.googleapis.com); accounts and locations moved
to the per-area v1 APIs. Each constant is (host, path); in tests and the sandbox every host is replaced by
the account's ``base_url`` (one local server serves them all).
"""

from __future__ import annotations

V4 = "mybusiness.googleapis.com"
ACCOUNT_MANAGEMENT = "mybusinessaccountmanagement.googleapis.com"
BUSINESS_INFORMATION = "mybusinessbusinessinformation.googleapis.com"
OAUTH = "oauth2.googleapis.com"

# https://developers.google.com/identity/protocols/oauth2/web-server#offline (refresh an access token)
TOKEN = (OAUTH, "/token")
# https://developers.google.com/my-business/reference/accountmanagement/rest/v1/accounts/list
ACCOUNTS = (ACCOUNT_MANAGEMENT, "/v1/accounts")
# https://developers.google.com/my-business/reference/businessinformation/rest/v1/accounts.locations/list
ACCOUNT_LOCATIONS = (BUSINESS_INFORMATION, "/v1/{account}/locations")
# https://developers.google.com/my-business/reference/businessinformation/rest/v1/locations/get
LOCATION = (BUSINESS_INFORMATION, "/v1/locations/{location_id}")
LOCATION_READ_MASK = "name,title,metadata"
# https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/list
REVIEWS = (V4, "/v4/{location}/reviews")
# https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/updateReply
# and .../deleteReply (PUT replaces the reply: answering again updates it)
REVIEW_REPLY = (V4, "/v4/{review}/reply")
# https://developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts/create and /list
LOCAL_POSTS = (V4, "/v4/{location}/localPosts")
# https://developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts/delete
LOCAL_POST = (V4, "/v4/{post}")

# https://developers.google.com/my-business/content/review-data#star_ratings
STAR_RATINGS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
# https://developers.google.com/my-business/content/posts-data ("summary": up to 1500 characters;
# photos JPG/PNG, 10 KB – 5 MB; one photo per post through the API)
MAX_SUMMARY = 1500
MAX_MEDIA = 1
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
# https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/updateReply
MAX_REPLY = 4096
# https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/list (pageSize ≤ 50)
REVIEWS_PAGE_SIZE = 50
MAX_REVIEW_PAGES = 10
# https://developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts/list (≤ 100)
POSTS_PAGE_SIZE = 100
RECONCILE_WINDOW_SECONDS = 2 * 24 * 3600  # an identical post older than this is an earlier one, not ours
# https://developers.google.com/my-business/content/prereqs#oauth (the one scope the APIs accept)
SCOPE = "https://www.googleapis.com/auth/business.manage"
