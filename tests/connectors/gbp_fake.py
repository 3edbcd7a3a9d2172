"""A small fake of the Google Business Profile APIs our connector calls, written from
https://developers.google.com/my-business/reference/rest (v4 reviews and localPosts, account management v1
accounts, business information v1 locations) and https://developers.google.com/identity/protocols/oauth2
(refresh_token grant). One LocalServer answers for every Google host (the connector's ``base_url``).

Behaviours of the real API that matter to the connector:

* reviews are listed newest-updated first, ``pageSize`` at most 50, ``nextPageToken`` for the next page;
* ``PUT …/reviews/{id}/reply`` creates or replaces THE reply (one per review), ``DELETE`` removes it;
* a local post summary over 1500 characters is refused with 400 INVALID_ARGUMENT;
* errors come as ``{"error": {"code", "message", "status"}}``; an unknown access token gets 401
  UNAUTHENTICATED; a refresh with an unknown refresh token gets 400 ``invalid_grant``.
"""

from __future__ import annotations

import itertools
import re
import secrets
from datetime import UTC, datetime, timedelta

from kopiena.connectors.testing import LocalServer, Response

ACCOUNT = "accounts/1111"
LOCATION_ID = "2222"
LOCATION = f"{ACCOUNT}/locations/{LOCATION_ID}"
STARS = ["ONE", "TWO", "THREE", "FOUR", "FIVE"]


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"  # Google sends nanoseconds


def google_error(code: int, status: str, message: str) -> Response:
    return Response.json({"error": {"code": code, "message": message, "status": status}}, code)


