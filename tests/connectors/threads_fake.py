"""A local fake of the Threads API (graph.threads.net v1.0), written from Meta's Threads documentation
(https://developers.facebook.com/docs/threads: posts, reply management, mentions, insights, publishing
limit, access tokens). Only what the connector uses; Graph-style error objects."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from kopiena.connectors.testing import LocalServer, Response

TOKEN = "THAAfakeLongLivedThreadsTokenZm9v"
USER_ID = "26000000000000001"
APP_ID = "990000000000001"
APP_SECRET = "threads-app-secret-0123456789abcdef"
V = r"/v1\.0"


def graph_error(message: str, code: int, status: int = 400, subcode: int = 0) -> Response:
    error = {"message": message, "type": "OAuthException" if code == 190 else "THApiException", "code": code}
    if subcode:
        error["error_subcode"] = subcode
    return Response.json({"error": {**error, "fbtrace_id": "AbCdEf"}}, status)


class FakeThreads:
    """Containers with a status, publishing, the profile's threads, conversations, mentions, insights."""

    def __init__(self, server: LocalServer):
        self.server = server
        self.tokens = {TOKEN}
        self.containers: dict[str, dict] = {}
        self.posts: dict[str, dict] = {}
        self.replies: dict[str, list[dict]] = {}  # root post id → replies (any depth)
        self.mentions: list[dict] = []
        self.hidden: dict[str, bool] = {}
        self.quota_usage = 3
        self.reply_quota_usage = 0
        self.processing_polls = 0
        self.fail_processing = ""
        self.codes: dict[str, str] = {}  # authorization code → user id
        self.ids = itertools.count(18000000000000001)
        self.clock = itertools.count()
        server.add("GET", rf"{V}/(?P<path>.*)", self.get)
        server.add("POST", rf"{V}/(?P<path>.*)", self.post)
        server.add("POST", r"/oauth/access_token", self.token_from_code)
        server.add("POST", r"/access_token", self.long_lived)
        server.add("GET", r"/refresh_access_token", self.refresh)

    def now(self) -> str:
        moment = datetime.now(UTC) - timedelta(seconds=600) + timedelta(seconds=next(self.clock))
        return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")

    def _authorised(self, request) -> bool:
        return (request.bearer or request.arg("access_token")) in self.tokens

    # Tokens ---------------------------------------------------------------------------------
    def token_from_code(self, request, match):
        form = {k: v[0] for k, v in request.form().items()}
        user = self.codes.pop(form.get("code", ""), None)
        if form.get("client_secret") != APP_SECRET or user is None:
            return graph_error("Invalid verification code format.", 100)
        short = f"THshort{next(self.ids)}"
        self.tokens.add(short)
        return Response.json({"access_token": short, "user_id": user})

    def long_lived(self, request, match):
        form = {k: v[0] for k, v in request.form().items()}
        if form.get("client_secret") != APP_SECRET or form.get("access_token") not in self.tokens:
            return graph_error("Invalid OAuth access token.", 190)
        token = f"THlong{next(self.ids)}"
        self.tokens.add(token)
        return Response.json({"access_token": token, "token_type": "bearer", "expires_in": 5183944})

    def refresh(self, request, match):
        if not self._authorised(request):
            return graph_error("Invalid OAuth access token.", 190)
        token = f"THrefreshed{next(self.ids)}"
        self.tokens.add(token)
        return Response.json({"access_token": token, "token_type": "bearer", "expires_in": 5183944})

    # Graph ----------------------------------------------------------------------------------
    def get(self, request, match):
        if not self._authorised(request):
            return graph_error("Invalid OAuth access token.", 190)
        path = match["path"]
        if path == "me":
            return Response.json({"id": USER_ID, "username": "grauzdetava", "name": "Rīgas Grauzdētava",
                                  "threads_profile_picture_url": "https://scontent.example/p.jpg"})  # fmt: skip
        if path == f"{USER_ID}/threads_publishing_limit":
            return Response.json({"data": [{
                "quota_usage": self.quota_usage, "config": {"quota_total": 250, "quota_duration": 86400},
                "reply_quota_usage": self.reply_quota_usage,
                "reply_config": {"quota_total": 1000, "quota_duration": 86400},
            }]})  # fmt: skip
        if path == f"{USER_ID}/threads":
            return Response.json(
                {"data": sorted(self.posts.values(), key=lambda p: p["timestamp"], reverse=True)}
            )
        if path == f"{USER_ID}/mentions":
            return Response.json({"data": list(reversed(self.mentions))})
        if path in self.containers:
            container = self.containers[path]
            if self.fail_processing:
                return Response.json({"id": path, "status": "ERROR", "error_message": self.fail_processing})
            if self.processing_polls and container["status"] == "IN_PROGRESS":
                self.processing_polls -= 1
                return Response.json({"id": path, "status": "IN_PROGRESS"})
            if container["status"] == "IN_PROGRESS":
                container["status"] = "FINISHED"
            return Response.json({"id": path, "status": container["status"]})
        if path.endswith("/conversation"):
            replies = self.replies.get(path.removesuffix("/conversation"), [])
            reverse = request.arg("reverse", "true") == "true"
            return Response.json({"data": list(reversed(replies)) if reverse else list(replies)})
        if path.endswith("/insights") and path.removesuffix("/insights") in self.posts:
            names = request.arg("metric").split(",")
            values = {"views": 880, "likes": 31, "replies": 2, "reposts": 5, "quotes": 1, "shares": 3}
            return Response.json({"data": [
                {"name": n, "period": "lifetime", "values": [{"value": values[n]}], "id": f"{path}/{n}"}
                for n in names if n in values
            ]})  # fmt: skip
        return graph_error("Unsupported get request.", 100, subcode=33)

    def post(self, request, match):
        if not self._authorised(request):
            return graph_error("Invalid OAuth access token.", 190)
        path, form = match["path"], {k: v[0] for k, v in request.form().items()}
        if path == f"{USER_ID}/threads":
            if form.get("media_type") == "TEXT" and not form.get("text"):
                return graph_error("The parameter text is required for TEXT posts.", 100)
            container_id = str(next(self.ids))
            self.containers[container_id] = {**form, "status": "IN_PROGRESS"}
            return Response.json({"id": container_id})
        if path == f"{USER_ID}/threads_publish":
            container = self.containers.get(form.get("creation_id", ""))
            if container is None or container["status"] != "FINISHED":
                return graph_error(
                    "The media is not ready for publishing, please wait for a moment", 24, 400, 4279009
                )
            container["status"] = "PUBLISHED"
            media_id = str(next(self.ids))
            row = {"id": media_id, "text": container.get("text", ""), "timestamp": self.now(), "username": "grauzdetava",
                   "permalink": f"https://www.threads.net/@grauzdetava/post/{media_id}"}  # fmt: skip
            parent = container.get("reply_to_id")
            if parent:
                root = next(
                    (r for r, rows in self.replies.items() if any(x["id"] == parent for x in rows)), parent
                )
                self.replies.setdefault(root, []).append(
                    {**row, "replied_to": {"id": parent}, "is_reply_owned_by_me": True}
                )
            else:
                self.posts[media_id] = row
            return Response.json({"id": media_id})
        if path.endswith("/manage_reply"):
            reply_id = path.removesuffix("/manage_reply")
            self.hidden[reply_id] = form.get("hide") == "true"
            return Response.json({"success": True})
        return graph_error("Unsupported post request.", 100)

    # Test helpers ---------------------------------------------------------------------------
    def add_reply(self, post_id: str, text: str, *, username: str = "anna_b", parent: str = "") -> str:
        reply_id = str(next(self.ids))
        self.replies.setdefault(post_id, []).append(
            {"id": reply_id, "text": text, "timestamp": self.now(), "username": username,
             "permalink": f"https://www.threads.net/@{username}/post/{reply_id}",
             "replied_to": {"id": parent or post_id}, "is_reply_owned_by_me": False, "hide_status": "NOT_HUSHED"}
        )  # fmt: skip
        return reply_id

    def add_mention(self, text: str, *, username: str = "liga_o") -> None:
        mention_id = str(next(self.ids))
        self.mentions.append({"id": mention_id, "text": text, "timestamp": self.now(), "username": username,
                              "permalink": f"https://www.threads.net/@{username}/post/{mention_id}"})  # fmt: skip
