"""TikTok (a creator account) through the Content Posting API (direct post) and the Display API: videos
with a caption, metrics.

Credentials: ``client_key``, ``client_secret`` and ``refresh_token`` ("Sign in with TikTok" also stores the
``access_token`` and its expiry). Access tokens last 24 hours: the connector renews one when it has expired
and hands the new pair back through ``updated_secrets``.

Publishing (https://developers.tiktok.com/doc/content-posting-api-reference-direct-post): ask the creator
info (privacy options, comments switched off, longest video) — TikTok requires it before every post — then
``video/init`` with the file's size and chunking, PUT each chunk to the upload address, and follow
``status/fetch`` until TikTok says PUBLISH_COMPLETE with the video's id or FAILED with a reason. A video still
processing when we stop waiting is published (TikTok finishes it by itself): it is stored as
``publish:<publish_id>`` and metrics resolve it later. Apps that TikTok has not audited may only post
privately; the post then goes out as "only me" and the account page says why.

TikTok's public APIs give no comments or mentions to apps like ours, so nothing comes into the inbox.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from kopiena.connectors import errors
from kopiena.connectors.base import ConnectKind, Connector
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.tiktok import constants as c
from kopiena.connectors.tokens import renewed_access
from kopiena.connectors.types import (
    AccountInfo,
    Limits,
    MediaItem,
    Metrics,
    PostDraft,
    PublishResult,
    ValidationProblem,
)

RECONCILE_WINDOW_SECONDS = 24 * 3600
PENDING_PREFIX = "publish:"
_AUTH = {"access_token_invalid", "access_token_expired", "invalid_token", "invalid_grant"}
_DISCONNECTED = {"scope_not_authorized", "scope_permission_missed", "user_has_no_permission"}
_RATE = {"rate_limit_exceeded", "spam_risk_too_many_posts", "spam_risk_user_banned_from_posting"}


def chunk_plan(size: int) -> tuple[int, int]:
    """(chunk size, chunk count) for a video of ``size`` bytes, as TikTok's media transfer guide asks."""
    if size <= c.SINGLE_CHUNK_MAX_BYTES:
        return size, 1
    count = size // c.CHUNK_BYTES  # the remainder rides on the last chunk (it may be larger)
    return c.CHUNK_BYTES, count


