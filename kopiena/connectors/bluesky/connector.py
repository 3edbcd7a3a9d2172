"""Bluesky (any PDS) over XRPC with httpx through our guarded client.

We don't use the ``atproto`` SDK: it is not installed, and its retries/exceptions would sit between
us and the error taxonomy. Sessions: a handle + app password makes a session (createSession is
rate-limited hard — about 300 a day — so the tokens are handed back through ``updated_secrets`` for
the caller to store); an expired access token is refreshed once per call.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from kopiena.connectors.base import ConnectKind, Connector
from kopiena.connectors.bluesky import constants as api
from kopiena.connectors.bluesky import mappers
from kopiena.connectors.bluesky.richtext import facets, grapheme_count
from kopiena.connectors.bluesky.tid import tid_for
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.errors import (
    AccountDisconnected,
    AuthExpired,
    ConnectorError,
    ContentRejected,
    OutcomeUnknown,
    PermanentError,
    RateLimited,
)
from kopiena.connectors.types import (
    AccountInfo,
    AccountStats,
    ItemKind,
    Limits,
    MediaItem,
    Metrics,
    Page,
    PostDraft,
    PublishResult,
    ValidationProblem,
)

_EXPIRED = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"}
_GONE = {"AccountTakedown", "AccountDeactivated", "AccountNotFound", "RepoNotFound", "RepoTakendown"}
_NOT_FOUND = {"RecordNotFound", "NotFound", "PostNotFound"}
_SESSION_KEYS = ("access_jwt", "refresh_jwt", "did", "handle")


def _issued_at(token: str) -> float | None:
    """The ``iat`` claim of a JWT (read, not verified: it only decides when to refresh), or None."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["iat"])
    except (IndexError, ValueError, KeyError, TypeError):  # binascii.Error is a ValueError
        return None


def compose_text(draft: PostDraft) -> str:
    if draft.link and draft.link not in draft.text:
        return f"{draft.text.rstrip()}\n\n{draft.link}"
    return draft.text


