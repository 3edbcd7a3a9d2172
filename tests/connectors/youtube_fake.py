"""A local fake of the YouTube Data API v3 and Google's token endpoint, written from Google's documentation
(https://developers.google.com/youtube/v3/docs, .../guides/using_resumable_upload_protocol,
https://developers.google.com/identity/protocols/oauth2/web-server). Only what the connector uses."""

from __future__ import annotations

import itertools
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from kopiena.connectors.testing import LocalServer, Request, Response

CLIENT_ID = "1234-kopiena.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-fake-client-secret-7c1e"
REFRESH_TOKEN = "1//fake-refresh-token-9f2d0a"
CHANNEL_ID = "UCkafija000000000000000"
UPLOADS_PLAYLIST = "UUkafija000000000000000"


def google_error(status: int, reason: str, message: str) -> Response:
    """Google's error body (https://developers.google.com/youtube/v3/docs/errors)."""
    body = {"error": {"code": status, "message": message, "errors": [{"reason": reason, "message": message}]}}
    return Response.json(body, status)


@dataclass
class FakeYouTube:
    server: LocalServer = field(default_factory=LocalServer)
    videos: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → comment (top-level or reply)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    thumbnails: dict[str, bytes] = field(default_factory=dict)
    access_tokens: list[str] = field(default_factory=list)
    page_size: int | None = None  # force small pages to test nextPageToken
    clock: datetime = field(default_factory=lambda: datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        s = self.server
        s.add("POST", r"/token", self._token)
        s.add("GET", r"/youtube/v3/channels", self._authed(self._channels))
        s.add("POST", r"/upload/youtube/v3/videos", self._authed(self._upload_start))
        s.add("PUT", r"/upload/youtube/v3/videos", self._authed(self._upload_bytes))
        s.add("POST", r"/upload/youtube/v3/thumbnails/set", self._authed(self._thumbnail))
        s.add("GET", r"/youtube/v3/videos", self._authed(self._videos_list))
        s.add("DELETE", r"/youtube/v3/videos", self._authed(self._videos_delete))
        s.add("GET", r"/youtube/v3/playlistItems", self._authed(self._playlist_items))
        s.add("GET", r"/youtube/v3/commentThreads", self._authed(self._threads))
        s.add("GET", r"/youtube/v3/comments", self._authed(self._comments_list))
        s.add("POST", r"/youtube/v3/comments", self._authed(self._comments_insert))
        s.add("POST", r"/youtube/v3/comments/setModerationStatus", self._authed(self._moderate))

    def __enter__(self) -> FakeYouTube:
        self.server.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()

    @property
    def base_url(self) -> str:
        return self.server.base_url

    # Helpers ---------------------------------------------------------------------------------
    def _now(self) -> str:
        self.clock += timedelta(seconds=1)
        return self.clock.isoformat().replace("+00:00", "Z")

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}"

    def _authed(self, handler):
        def wrapped(request: Request, match):
            if not request.bearer or request.bearer not in self.access_tokens:
                return google_error(401, "authError", "Invalid Credentials")
            return handler(request, match)

        return wrapped

    def add_comment(self, video_id: str, text: str, *, author: str = "Anna", parent_id: str = "") -> str:
        comment_id = f"{parent_id}.{self._id('r')}" if parent_id else self._id("Ug")
        self.comments[comment_id] = {
            "kind": "youtube#comment",
            "id": comment_id,
            "videoId": video_id,
            "moderationStatus": "published",
            "snippet": {
                "videoId": video_id,
                "textDisplay": text,
                "textOriginal": text,
                "authorDisplayName": f"@{author.lower()}",
                "authorChannelUrl": f"http://www.youtube.com/@{author.lower()}",
                "authorChannelId": {"value": f"UC{author.lower()}"},
                "publishedAt": self._now(),
                **({"parentId": parent_id} if parent_id else {}),
            },
        }
        return comment_id

    # Handlers --------------------------------------------------------------------------------
    def _token(self, request: Request, match) -> Response:
        # https://developers.google.com/identity/protocols/oauth2/web-server#offline
        form = {k: v[0] for k, v in request.form().items()}
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return Response.json({"error": "invalid_client", "error_description": "Unauthorized"}, 401)
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") != REFRESH_TOKEN:
                return Response.json(
                    {"error": "invalid_grant", "error_description": "Token has been revoked."}, 400
                )
            refresh = None
        elif form.get("grant_type") == "authorization_code" and form.get("code") == "good-code":
            refresh = REFRESH_TOKEN
        else:
            return Response.json({"error": "invalid_grant", "error_description": "Bad Request"}, 400)
        token = f"ya29.fake-{secrets.token_hex(8)}"
        self.access_tokens.append(token)
        body = {
            "access_token": token,
            "expires_in": 3599,
            "scope": "youtube.force-ssl",
            "token_type": "Bearer",
        }
        if refresh:
            body["refresh_token"] = refresh
        return Response.json(body)

    def _channels(self, request: Request, match) -> Response:
        if request.arg("mine") != "true":
            return google_error(400, "missingRequiredParameter", "No filter selected.")
        channel = {
            "kind": "youtube#channel",
            "id": CHANNEL_ID,
            "snippet": {"title": "Kafija Rīga", "customUrl": "@kafijariga", "thumbnails": {}},
            "contentDetails": {"relatedPlaylists": {"uploads": UPLOADS_PLAYLIST}},
            "statistics": {"subscriberCount": "1200", "hiddenSubscriberCount": False},
        }
        return Response.json({"kind": "youtube#channelListResponse", "items": [channel]})

    def _upload_start(self, request: Request, match) -> Response:
        if request.arg("uploadType") != "resumable":
            return google_error(400, "badRequest", "uploadType must be resumable")
        metadata = request.json() or {}
        title = (metadata.get("snippet") or {}).get("title", "")
        if not title or len(title) > 100 or "<" in title or ">" in title:
            return google_error(400, "invalidTitle", "The request metadata specifies an invalid video title.")
        upload_id = secrets.token_hex(6)
        self.sessions[upload_id] = {
            "metadata": metadata,
            "length": int(request.headers.get("x-upload-content-length") or -1),
            "parts": request.arg("part"),
        }
        location = f"{self.base_url}/upload/youtube/v3/videos?uploadType=resumable&upload_id={upload_id}"
        return Response(200, b"", {"Location": location})

    def _upload_bytes(self, request: Request, match) -> Response:
        session = self.sessions.get(request.arg("upload_id"))
        if session is None:
            return google_error(404, "notFound", "Upload session not found.")
        if session["length"] not in (-1, len(request.body)):
            return google_error(400, "badContent", "Length mismatch.")
        video_id = self._id("vid")
        snippet = {**session["metadata"]["snippet"], "publishedAt": self._now(), "channelId": CHANNEL_ID}
        video = {
            "kind": "youtube#video",
            "id": video_id,
            "snippet": snippet,
            "status": {**session["metadata"].get("status", {}), "uploadStatus": "uploaded"},
            "statistics": {"viewCount": "0", "likeCount": "0", "commentCount": "0"},
            "bytes": len(request.body),
        }
        self.videos[video_id] = video
        return Response.json({k: v for k, v in video.items() if k != "bytes"}, 201)

    def _thumbnail(self, request: Request, match) -> Response:
        video_id = request.arg("videoId")
        if video_id not in self.videos:
            return google_error(404, "videoNotFound", "The video could not be found.")
        self.thumbnails[video_id] = request.body
        return Response.json({"kind": "youtube#thumbnailSetResponse", "items": [{"default": {"url": "x"}}]})

    def _videos_list(self, request: Request, match) -> Response:
        ids = [i for i in request.arg("id").split(",") if i]
        items = []
        for video_id in ids:
            if video_id in self.videos:
                video = self.videos[video_id]
                count = sum(
                    1
                    for c in self.comments.values()
                    if c["videoId"] == video_id and c["moderationStatus"] == "published"
                )
                video["statistics"]["commentCount"] = str(count)
                items.append({k: v for k, v in video.items() if k != "bytes"})
        return Response.json({"kind": "youtube#videoListResponse", "items": items})

    def _videos_delete(self, request: Request, match) -> Response:
        if self.videos.pop(request.arg("id"), None) is None:
            return google_error(404, "videoNotFound", "The video could not be found.")
        return Response(204)

    def _playlist_items(self, request: Request, match) -> Response:
        if request.arg("playlistId") != UPLOADS_PLAYLIST:
            return google_error(404, "playlistNotFound", "Playlist not found.")
        newest = sorted(self.videos.values(), key=lambda v: v["snippet"]["publishedAt"], reverse=True)
        items = [
            {
                "kind": "youtube#playlistItem",
                "snippet": {
                    "title": v["snippet"]["title"],
                    "description": v["snippet"]["description"],
                    "publishedAt": v["snippet"]["publishedAt"],
                    "resourceId": {"kind": "youtube#video", "videoId": v["id"]},
                },
            }
            for v in newest[: int(request.arg("maxResults", "5"))]
        ]
        return Response.json({"kind": "youtube#playlistItemListResponse", "items": items})

    def _visible(self, comment: dict[str, Any]) -> bool:
        return comment["moderationStatus"] == "published"

    def _page(self, request: Request, rows: list[Any]) -> tuple[list[Any], str]:
        size = self.page_size or int(request.arg("maxResults", "20"))
        start = int(request.arg("pageToken") or 0)
        token = str(start + size) if start + size < len(rows) else ""
        return rows[start : start + size], token

    def _threads(self, request: Request, match) -> Response:
        video_id = request.arg("videoId")
        if video_id not in self.videos:
            return google_error(404, "videoNotFound", "The video could not be found.")
        tops = [
            c
            for c in self.comments.values()
            if c["videoId"] == video_id and "." not in c["id"] and self._visible(c)
        ]
        tops.sort(key=lambda c: c["snippet"]["publishedAt"], reverse=True)  # order=time: newest first
        page, token = self._page(request, tops)
        items = []
        for top in page:
            replies = [
                c for c in self.comments.values() if c["id"].startswith(top["id"] + ".") and self._visible(c)
            ]
            thread = {
                "kind": "youtube#commentThread",
                "id": top["id"],
                "snippet": {"videoId": video_id, "topLevelComment": top, "totalReplyCount": len(replies)},
            }
            if replies:  # like YouTube, the thread carries only a few replies
                thread["replies"] = {"comments": replies[:2]}
            items.append(thread)
        body = {"kind": "youtube#commentThreadListResponse", "items": items}
        if token:
            body["nextPageToken"] = token
        return Response.json(body)

    def _comments_list(self, request: Request, match) -> Response:
        parent = request.arg("parentId")
        rows = [c for c in self.comments.values() if c["id"].startswith(parent + ".") and self._visible(c)]
        page, token = self._page(request, rows)
        body: dict[str, Any] = {"kind": "youtube#commentListResponse", "items": page}
        if token:
            body["nextPageToken"] = token
        return Response.json(body)

    def _comments_insert(self, request: Request, match) -> Response:
        snippet = (request.json() or {}).get("snippet") or {}
        parent = self.comments.get(snippet.get("parentId", ""))
        if parent is None or "." in parent["id"]:
            return google_error(400, "invalidCommentMetadata", "parentId must be a top-level comment.")
        if not (snippet.get("textOriginal") or "").strip():
            return google_error(400, "commentTextRequired", "The comment must contain text.")
        reply_id = f"{parent['id']}.{self._id('r')}"
        self.comments[reply_id] = {
            "kind": "youtube#comment",
            "id": reply_id,
            "videoId": parent["videoId"],
            "moderationStatus": "published",
            "snippet": {
                "videoId": parent["videoId"],
                "textOriginal": snippet["textOriginal"],
                "textDisplay": snippet["textOriginal"],
                "parentId": parent["id"],
                "authorDisplayName": "@kafijariga",
                "authorChannelId": {"value": CHANNEL_ID},
                "publishedAt": self._now(),
            },
        }
        return Response.json(self.comments[reply_id])

    def _moderate(self, request: Request, match) -> Response:
        status = request.arg("moderationStatus")
        if status not in ("heldForReview", "published", "rejected"):
            return google_error(400, "invalidModerationStatus", "Bad moderation status.")
        comment = self.comments.get(request.arg("id"))
        if comment is None:
            return google_error(404, "commentNotFound", "The comment could not be found.")
        if comment["moderationStatus"] == "rejected" and status == "published":
            # "You can't change the moderation status of a rejected comment to published."
            return google_error(
                400, "invalidModerationStatus", "A rejected comment cannot be published again."
            )
        comment["moderationStatus"] = status
        return Response(204)


def dump(data: Any) -> bytes:
    return json.dumps(data).encode()