class TikTokConnector(Connector):
    key = "tiktok"
    name = "TikTok"
    docs_url = "https://developers.tiktok.com/doc/content-posting-api-get-started"
    default_base_url = c.DEFAULT_BASE_URL
    connect = ConnectKind.TOKEN  # "Sign in with TikTok" when the operator configured an app
    credential_fields: ClassVar[tuple[str, ...]] = ("client_key", "client_secret", "refresh_token")
    kept_fields: ClassVar[tuple[str, ...]] = ("access_token", "access_expires_at")
    secret_fields: ClassVar[tuple[str, ...]] = ("client_secret", "refresh_token", "access_token")
    capabilities = frozenset(
        {Capability.PUBLISH, Capability.PUBLISH_MEDIA, Capability.RECONCILE, Capability.METRICS}
    )
    limits = Limits(max_text_length=c.MAX_TITLE_CHARS, max_media=1, max_video_bytes=c.MAX_VIDEO_BYTES,
                    media_mime_types=c.VIDEO_TYPES)  # fmt: skip
    requests_per_second = 0.1  # video/init: 6 requests a minute per user token
    burst = 6
    poll_interval_seconds: float = c.STATUS_POLL_SECONDS
    clock = staticmethod(time.time)

    def __init__(self, credentials, **kwargs):
        super().__init__(credentials, **kwargs)
        self._access = credentials.secret("access_token")
        try:
            self._expires_at = float(credentials.secret("access_expires_at") or 0)
        except ValueError:
            self._expires_at = 0.0
        self._changed: dict[str, str] = {}

    def updated_secrets(self) -> dict[str, str]:
        return dict(self._changed)

    # Errors and tokens ----------------------------------------------------------------------
    def map_error(self, response: httpx.Response, words: str):
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError):
            body = {}
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, str):  # the token endpoint: {"error": "invalid_grant", "error_description": …}
            error = {"code": error, "message": body.get("error_description") or error}
        error = error if isinstance(error, dict) else {}
        code = str(error.get("code") or "")
        message = self.http.scrub(str(error.get("message") or words))
        details = {"platform_message": message, "status": response.status_code}
        if code in _AUTH or response.status_code == 401:
            return errors.AuthExpired(f"TikTok no longer accepts the token: {message}", **details)
        if code in _DISCONNECTED:
            return errors.AccountDisconnected(
                f"A TikTok permission is missing; reconnect: {message}", **details
            )
        if code in _RATE or response.status_code == 429:
            try:
                wait = float(response.headers.get("Retry-After") or 0)
            except ValueError:
                wait = 0.0
            wait = wait or (24 * 3600.0 if code.startswith("spam_risk") else 60.0)
            self.http.rate_limiter.block(self.http.account_key, wait)
            return errors.RateLimited(f"TikTok asks to wait: {message}", retry_after_seconds=wait, **details)
        if response.status_code < 500:
            return errors.ContentRejected(f"TikTok refused: {message}", **details)
        return None

    def _token(self) -> str:
        if self._access and self.clock() < self._expires_at - 60:
            return self._access
        try:
            answer = self.http.post(
                f"{self.base_url}{c.OAUTH_TOKEN_PATH}",
                data={"client_key": self.credentials.secret("client_key"),
                      "client_secret": self.credentials.secret("client_secret"),
                      "grant_type": "refresh_token", "refresh_token": self.credentials.secret("refresh_token")},
            ).json()  # fmt: skip
        except errors.ContentRejected as exc:
            raise errors.AuthExpired(f"TikTok did not renew the access; reconnect. {exc}") from None
        renewed = renewed_access(
            self.http, answer, now=self.clock(), default_lifetime=86400, expires_field="access_expires_at"
        )
        if renewed is None:
            raise errors.AuthExpired(
                f"TikTok did not renew the access; reconnect. {answer.get('error_description', '')}".strip()
            )
        self._access, self._expires_at = renewed.token, renewed.expires_at
        self._changed.update(renewed.changed)
        return renewed.token

    def _api(
        self, path: str, body: dict[str, Any] | None = None, *, query: dict | None = None
    ) -> dict[str, Any]:
        response = self.http.post(
            f"{self.base_url}{path}",
            json=body if body is not None else {},
            params=query,
            headers={
                "Authorization": f"Bearer {self._token()}",
                "Content-Type": "application/json; charset=UTF-8",
            },
        )
        answer = response.json()
        error = answer.get("error") or {}
        if error.get("code") not in (None, "", "ok"):  # TikTok can put an error in a 200 answer
            raise self.map_error(response, str(error.get("message") or "")) or errors.ContentRejected(
                str(error)
            )
        return answer.get("data") or {}

    # Account --------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        response = self.http.get(
            f"{self.base_url}{c.USER_INFO}",
            params={"fields": "open_id,avatar_url,display_name,username,follower_count,profile_deep_link"},
            headers={"Authorization": f"Bearer {self._token()}"},
        )
        user = (response.json().get("data") or {}).get("user") or {}
        username = user.get("username", "")
        return AccountInfo(
            external_id=str(user.get("open_id", "")),
            handle=f"@{username}" if username else str(user.get("open_id", "")),
            name=user.get("display_name", ""),
            url=user.get("profile_deep_link") or (f"https://www.tiktok.com/@{username}" if username else ""),
            avatar_url=user.get("avatar_url", ""),
            followers_count=user.get("follower_count"),
        )

    # Publishing -----------------------------------------------------------------------------
    def validate(self, draft: PostDraft) -> list[ValidationProblem]:
        problems = super().validate(draft)
        if not any(m.mime_type.startswith("video/") for m in draft.media):
            problems.append(ValidationProblem("media", "required", "A TikTok post needs a video."))
        if draft.link:
            problems.append(
                ValidationProblem("link", "unsupported", "Links in TikTok captions are not clickable.")
            )
        return problems

    def publish(self, draft: PostDraft) -> PublishResult:
        self.ensure_valid(draft)
        video: MediaItem = draft.media[0]
        creator = self._api(c.CREATOR_INFO)
        options = creator.get("privacy_level_options") or [c.PRIVATE]
        body = video.read_bytes()
        chunk, count = chunk_plan(len(body))
        post_info = {
            "title": draft.text,
            "privacy_level": c.PUBLIC if c.PUBLIC in options else options[0],
            "disable_comment": bool(creator.get("comment_disabled")),
            "disable_duet": bool(creator.get("duet_disabled")),
            "disable_stitch": bool(creator.get("stitch_disabled")),
        }
        source = {
            "source": "FILE_UPLOAD",
            "video_size": len(body),
            "chunk_size": chunk,
            "total_chunk_count": count,
        }
        try:
            init = self._api(c.VIDEO_INIT, {"post_info": post_info, "source_info": source})
        except errors.OutcomeUnknown as exc:  # an upload session only: nothing is published without the bytes
            raise errors.TransientError(
                f"TikTok did not answer the upload request; nothing was published. {exc}"
            ) from None
        publish_id, upload_url = str(init.get("publish_id") or ""), str(init.get("upload_url") or "")
        if not (publish_id and upload_url):
            raise errors.TransientError("TikTok gave no upload address; nothing was published.")
        for index in range(count):
            start = index * chunk
            end = len(body) if index == count - 1 else start + chunk
            last = index == count - 1
            answer = self.http.put(
                upload_url,
                content=body[start:end],
                headers={
                    "Content-Type": video.mime_type,
                    "Content-Range": f"bytes {start}-{end - 1}/{len(body)}",
                },
                idempotent=not last,  # the last chunk starts publishing: a lost answer is unknown
            )
            if last and answer.content:
                answer.json()  # an answer we cannot read to the last chunk: the outcome is unknown
        return self._follow(publish_id)

    def _status(self, publish_id: str) -> dict[str, Any]:
        return self._api(c.STATUS_FETCH, {"publish_id": publish_id})

    def _follow(self, publish_id: str) -> PublishResult:
        for attempt in range(c.STATUS_POLL_ATTEMPTS):
            status = self._status(publish_id)
            state = status.get("status")
            if state == c.STATUS_COMPLETE:
                ids = (
                    status.get("publicaly_available_post_id")
                    or status.get("publicly_available_post_id")
                    or []
                )
                remote_id = (
                    str(ids[0]) if ids else PENDING_PREFIX + publish_id
                )  # private posts have no public id
                return PublishResult(remote_id=remote_id, published_at=datetime.now(UTC))
            if state == c.STATUS_FAILED:
                reason = str(status.get("fail_reason") or "failed")
                raise errors.ContentRejected(
                    f"TikTok did not publish the video: {reason}", platform_message=reason
                )
            if attempt + 1 < c.STATUS_POLL_ATTEMPTS:
                time.sleep(self.poll_interval_seconds)
        # Uploaded and processing: TikTok finishes it by itself; sending again would post it twice.
        return PublishResult(remote_id=PENDING_PREFIX + publish_id, published_at=datetime.now(UTC))

    def find_published(self, draft: PostDraft) -> PublishResult | None:
        data = self._api(c.VIDEO_LIST, {"max_count": 20}, query={"fields": "id,title,create_time,share_url"})
        now = time.time()
        for video in data.get("videos") or ():
            recent = now - float(video.get("create_time") or 0) <= RECONCILE_WINDOW_SECONDS
            if recent and (video.get("title") or "").strip() == draft.text.strip():
                created = datetime.fromtimestamp(float(video["create_time"]), tz=UTC)
                return PublishResult(
                    remote_id=str(video["id"]), url=video.get("share_url", ""), published_at=created
                )
        return None

    # Metrics --------------------------------------------------------------------------------
    def fetch_metrics(self, remote_ids: Sequence[str]) -> dict[str, Metrics]:
        resolved: dict[str, str] = {}  # video id → the remote id we stored
        for remote_id in remote_ids:
            if remote_id.startswith(PENDING_PREFIX):
                ids = (
                    self._status(remote_id.removeprefix(PENDING_PREFIX)).get("publicaly_available_post_id")
                    or []
                )
                if ids:
                    resolved[str(ids[0])] = remote_id
            else:
                resolved[remote_id] = remote_id
        if not resolved:
            return {}
        data = self._api(
            c.VIDEO_QUERY,
            {"filters": {"video_ids": list(resolved)[:20]}},
            query={"fields": "id,like_count,comment_count,share_count,view_count"},
        )
        now = datetime.now(UTC)
        return {
            resolved[str(v["id"])]: Metrics(
                remote_id=resolved[str(v["id"])],
                collected_at=now,
                likes=v.get("like_count"),
                replies=v.get("comment_count"),
                reposts=v.get("share_count"),
                views=v.get("view_count"),
            )
            for v in data.get("videos") or ()
            if str(v.get("id")) in resolved
        }
