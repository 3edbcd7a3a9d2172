"""A local fake of TikTok's Content Posting API, Display API and OAuth token endpoint, written from TikTok's
documentation (creator info, direct post with FILE_UPLOAD chunks, status fetch, user info, video list and
query, token management). Only what the connector uses; TikTok's ``{"data", "error"}`` envelopes."""

from __future__ import annotations

import itertools
import re
import time

from kopiena.connectors.testing import LocalServer, Response

CLIENT_KEY = "awkafijaclientkey"
CLIENT_SECRET = "tiktok-client-secret-0123456789"
REFRESH = "rft.kafija-refresh-1"
OPEN_ID = "-000kafijaOpenId"


def envelope(data: dict | None = None, *, code: str = "ok", message: str = "", status: int = 200) -> Response:
    return Response.json(
        {"data": data or {}, "error": {"code": code, "message": message, "log_id": "2026120400"}}, status
    )


class FakeTikTok:
    def __init__(self, server: LocalServer):
        self.server = server
        self.refresh_tokens = {REFRESH}
        self.access_tokens: set[str] = set()
        self.codes: set[str] = set()
        self.uploads: dict[str, dict] = {}  # publish id → {"expected", "received", "title", "privacy"}
        self.videos: dict[str, dict] = {}
        self.privacy_options = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
        self.processing_reads = 0  # status reads answering PROCESSING_UPLOAD before completion
        self.fail_reason = ""
        self.ids = itertools.count(7440000000000000001)
        server.add("POST", r"/v2/oauth/token/", self.token)
        server.add("POST", r"/v2/(?P<path>post/publish/.*|video/.*)", self.api)
        server.add("GET", r"/v2/user/info/", self.user)
        server.add("PUT", r"/upload/(?P<publish_id>[\w.~]+)", self.upload)

    def token(self, request, match):
        form = {k: v[0] for k, v in request.form().items()}
        if form.get("client_secret") != CLIENT_SECRET:
            return Response.json(
                {"error": "invalid_client", "error_description": "Client secret is invalid."}, 401
            )
        if form.get("grant_type") == "refresh_token" and form.get("refresh_token") in self.refresh_tokens:
            pass
        elif form.get("grant_type") == "authorization_code" and form.get("code") in self.codes:
            self.codes.discard(form["code"])
        else:
            return Response.json(
                {"error": "invalid_grant", "error_description": "Authorization code is expired."}, 400
            )
        access = f"act.{next(self.ids)}"
        self.access_tokens.add(access)
        return Response.json({"access_token": access, "expires_in": 86400, "open_id": OPEN_ID,
                              "refresh_expires_in": 31536000, "refresh_token": REFRESH,
                              "scope": "user.info.basic,video.publish,video.list", "token_type": "Bearer"})  # fmt: skip

    def _authorised(self, request) -> bool:
        return request.bearer in self.access_tokens

    def user(self, request, match):
        if not self._authorised(request):
            return envelope(
                code="access_token_invalid", message="The access token is invalid or not found.", status=401
            )
        return envelope({"user": {"open_id": OPEN_ID, "display_name": "Rīgas Grauzdētava", "username": "grauzdetava",
                                  "follower_count": 2210, "avatar_url": "https://p16.example/a.jpeg"}})  # fmt: skip

    def api(self, request, match):
        if not self._authorised(request):
            return envelope(
                code="access_token_invalid", message="The access token is invalid or not found.", status=401
            )
        path, body = match["path"], request.json() if request.body else {}
        if path == "post/publish/creator_info/query/":
            return envelope({"creator_username": "grauzdetava", "privacy_level_options": self.privacy_options,
                             "comment_disabled": False, "duet_disabled": True, "stitch_disabled": False,
                             "max_video_post_duration_sec": 600})  # fmt: skip
        if path == "post/publish/video/init/":
            post, source = body.get("post_info") or {}, body.get("source_info") or {}
            if post.get("privacy_level") not in self.privacy_options:
                return envelope(
                    code="privacy_level_option_mismatch",
                    message="privacy_level is not one of the creator's options",
                    status=400,
                )
            size, chunk, count = source["video_size"], source["chunk_size"], source["total_chunk_count"]
            if count != (1 if size <= 64 * 1024 * 1024 else size // chunk):
                return envelope(code="invalid_params", message="total_chunk_count is wrong", status=400)
            publish_id = f"v_pub_file~v2.{next(self.ids)}"
            self.uploads[publish_id] = {"expected": size, "received": 0, "title": post.get("title", ""),
                                        "privacy": post["privacy_level"]}  # fmt: skip
            return envelope(
                {"publish_id": publish_id, "upload_url": self.server.url(f"/upload/{publish_id}")}
            )
        if path == "post/publish/status/fetch/":
            upload = self.uploads.get(body.get("publish_id", ""))
            if upload is None:
                return envelope(code="invalid_publish_id", message="publish_id does not exist", status=400)
            if self.fail_reason:
                return envelope({"status": "FAILED", "fail_reason": self.fail_reason})
            if upload["received"] < upload["expected"]:
                return envelope({"status": "PROCESSING_UPLOAD", "uploaded_bytes": upload["received"]})
            if self.processing_reads:
                self.processing_reads -= 1
                return envelope({"status": "PROCESSING_UPLOAD", "uploaded_bytes": upload["received"]})
            return envelope(
                {"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": [upload["video_id"]]}
            )
        if path == "video/list/":
            rows = sorted(self.videos.values(), key=lambda v: v["create_time"], reverse=True)
            return envelope({"videos": rows, "has_more": False, "cursor": 0})
        if path == "video/query/":
            ids = (body.get("filters") or {}).get("video_ids") or []
            return envelope({"videos": [
                {"id": i, "like_count": 31, "comment_count": 2, "share_count": 5, "view_count": 880}
                for i in ids if i in self.videos
            ]})  # fmt: skip
        return envelope(code="invalid_params", message=f"unknown path {path}", status=404)

    def upload(self, request, match):
        upload = self.uploads.get(match["publish_id"])
        if upload is None:
            return Response.json({}, 404)
        start, end, total = map(
            int, re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", request.headers["content-range"]).groups()
        )
        if total != upload["expected"] or end - start + 1 != len(request.body):
            return Response.json({}, 416)
        upload["received"] = max(upload["received"], end + 1)
        if upload["received"] == upload["expected"] and "video_id" not in upload:
            video_id = str(next(self.ids))
            upload["video_id"] = video_id
            self.videos[video_id] = {"id": video_id, "title": upload["title"], "create_time": int(time.time()),
                                     "share_url": f"https://www.tiktok.com/@grauzdetava/video/{video_id}"}  # fmt: skip
        return Response(status=201, body=b"")
