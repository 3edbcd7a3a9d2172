"""A local fake of the X API v2 and its OAuth 2.0 token endpoint, written from X's documentation (create
post, users/me, user posts and mentions, recent search, post lookup, hide reply, media upload and metadata,
OAuth 2.0 with PKCE and single-use refresh tokens). Only what the connector uses; X's problem bodies and
``x-rate-limit-*`` headers."""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import time
from datetime import UTC, datetime

from kopiena.connectors.testing import LocalServer, Response

CLIENT_ID = "kopiena-x-client"
CLIENT_SECRET = "x-client-secret-0123456789abcdef"
REFRESH = "x-refresh-token-1"
USER_ID = "1500000000000000001"


def problem(status: int, title: str, detail: str, **extra) -> Response:
    return Response.json(
        {"title": title, "detail": detail, "type": "about:blank", "status": status, **extra}, status
    )


class FakeX:
    def __init__(self, server: LocalServer):
        self.server = server
        self.refresh_tokens = {REFRESH}
        self.access_tokens: set[str] = set()
        self.tweets: dict[str, dict] = {}
        self.mentions: list[str] = []
        self.media: dict[str, dict] = {}
        self.hidden: dict[str, bool] = {}
        self.codes: dict[str, str] = {}  # code → code_challenge
        self.search_forbidden = False
        self.ids = itertools.count(1860000000000000001)
        self.users = {USER_ID: {"id": USER_ID, "username": "grauzdetava", "name": "Rīgas Grauzdētava",
                                "public_metrics": {"followers_count": 812}}}  # fmt: skip
        server.add("POST", r"/2/oauth2/token", self.token)
        server.add("GET", r"/2/(?P<path>.*)", self.get)
        server.add("POST", r"/2/(?P<path>.*)", self.post)
        server.add("PUT", r"/2/tweets/(?P<id>\d+)/hidden", self.hide)

    def _now(self) -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def token(self, request, match):
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return Response.json(
                {"error": "unauthorized_client", "error_description": "Missing valid authorization header"},
                401,
            )
        form = {k: v[0] for k, v in request.form().items()}
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return Response.json(
                    {
                        "error": "invalid_request",
                        "error_description": "Value passed for the token was invalid.",
                    },
                    400,
                )
            self.refresh_tokens.discard(form["refresh_token"])  # single use
        elif form.get("grant_type") == "authorization_code":
            challenge = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            computed = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            )
            if challenge is None or computed != challenge:
                return Response.json(
                    {
                        "error": "invalid_request",
                        "error_description": "Value passed for the authorization code was invalid.",
                    },
                    400,
                )
        else:
            return Response.json({"error": "unsupported_grant_type"}, 400)
        access, refresh = f"x-access-{next(self.ids)}", f"x-refresh-{next(self.ids)}"
        self.access_tokens.add(access)
        self.refresh_tokens.add(refresh)
        return Response.json({"token_type": "bearer", "expires_in": 7200, "access_token": access,
                              "scope": "tweet.read tweet.write users.read offline.access", "refresh_token": refresh})  # fmt: skip

    def _authorised(self, request) -> bool:
        return request.bearer in self.access_tokens

    def get(self, request, match):
        if not self._authorised(request):
            return problem(401, "Unauthorized", "Unauthorized")
        path = match["path"]
        if path == "users/me":
            return Response.json({"data": self.users[USER_ID]})
        if path == f"users/{USER_ID}/tweets":
            mine = [t for t in self.tweets.values() if t["author_id"] == USER_ID]
            return Response.json(
                self._listing(sorted(mine, key=lambda t: int(t["id"]), reverse=True), request)
            )
        if path == f"users/{USER_ID}/mentions":
            rows = [self.tweets[i] for i in self.mentions]
            return Response.json(self._listing(rows, request))
        if path == "tweets/search/recent":
            if self.search_forbidden:
                return problem(
                    403,
                    "Client Forbidden",
                    "This request must be made using an approved developer account that is enrolled in the requested endpoint.",
                    reason="client-not-enrolled",
                )
            conversation = request.arg("query").removeprefix("conversation_id:")
            rows = [
                t
                for t in self.tweets.values()
                if t.get("conversation_id") == conversation and t["id"] != conversation
            ]
            return Response.json(self._listing(rows, request))
        if path == "tweets":
            ids = request.arg("ids").split(",")
            return Response.json({"data": [
                {**self.tweets[i], "public_metrics": {"like_count": 31, "reply_count": 2, "retweet_count": 5,
                 "quote_count": 1, "bookmark_count": 7, "impression_count": 880}}
                for i in ids if i in self.tweets
            ]})  # fmt: skip
        return problem(404, "Not Found Error", f"Could not find /2/{path}")

    def _listing(self, rows: list[dict], request) -> dict:
        since = request.arg("since_id")
        rows = [r for r in rows if not since or int(r["id"]) > int(since)]
        rows.sort(key=lambda r: int(r["id"]), reverse=True)  # X lists newest first
        body: dict = {"data": rows, "meta": {"result_count": len(rows)}}
        if rows:
            body["meta"].update(newest_id=rows[0]["id"], oldest_id=rows[-1]["id"])
            body["includes"] = {
                "users": [self.users[a] for a in {r["author_id"] for r in rows} if a in self.users]
            }
        else:
            body.pop("data")
        return body

    def post(self, request, match):
        if not self._authorised(request):
            return problem(401, "Unauthorized", "Unauthorized")
        path = match["path"]
        if path == "media/upload":
            media_id = str(next(self.ids))
            category = re.search(rb'name="media_category"\r\n\r\n([a-z_]+)', request.body)
            self.media[media_id] = {
                "category": category.group(1).decode() if category else "",
                "body": request.body,
            }
            return Response.json(
                {"data": {"id": media_id, "media_key": f"3_{media_id}", "size": len(request.body)}}
            )
        if path == "media/metadata":
            body = request.json()
            self.media[body["id"]]["alt_text"] = body["metadata"]["alt_text"]["text"]
            return Response.json({"data": {"id": body["id"], "associated_metadata": body["metadata"]}})
        if path == "tweets":
            body = request.json()
            for tweet in self.tweets.values():
                if tweet["author_id"] == USER_ID and tweet["text"] == body["text"]:
                    return problem(
                        403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
                    )
            return Response.json(
                {
                    "data": {
                        "id": self.add(body["text"], author=USER_ID, **self._extras(body)),
                        "text": body["text"],
                    }
                },
                201,
            )
        return problem(404, "Not Found Error", f"Could not find /2/{path}")

    def _extras(self, body: dict) -> dict:
        extras = {k: body[k] for k in ("poll", "media") if k in body}
        parent = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if parent:
            extras["reply_to"] = parent
        return extras

    def hide(self, request, match):
        if not self._authorised(request):
            return problem(401, "Unauthorized", "Unauthorized")
        self.hidden[match["id"]] = request.json()["hidden"]
        return Response.json({"data": {"hidden": self.hidden[match["id"]]}})

    def add(self, text: str, *, author: str, reply_to: str = "", **extras) -> str:
        tweet_id = str(next(self.ids))
        conversation = self.tweets[reply_to]["conversation_id"] if reply_to in self.tweets else tweet_id
        self.tweets[tweet_id] = {"id": tweet_id, "text": text, "author_id": author, "created_at": self._now(),
                                 "conversation_id": conversation, **extras}  # fmt: skip
        if reply_to:
            self.tweets[tweet_id]["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
        return tweet_id

    def add_user(self, user_id: str, username: str) -> None:
        self.users[user_id] = {"id": user_id, "username": username, "name": username.title(),
                               "public_metrics": {"followers_count": 40}}  # fmt: skip

    def expire_tokens(self) -> None:
        self.access_tokens.clear()

    @staticmethod
    def reset_header(seconds: int) -> dict[str, str]:
        return {
            "x-rate-limit-limit": "300",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(int(time.time()) + seconds),
        }
