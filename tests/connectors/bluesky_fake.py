"""A small fake PDS + AppView speaking the XRPC methods our Bluesky connector calls, shaped after
https://docs.bsky.app (responses written by us from the lexicons), with the behaviours of the real network
that broke the connector once:

* ``appview_lag = True``: a record created through the PDS is invisible to the AppView methods (getPosts,
  getPostThread, searchPosts) until ``catch_up()`` — the real AppView indexes it seconds later; the PDS
  methods (getRecord) see it at once.
* A ``createRecord`` whose record key is taken answers **500 InternalServerError** (not a 4xx).
* Post text over 300 graphemes or over 3000 UTF-8 bytes is refused, each with its own message.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import secrets
import time
from datetime import UTC, datetime, timedelta

from kopiena.connectors.bluesky.richtext import grapheme_count  # segmentation is not what is tested here
from kopiena.connectors.testing import LocalServer, Response

START = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def _error(code: str, message: str, status: int = 400) -> Response:
    return Response.json({"error": code, "message": message}, status)


class FakeBluesky:
    def __init__(self, server: LocalServer, *, password: str, handle: str = "kafija.bsky.social"):
        self.server = server
        self.handle, self.password, self.did = handle, password, "did:plc:kafija0000000000000000"
        self.actors = {self.did: {"did": self.did, "handle": handle, "displayName": "Rīgas Grauzdētava"}}
        self.followers: set[str] = set()
        self.access: set[str] = set()
        self.refresh: set[str] = set()
        self.records: dict[str, dict] = {}  # uri → {"cid", "value", "indexedAt", "likes"}
        self.blobs: dict[str, bytes] = {}
        self.notifications: list[dict] = []
        self.sessions_created = 0
        self.start = START
        self.appview_lag = False
        self.token_age = 0  # seconds: tokens issued now claim to be this old (their iat)
        self.unindexed: set[str] = set()  # created through the PDS, not yet seen by the AppView
        self._clock = itertools.count(1)
        self._rkeys = itertools.count(1)
        x = "/xrpc/"
        routes = {
            ("POST", "com.atproto.server.createSession"): self.create_session,
            ("POST", "com.atproto.server.refreshSession"): self.refresh_session,
            ("GET", "app.bsky.actor.getProfile"): self.authed(self.get_profile),
            ("GET", "com.atproto.identity.resolveHandle"): self.authed(self.resolve_handle),
            ("POST", "com.atproto.repo.createRecord"): self.authed(self.create_record),
            ("GET", "com.atproto.repo.getRecord"): self.authed(self.get_record),
            ("POST", "com.atproto.repo.deleteRecord"): self.authed(self.delete_record),
            ("POST", "com.atproto.repo.uploadBlob"): self.authed(self.upload_blob),
            ("GET", "app.bsky.feed.getPosts"): self.authed(self.get_posts),
            ("GET", "app.bsky.feed.getPostThread"): self.authed(self.get_post_thread),
            ("GET", "app.bsky.notification.listNotifications"): self.authed(self.list_notifications),
            ("GET", "app.bsky.feed.searchPosts"): self.authed(self.search_posts),
        }
        for (method, nsid), handler in routes.items():
            server.add(method, x + nsid.replace(".", r"\."), handler)

    # Helpers for tests -----------------------------------------------------------------------
    def now(self) -> str:
        """Timestamps tick one second per use from ``self.start`` (a test moves it, e.g. past "now")."""
        return (self.start + timedelta(seconds=next(self._clock))).isoformat().replace("+00:00", ".000Z")

    def person(self, handle: str, name: str = "", *, follows: bool = False) -> str:
        did = "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]
        self.actors[did] = {"did": did, "handle": handle, "displayName": name or handle}
        if follows:
            self.followers.add(did)
        return did

    def expire_sessions(self) -> None:
        self.access.clear()

    def revoke_app_password(self) -> None:
        """What Bluesky does when the person deletes the app password: the password and its refresh
        tokens stop working at once; access tokens already issued stay valid until they expire."""
        self.password = None
        self.refresh.clear()

    def catch_up(self) -> None:
        """The AppView indexes everything the PDS has (see ``appview_lag``)."""
        self.unindexed.clear()

    def indexed(self, uri: str) -> bool:
        return uri in self.records and uri not in self.unindexed

    def _put(self, did: str, record: dict, rkey: str = "") -> str:
        uri = f"at://{did}/app.bsky.feed.post/{rkey or 'x' + str(next(self._rkeys))}"
        cid = "bafyrei" + hashlib.sha256(uri.encode()).hexdigest()[:40]
        self.records[uri] = {"cid": cid, "value": record, "indexedAt": self.now(), "likes": 0, "author": did}
        return uri

    def _notify(self, reason: str, uri: str) -> None:
        item = self.records[uri]
        self.notifications.append({"uri": uri, "cid": item["cid"], "author": self.author(item["author"]),
                                   "reason": reason, "record": item["value"], "isRead": False,
                                   "indexedAt": item["indexedAt"]})  # fmt: skip

    def reply(self, parent_uri: str, text: str, *, by: str | None = None) -> str:
        by = by or self.person("viesis.bsky.social", "Viesis")
        parent = self.records[parent_uri]
        root = parent["value"].get("reply", {}).get("root") or {"uri": parent_uri, "cid": parent["cid"]}
        record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": self.now(), "langs": ["lv"],
                  "reply": {"root": root, "parent": {"uri": parent_uri, "cid": parent["cid"]}}}  # fmt: skip
        uri = self._put(by, record)
        if parent["author"] == self.did:
            self._notify("reply", uri)
        return uri

    def mention(self, text: str, *, by: str | None = None) -> str:
        by = by or self.person("viesis.bsky.social", "Viesis")
        full = f"@{self.handle} {text}"
        record = {"$type": "app.bsky.feed.post", "text": full, "createdAt": self.now(),
                  "facets": [{"index": {"byteStart": 0, "byteEnd": len(self.handle) + 1},
                              "features": [{"$type": "app.bsky.richtext.facet#mention", "did": self.did}]}]}  # fmt: skip
        uri = self._put(by, record)
        self._notify("mention", uri)
        return uri

    def post_by(self, did: str, text: str) -> str:
        return self._put(did, {"$type": "app.bsky.feed.post", "text": text, "createdAt": self.now()})

    def like(self, uri: str) -> None:
        self.records[uri]["likes"] += 1
        self.notifications.append({"uri": f"at://x/app.bsky.feed.like/{next(self._rkeys)}", "cid": "c",
                                   "author": self.author(self.person("fan.bsky.social")), "reason": "like",
                                   "record": {}, "indexedAt": self.now()})  # fmt: skip

    def our_posts(self) -> dict[str, dict]:
        return {u: r for u, r in self.records.items() if r["author"] == self.did}

    # Views -----------------------------------------------------------------------------------
    def author(self, did: str) -> dict:
        return {**self.actors[did], "viewer": {"followedBy": f"at://{did}/app.bsky.graph.follow/1"}
                if did in self.followers else {}}  # fmt: skip

    def post_view(self, uri: str) -> dict:
        item = self.records[uri]
        replies = sum(
            1
            for r in self.records.values()
            if r["value"].get("reply", {}).get("parent", {}).get("uri") == uri
        )
        return {"uri": uri, "cid": item["cid"], "author": self.author(item["author"]), "record": item["value"],
                "indexedAt": item["indexedAt"], "likeCount": item["likes"], "repostCount": 0,
                "replyCount": replies, "quoteCount": 0}  # fmt: skip

    def thread(self, uri: str) -> dict:
        children = [
            u
            for u, r in self.records.items()
            if r["value"].get("reply", {}).get("parent", {}).get("uri") == uri and self.indexed(u)
        ]
        return {"$type": "app.bsky.feed.defs#threadViewPost", "post": self.post_view(uri),
                "replies": [self.thread(c) for c in children]}  # fmt: skip

    # Routes ----------------------------------------------------------------------------------
    def _jwt(self, scope: str) -> str:
        """A JWT-shaped token (unsigned here) with the claims a PDS puts in: the connector reads ``iat``."""
        claims = {
            "scope": scope,
            "sub": self.did,
            "iat": int(time.time()) - self.token_age,
            "jti": secrets.token_hex(8),
        }
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJFUzI1NksifQ.{payload}.{secrets.token_urlsafe(16)}"

    def _issue(self) -> Response:
        access, refresh = self._jwt("com.atproto.appPass"), self._jwt("com.atproto.refresh")
        self.access.add(access)
        self.refresh.add(refresh)
        return Response.json(
            {"accessJwt": access, "refreshJwt": refresh, "handle": self.handle, "did": self.did}
        )

    def create_session(self, request, match):
        body = request.json()
        if body.get("identifier") not in (self.handle, self.did) or body.get("password") != self.password:
            # An identifier with "@" is taken for an e-mail address: no such account, the same answer.
            return _error("AuthenticationRequired", "Invalid identifier or password", 401)
        self.sessions_created += 1
        return self._issue()

    def refresh_session(self, request, match):
        if request.bearer not in self.refresh:
            return _error("ExpiredToken", "Token has expired")
        self.refresh.discard(request.bearer)
        return self._issue()

    def authed(self, handler):
        def wrapped(request, match):
            if request.bearer not in self.access:
                return _error("ExpiredToken", "Token has expired")
            return handler(request, match)

        return wrapped

    def get_profile(self, request, match):
        did = request.arg("actor")
        return Response.json({**self.actors[did], "followersCount": len(self.followers)})

    def resolve_handle(self, request, match):
        did = next((d for d, a in self.actors.items() if a["handle"] == request.arg("handle")), None)
        return Response.json({"did": did}) if did else _error("InvalidRequest", "Unable to resolve handle")

    def create_record(self, request, match):
        body = request.json()
        if body["repo"] != self.did:
            return _error("InvalidRequest", "repo mismatch")
        uri = f"at://{self.did}/{body['collection']}/{body.get('rkey', '')}"
        if body.get("rkey") and uri in self.records:
            # What a real PDS answers when the record key is taken (seen against the reference PDS).
            return _error("InternalServerError", "Internal Server Error", 500)
        text = body["record"]["text"]
        size = len(text.encode("utf-8"))
        if size > 3000:  # the lexicon's maxLength counts UTF-8 bytes, checked before maxGraphemes
            return _error(
                "InvalidRequest",
                f"Invalid app.bsky.feed.post record: string too big (maximum 3000, got {size})",
            )
        if grapheme_count(text) > 300:
            return _error(
                "InvalidRequest",
                "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
            )
        uri = self._put(self.did, body["record"], body.get("rkey", ""))
        if self.appview_lag:
            self.unindexed.add(uri)
        return Response.json({"uri": uri, "cid": self.records[uri]["cid"]})

    def get_record(self, request, match):
        uri = f"at://{request.arg('repo')}/{request.arg('collection')}/{request.arg('rkey')}"
        if uri not in self.records:
            return _error("RecordNotFound", f"Could not locate record: {uri}")
        item = self.records[uri]
        return Response.json({"uri": uri, "cid": item["cid"], "value": item["value"]})

    def delete_record(self, request, match):
        body = request.json()
        self.records.pop(f"at://{body['repo']}/{body['collection']}/{body['rkey']}", None)
        return Response.json({})

    def upload_blob(self, request, match):
        link = "bafkrei" + hashlib.sha256(request.body).hexdigest()[:40]
        self.blobs[link] = request.body
        return Response.json({"blob": {"$type": "blob", "ref": {"$link": link},
                                       "mimeType": request.headers.get("content-type"), "size": len(request.body)}})  # fmt: skip

    def get_posts(self, request, match):
        return Response.json({"posts": [self.post_view(u) for u in request.args("uris") if self.indexed(u)]})

    def get_post_thread(self, request, match):
        uri = request.arg("uri")
        if not self.indexed(uri):
            return _error("NotFound", f"Post not found: {uri}")
        return Response.json({"thread": self.thread(uri)})

    def list_notifications(self, request, match):
        newest_first = list(reversed(self.notifications))
        offset, limit = int(request.arg("cursor") or 0), int(request.arg("limit") or 50)
        page = newest_first[offset : offset + limit]
        body = {"notifications": page}
        if offset + limit < len(newest_first):
            body["cursor"] = str(offset + limit)
        return Response.json(body)

    def search_posts(self, request, match):
        query, since = request.arg("q").lower(), request.arg("since")
        hits = [u for u, r in self.records.items() if self.indexed(u) and query in r["value"]["text"].lower()
                and (not since or r["value"]["createdAt"] >= since)]  # fmt: skip
        hits.sort(key=lambda u: self.records[u]["indexedAt"], reverse=True)
        return Response.json({"posts": [self.post_view(u) for u in hits[: int(request.arg("limit") or 25)]]})
