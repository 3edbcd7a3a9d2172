"""A local fake of LinkedIn's Community Management API and OAuth token endpoint, written from Microsoft's
documentation (posts, images, comments, share statistics, organisations, network sizes, organisation ACLs,
authorization code flow). Only what the connector uses; LinkedIn's error bodies and headers."""

from __future__ import annotations

import itertools
import json
import time
from urllib.parse import unquote

from kopiena.connectors.testing import LocalServer, Response

TOKEN = "AQXfakeLinkedInMemberTokenZm9vYmFy"
ORG_ID = "2414183"
ORG = f"urn:li:organization:{ORG_ID}"
CLIENT_ID = "78kafijaclient"
CLIENT_SECRET = "linkedin-client-secret-0123456789"
REFRESH = "AQWfakeRefreshToken"


def li_error(status: int, code: str, message: str, service_code: int = 0) -> Response:
    body = {"status": status, "code": code, "message": message}
    if service_code:
        body["serviceErrorCode"] = service_code
    return Response.json(body, status)


class FakeLinkedIn:
    def __init__(self, server: LocalServer):
        self.server = server
        self.tokens = {TOKEN}
        self.posts: dict[str, dict] = {}
        self.comments: dict[str, list[dict]] = {}  # post urn → comments (any level)
        self.uploads: dict[str, bytes] = {}
        self.codes: set[str] = set()
        self.ids = itertools.count(7000000000000000001)
        server.add("GET", r"/rest/(?P<path>.*)", self.get)
        server.add("POST", r"/rest/(?P<path>.*)", self.post)
        server.add("PUT", r"/dms-uploads/(?P<image>.*)", self.upload)
        server.add("POST", r"/oauth/v2/accessToken", self.token)

    def _check(self, request) -> Response | None:
        if request.bearer not in self.tokens:
            return li_error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
        if request.headers.get("x-restli-protocol-version") != "2.0.0" or not request.headers.get(
            "linkedin-version"
        ):
            return li_error(426, "NONEXISTENT_VERSION", "Requested version is not active")
        return None

    def token(self, request, match):
        form = {k: v[0] for k, v in request.form().items()}
        if form.get("client_secret") != CLIENT_SECRET:
            return Response.json(
                {"error": "invalid_client", "error_description": "Client authentication failed"}, 401
            )
        if form.get("grant_type") == "refresh_token" and form.get("refresh_token") == REFRESH:
            token = f"AQXrefreshed{next(self.ids)}"
        elif form.get("grant_type") == "authorization_code" and form.get("code") in self.codes:
            self.codes.discard(form["code"])
            token = f"AQXfromcode{next(self.ids)}"
        else:
            return Response.json(
                {"error": "invalid_grant", "error_description": "Invalid authorization code"}, 400
            )
        self.tokens.add(token)
        return Response.json({"access_token": token, "expires_in": 5183999, "refresh_token": REFRESH,
                              "refresh_token_expires_in": 31535999, "scope": "r_organization_social"})  # fmt: skip

    def upload(self, request, match):
        if request.bearer not in self.tokens:
            return li_error(401, "INVALID_ACCESS_TOKEN", "Invalid access token")
        self.uploads[unquote(match["image"])] = request.body
        return Response.json({}, 201)

    def get(self, request, match):
        refused = self._check(request)
        if refused:
            return refused
        path = unquote(match["path"])
        if path == f"organizations/{ORG_ID}":
            return Response.json(
                {"id": int(ORG_ID), "localizedName": "Rīgas Grauzdētava", "vanityName": "grauzdetava"}
            )
        if path == f"networkSizes/{ORG}":
            return Response.json({"firstDegreeSize": 1543})
        if path == "organizationAcls":
            return Response.json(
                {"elements": [{"organization": ORG, "role": "ADMINISTRATOR", "state": "APPROVED"}]}
            )
        if path == "posts" and request.arg("q") == "author":
            rows = sorted(self.posts.values(), key=lambda p: p["createdAt"], reverse=True)
            return Response.json({"elements": [r for r in rows if r["author"] == request.arg("author")]})
        if path.startswith("socialActions/") and path.endswith("/comments"):
            target = path.removeprefix("socialActions/").removesuffix("/comments")
            return Response.json(
                {"elements": [c for c in self.comments.get(target, []) if "parentComment" not in c]}
            )
        if path == "organizationalEntityShareStatistics":
            raw = request.arg("shares")
            urns = [unquote(u) for u in raw.removeprefix("List(").removesuffix(")").split(",") if u]
            return Response.json({"elements": [
                {"share": u, "organizationalEntity": ORG, "totalShareStatistics": {
                    "impressionCount": 880, "likeCount": 31, "commentCount": 2, "shareCount": 5, "clickCount": 9}}
                for u in urns if u in self.posts
            ]})  # fmt: skip
        return li_error(404, "NOT_FOUND", f"Not found: /rest/{path}")

    def post(self, request, match):
        refused = self._check(request)
        if refused:
            return refused
        path, body = unquote(match["path"]), request.json()
        if path == "posts":
            missing = [
                f
                for f in ("author", "commentary", "visibility", "distribution", "lifecycleState")
                if f not in body
            ]
            if missing:
                return li_error(
                    422,
                    "UNPROCESSABLE_ENTITY",
                    "".join(f"ERROR :: /{f} :: field is required\n" for f in missing),
                )
            for urn, post in self.posts.items():
                if post["commentary"] == body["commentary"] and post.get("content") == body.get("content"):
                    return li_error(422, "UNPROCESSABLE_ENTITY", f"Content is a duplicate of {urn}", 65200)
            urn = f"urn:li:share:{next(self.ids)}"
            self.posts[urn] = {**body, "id": urn, "createdAt": int(time.time() * 1000)}
            return Response(status=201, body=b"", headers={"x-restli-id": urn})
        if path == "images" and request.arg("action") == "initializeUpload":
            image = f"urn:li:image:C4E10AQ{next(self.ids)}"
            return Response.json({"value": {"uploadUrlExpiresAt": 1767225600000, "image": image,
                                            "uploadUrl": self.server.url(f"/dms-uploads/{image}")}})  # fmt: skip
        if path.startswith("socialActions/") and path.endswith("/comments"):
            target = path.removeprefix("socialActions/").removesuffix("/comments")
            post_urn = body.get("object", target).replace("urn:li:activity:", "urn:li:share:")
            comment_id = str(next(self.ids))
            activity = post_urn.replace("urn:li:share:", "urn:li:activity:")
            comment = {"actor": body["actor"], "object": post_urn, "message": body["message"], "id": comment_id,
                       "commentUrn": f"urn:li:comment:({activity},{comment_id})",
                       "created": {"time": int(time.time() * 1000)}}  # fmt: skip
            if body.get("parentComment"):
                comment["parentComment"] = body["parentComment"]
            self.comments.setdefault(post_urn, []).append(comment)
            return Response(status=201, body=json.dumps(comment).encode(), headers={"x-restli-id": comment_id,
                            "content-type": "application/json"})  # fmt: skip
        return li_error(404, "NOT_FOUND", f"Not found: /rest/{path}")

    def add_comment(self, post_urn: str, text: str, *, actor: str = "urn:li:person:anna123") -> str:
        comment_id = str(next(self.ids))
        activity = post_urn.replace("urn:li:share:", "urn:li:activity:")
        urn = f"urn:li:comment:({activity},{comment_id})"
        self.comments.setdefault(post_urn, []).append(
            {"actor": actor, "object": post_urn, "message": {"text": text}, "id": comment_id, "commentUrn": urn,
             "created": {"time": int(time.time() * 1000) + len(self.comments.get(post_urn, []))}}
        )  # fmt: skip
        return urn