class BlueskyConnector(Connector):
    key = "bluesky"
    name = "Bluesky"
    docs_url = "https://docs.bsky.app/"
    connect = ConnectKind.APP_PASSWORD
    credential_fields = ("identifier", "app_password")  # session tokens are added by updated_secrets()
    default_base_url = api.DEFAULT_SERVICE
    capabilities = frozenset(
        {
            Capability.ACCOUNT_STATS,
            Capability.PUBLISH,
            Capability.PUBLISH_MEDIA,
            Capability.THREADS,
            Capability.QUOTE,
            Capability.IDEMPOTENT_PUBLISH,
            Capability.READ_COMMENTS,
            Capability.READ_MENTIONS,
            Capability.REPLY,
            Capability.DELETE,
            Capability.SEARCH,
            Capability.METRICS,
            Capability.RECONCILE,
        }
    )  # No HIDE (a thread gate cannot hide one reply), no polls, no free-text content warnings.
    limits = Limits(
        max_text_length=api.MAX_GRAPHEMES,
        max_media=api.MAX_IMAGES,
        max_image_bytes=api.MAX_IMAGE_BYTES,
        media_mime_types=api.IMAGE_TYPES,
        max_alt_text_length=api.MAX_ALT_TEXT,
    )
    requests_per_second = 5.0  # 3000 requests / 5 minutes per IP
    burst = 50
    session_check_seconds = 600  # see _call: how soon a revoked app password is noticed
    clock = staticmethod(time.time)

    def __init__(self, credentials, **kwargs):
        super().__init__(credentials, **kwargs)
        self._session = {k: credentials.secret(k) for k in _SESSION_KEYS if credentials.secret(k)}
        self._changed: dict[str, str] = {}
        self._handles: dict[str, str | None] = {}
        # Strong refs (uri + cid, and the thread root) of the records this connector created: the next
        # part of a thread answers the previous one at once, before the AppView has indexed it.
        self._created: dict[str, dict[str, Any]] = {}

    def updated_secrets(self) -> dict[str, str]:
        return dict(self._changed)

    # Sessions -------------------------------------------------------------------------------
    def map_error(self, response, words: str):
        try:
            code = response.json().get("error", "")
        except (ValueError, AttributeError):
            code = ""
        if code in _EXPIRED:
            return AuthExpired(
                f"Bluesky session expired: {words}", platform_message=words, status=response.status_code
            )
        if code in _GONE:
            return AccountDisconnected(
                f"The Bluesky account cannot be used: {words}",
                platform_message=words,
                status=response.status_code,
            )
        if code in _NOT_FOUND:
            return PermanentError(f"Not found on Bluesky: {words}", platform_message=words, status=404)
        return None

    def _store_session(self, body: dict[str, Any]) -> None:
        session = {
            "access_jwt": body["accessJwt"],
            "refresh_jwt": body["refreshJwt"],
            "did": body["did"],
            "handle": body.get("handle", ""),
        }
        for value in session.values():
            self.http.add_secret(value)
        self._session.update(session)
        self._changed.update(session)

    def _identifier(self) -> str:
        # People copy the handle as Bluesky shows it, "@kafija.bsky.social"; the PDS takes an identifier
        # with "@" for an e-mail address and answers "Invalid identifier or password".
        return self.credentials.secret("identifier").strip().removeprefix("@")

    def _create_session(self) -> None:
        try:
            body = self.http.post(
                api.CREATE_SESSION,
                json={"identifier": self._identifier(), "password": self.credentials.secret("app_password")},
                idempotent=True,  # a second session is harmless
            ).json()
        except (AuthExpired, ContentRejected) as exc:
            words = exc.platform_message or "no reason given"
            raise AccountDisconnected(
                f"Bluesky refused the handle or app password ({words}). Check both, or create a new app "
                "password, and connect the account again.",
                platform_message=exc.platform_message,
                status=exc.status,
            ) from None
        self._store_session(body)

    def _session_check_due(self) -> bool:
        """Whether the PDS issued the stored access token over ``session_check_seconds`` ago (its JWT
        ``iat``). A token that is not a readable JWT is only refreshed when the PDS refuses it."""
        issued = _issued_at(self._session.get("access_jwt", ""))
        return issued is not None and self.clock() - issued >= self.session_check_seconds

    def _refresh_session(self) -> None:
        refresh = self._session.get("refresh_jwt")
        if not refresh:
            self._create_session()
            return
        try:
            body = self.http.post(
                api.REFRESH_SESSION, headers={"Authorization": f"Bearer {refresh}"}, idempotent=True
            ).json()
        except (AuthExpired, ContentRejected):
            self._create_session()  # the refresh token expired too: start over with the app password
            return
        self._store_session(body)

    def _call(self, method: str, path: str, **kwargs):
        """An authenticated XRPC call; an expired session is refreshed ONCE and the call repeated
        (safe: the PDS refused the first attempt, so nothing was applied)."""
        if not self._session.get("access_jwt"):
            self._create_session()
        elif self._session_check_due():
            # Revoking an app password revokes its refresh tokens, but access tokens stay valid until they
            # expire (about 2 hours of posting and reading). Refreshing every few minutes notices it: the
            # refresh fails, so does the app password, and the account is marked for reconnecting with
            # what Bluesky said.
            self._refresh_session()
        for attempt in (1, 2):
            headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {self._session['access_jwt']}"}
            try:
                return self.http.request(method, path, headers=headers, **kwargs)
            except AuthExpired:
                if attempt == 2:
                    raise
                self._refresh_session()
                kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
        raise AssertionError("unreachable")

    @property
    def did(self) -> str:
        if not self._session.get("did"):
            self._create_session()
        return self._session["did"]

    # Account --------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        profile = self._call("GET", api.GET_PROFILE, params={"actor": self.did}).json()
        return mappers.account_info(profile)

    # Publishing -----------------------------------------------------------------------------
    def text_as_sent(self, draft: PostDraft) -> str:
        return compose_text(draft)

    def text_length(self, draft: PostDraft) -> int:
        return grapheme_count(compose_text(draft))

    def validate(self, draft: PostDraft) -> list[ValidationProblem]:
        problems = super().validate(draft)
        size = len(compose_text(draft).encode("utf-8"))
        if (
            size > api.MAX_TEXT_BYTES
        ):  # the PDS checks both limits; emoji and non-Latin letters are 2-25 bytes
            problems.append(
                ValidationProblem(
                    "text", "too_many_bytes",
                    f"The text is {size} bytes long; Bluesky allows {api.MAX_TEXT_BYTES} bytes as well as "
                    f"{api.MAX_GRAPHEMES} characters (emoji and non-Latin letters take several bytes each).",
                    api.MAX_TEXT_BYTES,
                )
            )  # fmt: skip
        return problems

    def publish(self, draft: PostDraft) -> PublishResult:
        self.ensure_valid(draft)
        text = compose_text(draft)
        record: dict[str, Any] = {
            "$type": api.POST_COLLECTION,
            "text": text,
            "createdAt": mappers.iso_now(),
        }
        if draft.language:
            record["langs"] = [draft.language]
        rich = facets(text, self._resolve_handle)
        if rich:
            record["facets"] = rich
        if draft.reply_to:
            record["reply"] = self._reply_refs(draft.reply_to)
        embed = self._embed(draft)
        if embed:
            record["embed"] = embed
        body: dict[str, Any] = {"repo": self.did, "collection": api.POST_COLLECTION, "record": record}
        if draft.idempotency_key:
            body["rkey"] = tid_for(draft.idempotency_key)
        try:
            created = self._call("POST", api.CREATE_RECORD, json=body).json()
        except (OutcomeUnknown, RateLimited, AuthExpired, AccountDisconnected):
            raise  # nothing to learn from a look-up now; the engine reconciles an unknown outcome
        except ConnectorError:
            # The record key may be taken: an earlier attempt of this very delivery got through. The PDS
            # says so with a 500 InternalServerError as readily as with a 4xx, so ANY other refusal of a
            # keyed create is checked before it is reported as temporary (a retry would meet the same
            # refusal until the engine gave up on a post that is live).
            if draft.idempotency_key and (existing := self._published_or_none(draft)) is not None:
                return existing
            raise
        parent_ref = {"uri": created["uri"], "cid": created["cid"]}
        self._created[created["uri"]] = {
            "ref": parent_ref,
            "root": record["reply"]["root"] if draft.reply_to else parent_ref,
        }
        return PublishResult(
            remote_id=created["uri"],
            url=mappers.web_url(created["uri"], self._session.get("handle", "")),
            published_at=mappers.parse_datetime(record["createdAt"]),
        )

    def _embed(self, draft: PostDraft) -> dict[str, Any] | None:
        images = None
        if draft.media:
            images = {
                "$type": api.EMBED_IMAGES,
                "images": [{"alt": item.alt_text, "image": self._upload(item)} for item in draft.media],
            }
        if draft.quote_of:
            quoted = {"$type": api.EMBED_RECORD, "record": self._strong_ref(draft.quote_of)}
            if images:
                return {"$type": api.EMBED_RECORD_WITH_MEDIA, "record": quoted, "media": images}
            return quoted
        return images

    def _upload(self, item: MediaItem) -> dict[str, Any]:
        # Idempotent: an unused blob is garbage-collected by the PDS, so a retry cannot duplicate a post.
        response = self._call(
            "POST",
            api.UPLOAD_BLOB,
            content=item.read_bytes(),
            headers={"Content-Type": item.mime_type},
            idempotent=True,
        )
        return response.json()["blob"]

    def _posts(self, uris: Sequence[str]) -> list[dict[str, Any]]:
        posts: list[dict[str, Any]] = []
        for start in range(0, len(uris), api.GET_POSTS_BATCH):
            batch = uris[start : start + api.GET_POSTS_BATCH]
            posts += self._call("GET", api.GET_POSTS, params=[("uris", u) for u in batch]).json()["posts"]
        return posts

    def _strong_ref(self, uri: str) -> dict[str, str]:
        posts = self._posts([uri])
        if not posts:
            raise ContentRejected(f"The post {uri} no longer exists.")
        return {"uri": posts[0]["uri"], "cid": posts[0]["cid"]}

    def _reply_refs(self, parent_uri: str) -> dict[str, Any]:
        """The reply's root and parent strong refs. Our own posts come from the PDS — what createRecord
        returned, else ``getRecord`` on our repo — never from the AppView, which indexes a new post
        seconds later (the next part of a thread failed with "no longer exists"). Other people's posts
        (answers in the inbox) were read from the AppView, so it has them."""
        known = self._created.get(parent_uri)
        if known is not None:
            return {"root": dict(known["root"]), "parent": dict(known["ref"])}
        if parent_uri.startswith(f"at://{self.did}/"):
            parent = self._own_record(parent_uri)
        else:
            posts = self._posts([parent_uri])
            parent = posts[0] if posts else None
        if parent is None:
            raise ContentRejected(f"The post being answered ({parent_uri}) no longer exists.")
        parent_ref = {"uri": parent["uri"], "cid": parent["cid"]}
        root = (parent.get("record") or {}).get("reply", {}).get("root") or parent_ref
        return {"root": {"uri": root["uri"], "cid": root["cid"]}, "parent": parent_ref}

    def _own_record(self, uri: str) -> dict[str, Any] | None:
        """One of our records from our PDS (consistent at once), shaped like a post view, or None."""
        repo, collection, rkey = mappers.split_uri(uri)
        try:
            found = self._call(
                "GET", api.GET_RECORD, params={"repo": repo, "collection": collection, "rkey": rkey}
            ).json()
        except PermanentError as exc:
            if exc.status == 404:
                return None
            raise
        return {"uri": found["uri"], "cid": found["cid"], "record": found.get("value") or {}}

    def _resolve_handle(self, handle: str) -> str | None:
        if handle not in self._handles:
            try:
                body = self._call("GET", api.RESOLVE_HANDLE, params={"handle": handle}).json()
                self._handles[handle] = body.get("did")
            except (ContentRejected, PermanentError):
                self._handles[handle] = None
        return self._handles[handle]

    def _published_or_none(self, draft: PostDraft) -> PublishResult | None:
        """``find_published``, or None when the look-up fails too: the caller's own error then stands
        (a retry with the same record key still cannot duplicate the post)."""
        try:
            return self.find_published(draft)
        except ConnectorError:
            return None

    def find_published(self, draft: PostDraft) -> PublishResult | None:
        if not draft.idempotency_key:
            raise PermanentError("Cannot reconcile a Bluesky post without its idempotency key.")
        rkey = tid_for(draft.idempotency_key)
        try:
            found = self._call(
                "GET",
                api.GET_RECORD,
                params={"repo": self.did, "collection": api.POST_COLLECTION, "rkey": rkey},
            ).json()
        except PermanentError as exc:
            if exc.status == 404:
                return None
            raise
        return PublishResult(
            remote_id=found["uri"],
            url=mappers.web_url(found["uri"], self._session.get("handle", "")),
            published_at=mappers.parse_datetime(found.get("value", {}).get("createdAt")),
        )

    def delete(self, remote_id: str) -> None:
        repo, collection, rkey = mappers.split_uri(remote_id)
        self._call(
            "POST",
            api.DELETE_RECORD,
            json={"repo": repo, "collection": collection, "rkey": rkey},
            idempotent=True,  # deleting an absent record succeeds
        )

    # Reading --------------------------------------------------------------------------------
    def fetch_comments(self, *, post_id: str, cursor: str = "") -> Page:
        thread = self._call("GET", api.GET_POST_THREAD, params={"uri": post_id, "depth": 20}).json()["thread"]
        since = mappers.parse_datetime(cursor) if cursor else None
        replies = [
            p for p in mappers.flatten_replies(thread)
            if p["author"]["did"] != self.did and (since is None or mappers.indexed_at(p) > since)
        ]  # fmt: skip
        replies.sort(key=mappers.indexed_at)
        items = tuple(mappers.remote_item(p, kind=ItemKind.COMMENT, thread_id=post_id) for p in replies)
        next_cursor = mappers.iso(mappers.indexed_at(replies[-1])) if replies else cursor
        return Page(items=items, cursor=next_cursor)

    def fetch_mentions(self, *, cursor: str = "") -> Page:
        """Replies, mentions and quotes from listNotifications, newer than ``cursor`` (an indexedAt)."""
        since = mappers.parse_datetime(cursor) if cursor else None
        collected: list[dict[str, Any]] = []
        newest = since
        page_cursor, pages, exhausted = "", 0, False
        while pages < api.MAX_NOTIFICATION_PAGES:
            params: dict[str, Any] = {"limit": api.PAGE_LIMIT}
            if page_cursor:
                params["cursor"] = page_cursor
            body = self._call("GET", api.LIST_NOTIFICATIONS, params=params).json()
            pages += 1
            notifications = body.get("notifications", [])
            for notification in notifications:
                moment = mappers.indexed_at(notification)
                if since is not None and moment <= since:
                    exhausted = True
                    continue
                newest = moment if newest is None or moment > newest else newest
                if notification.get("reason") in mappers.REASON_KINDS:
                    collected.append(notification)
            page_cursor = body.get("cursor", "")
            if exhausted or not page_cursor or not notifications or since is None:
                exhausted = True
                break
        collected.sort(key=mappers.indexed_at)
        items = tuple(mappers.notification_item(n) for n in collected)
        return Page(items=items, cursor=mappers.iso(newest) if newest else cursor, has_more=not exhausted)

    def search(self, query: str, *, cursor: str = "") -> Page:
        params: dict[str, Any] = {"q": query, "sort": "latest", "limit": api.PAGE_LIMIT}
        since = mappers.parse_datetime(cursor) if cursor else None
        if cursor:
            params["since"] = cursor
        posts = self._call("GET", api.SEARCH_POSTS, params=params).json().get("posts", [])
        fresh = [p for p in posts if since is None or mappers.indexed_at(p) > since]
        fresh.sort(key=mappers.indexed_at)
        items = tuple(
            mappers.remote_item(p, kind=ItemKind.MENTION) for p in fresh if p["author"]["did"] != self.did
        )
        next_cursor = mappers.iso(mappers.indexed_at(fresh[-1])) if fresh else cursor
        return Page(items=items, cursor=next_cursor, has_more=len(posts) >= api.PAGE_LIMIT)

    def fetch_account_stats(self) -> AccountStats:
        """followersCount / followsCount / postsCount of our profile (app.bsky.actor.getProfile)."""
        profile = self._call("GET", api.GET_PROFILE, params={"actor": self.did}).json()
        return AccountStats(
            collected_at=datetime.now(UTC),
            followers=profile.get("followersCount"),
            following=profile.get("followsCount"),
            posts=profile.get("postsCount"),
        )

    def fetch_metrics(self, remote_ids: Sequence[str]) -> dict[str, Metrics]:
        collected_at = datetime.now(UTC)
        return {
            p["uri"]: mappers.metrics(p, collected_at=collected_at) for p in self._posts(list(remote_ids))
        }

    # Engaging -------------------------------------------------------------------------------
    def reply(self, *, parent_id: str, draft: PostDraft) -> PublishResult:
        """Bluesky notifies the parent's author by itself: no @mention is added."""
        return self.publish(replace(draft, reply_to=parent_id))