class FakeGoogleBusiness:
    def __init__(self, server: LocalServer, *, refresh_token: str, client_id: str, client_secret: str):
        self.server = server
        self.refresh_token, self.client_id, self.client_secret = refresh_token, client_id, client_secret
        self.tokens: set[str] = set()
        self.refreshes = 0
        self.good_code = "4/0good-code"
        self.reviews: list[dict] = []  # in creation order
        self.posts: list[dict] = []
        self.locations = [{"name": f"locations/{LOCATION_ID}", "title": "Rīgas Grauzdētava"}]
        self.now = datetime.now(UTC).replace(microsecond=0) - timedelta(
            hours=2
        )  # recent, as reconcile expects
        self._ids = itertools.count(1)
        loc = re.escape(LOCATION)
        routes = [
            ("POST", r"/token", self.token),
            ("GET", r"/v1/accounts", self.authed(self.accounts)),
            ("GET", rf"/v1/{re.escape(ACCOUNT)}/locations", self.authed(self.account_locations)),
            ("GET", r"/v1/locations/(?P<id>\w+)", self.authed(self.location)),
            ("GET", rf"/v4/{loc}/reviews", self.authed(self.list_reviews)),
            ("PUT", rf"/v4/{loc}/reviews/(?P<id>\w+)/reply", self.authed(self.put_reply)),
            ("DELETE", rf"/v4/{loc}/reviews/(?P<id>\w+)/reply", self.authed(self.delete_reply)),
            ("POST", rf"/v4/{loc}/localPosts", self.authed(self.create_post)),
            ("GET", rf"/v4/{loc}/localPosts", self.authed(self.list_posts)),
            ("DELETE", rf"/v4/{loc}/localPosts/(?P<id>\w+)", self.authed(self.delete_post)),
        ]
        for method, pattern, handler in routes:
            server.add(method, pattern, handler)

    def tick(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now

    # OAuth ----------------------------------------------------------------------------------
    def issue_token(self) -> str:
        token = "ya29." + secrets.token_urlsafe(24)
        self.tokens.add(token)
        return token

    def token(self, request, match):
        form = {k: v[0] for k, v in request.form().items()}
        if form.get("grant_type") == "authorization_code":
            if form.get("code") != self.good_code or form.get("client_secret") != self.client_secret:
                return Response.json({"error": "invalid_grant", "error_description": "Bad Request"}, 400)
            return Response.json(
                {"access_token": self.issue_token(), "refresh_token": self.refresh_token, "expires_in": 3599}
            )
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token:
            return Response.json(
                {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}, 400
            )
        if (form.get("client_id"), form.get("client_secret")) != (self.client_id, self.client_secret):
            return Response.json({"error": "invalid_client", "error_description": "Unauthorized"}, 401)
        self.refreshes += 1
        return Response.json(
            {
                "access_token": self.issue_token(),
                "expires_in": 3599,
                "scope": "https://www.googleapis.com/auth/business.manage",
                "token_type": "Bearer",
            }
        )

    def authed(self, handler):
        def wrapped(request, match):
            if request.bearer not in self.tokens:
                return google_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
            return handler(request, match)

        return wrapped

    # Accounts and locations -----------------------------------------------------------------
    def accounts(self, request, match):
        return Response.json(
            {"accounts": [{"name": ACCOUNT, "accountName": "Rīgas Grauzdētava", "type": "PERSONAL"}]}
        )

    def account_locations(self, request, match):
        if not request.arg("readMask"):
            return google_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.")
        return Response.json({"locations": self.locations})

    def location(self, request, match):
        found = next((loc for loc in self.locations if loc["name"] == f"locations/{match['id']}"), None)
        if found is None:
            return google_error(404, "NOT_FOUND", "Requested entity was not found.")
        if not request.arg("readMask"):
            return google_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.")
        return Response.json(
            {**found, "metadata": {"mapsUri": f"https://maps.google.com/maps?cid={match['id']}"}}
        )

    # Reviews --------------------------------------------------------------------------------
    def add_review(
        self, comment: str, *, stars: int = 5, reviewer: str = "Anna Bērziņa", anonymous: bool = False
    ) -> dict:
        review_id = f"r{next(self._ids)}"
        moment = _time(self.tick())
        review = {
            "name": f"{LOCATION}/reviews/{review_id}",
            "reviewId": review_id,
            "reviewer": {
                "displayName": reviewer,
                "isAnonymous": anonymous,
                "profilePhotoUrl": "https://lh3.example/p.jpg",
            },
            "starRating": STARS[stars - 1],
            "createTime": moment,
            "updateTime": moment,
        }
        if comment:
            review["comment"] = comment
        self.reviews.append(review)
        return review

    def review(self, review_id: str) -> dict | None:
        return next((r for r in self.reviews if r["reviewId"] == review_id), None)

    def list_reviews(self, request, match):
        size = min(int(request.arg("pageSize", "50") or 50), 50)
        start = int(request.arg("pageToken", "0") or 0)
        ordered = sorted(self.reviews, key=lambda r: r["updateTime"], reverse=True)
        page = ordered[start : start + size]
        body = {"reviews": page, "averageRating": 4.5, "totalReviewCount": len(self.reviews)}
        if start + size < len(ordered):
            body["nextPageToken"] = str(start + size)
        return Response.json(body)

    def put_reply(self, request, match):
        review = self.review(match["id"])
        if review is None:
            return google_error(404, "NOT_FOUND", "Requested entity was not found.")
        comment = (request.json() or {}).get("comment", "")
        if not comment or len(comment) > 4096:
            return google_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.")
        review["reviewReply"] = {"comment": comment, "updateTime": _time(self.tick())}
        return Response.json(review["reviewReply"])

    def delete_reply(self, request, match):
        review = self.review(match["id"])
        if review is None or "reviewReply" not in review:
            return google_error(404, "NOT_FOUND", "Requested entity was not found.")
        del review["reviewReply"]
        return Response.json({})

    # Local posts ----------------------------------------------------------------------------
    def create_post(self, request, match):
        body = request.json() or {}
        summary = body.get("summary", "")
        if len(summary) > 1500 or body.get("topicType") not in ("STANDARD", "EVENT", "OFFER"):
            return google_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.")
        post_id = str(next(self._ids))
        post = {
            **body,
            "name": f"{LOCATION}/localPosts/{post_id}",
            "createTime": _time(self.tick()),
            "updateTime": _time(self.now),
            "state": "LIVE",
            "searchUrl": f"https://local.google.com/place?id=2222&use=posts&lpsid={post_id}",
        }
        self.posts.append(post)
        return Response.json(post)

    def list_posts(self, request, match):
        return Response.json({"localPosts": sorted(self.posts, key=lambda p: p["createTime"], reverse=True)})

    def delete_post(self, request, match):
        name = f"{LOCATION}/localPosts/{match['id']}"
        if not any(p["name"] == name for p in self.posts):
            return google_error(404, "NOT_FOUND", "Requested entity was not found.")
        self.posts = [p for p in self.posts if p["name"] != name]
        return Response.json({})
