"""Threads (a Threads profile): text, image, video and carousel posts through the container flow, replies
and mentions into the inbox, answers, hiding replies, insights.

Credentials: ``access_token`` (a long-lived Threads user token), ``user_id``, and ``token_expires_at``
(epoch seconds; optional). A long-lived token lasts about 60 days; when fewer than seven are left the
connector refreshes it (``GET /refresh_access_token``) and hands the new one back through
``updated_secrets`` to be stored.

Publishing is two steps (https://developers.facebook.com/docs/threads/posts): create a container — Meta
downloads images and videos from a PUBLIC address, so ``MediaItem.source`` must be an ``https://`` URL —
wait until its ``status`` is FINISHED, then ``threads_publish`` it. A lost answer while creating containers
published nothing (TransientError); a lost answer to ``threads_publish`` is OutcomeUnknown, and the
container is the reconciliation handle: ``find_published`` asks whether it is PUBLISHED before looking for
the post among the profile's recent threads. The 24-hour publishing quota is read before each publish.
Answers to replies are themselves Threads posts (``reply_to_id``) and go through the same two steps.
No webhooks: replies and mentions are polled.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, ClassVar

import httpx

from kopiena.connectors import errors
from kopiena.connectors.base import ConnectKind, Connector
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.facebook.client import GraphApi, graph_error
from kopiena.connectors.facebook.containers import (
    PUBLISHED,
    ContainerFields,
    container_code,
    recent_post_with_text,
    wait_until_finished,
)
from kopiena.connectors.facebook.mappers import newer_than
from kopiena.connectors.threads import constants as c
from kopiena.connectors.threads import mappers
from kopiena.connectors.tokens import renewed_access
from kopiena.connectors.types import (
    AccountInfo,
    Limits,
    MediaItem,
    Metrics,
    Page,
    PostDraft,
    PublishResult,
    ValidationProblem,
)

URL = re.compile(r"https?://\S+", re.IGNORECASE)
REPLY_FIELDS = "id,text,timestamp,username,permalink,replied_to,is_reply_owned_by_me,hide_status"
POST_FIELDS = "id,text,timestamp,username,permalink"
CONTAINER = ContainerFields(platform="Threads", code="status", words="error_message")


def threads_length(text: str) -> int:
    """Threads counts a character as one, except emoji, which count as their UTF-8 bytes (Meta's
    "Emojis are counted as the number of UTF-8 bytes")."""
    return sum(len(ch.encode()) if _is_emoji(ch) else 1 for ch in text)


def _is_emoji(ch: str) -> bool:
    code = ord(ch)
    return code >= 0x1F000 or 0x2600 <= code <= 0x27BF or unicodedata.category(ch) == "So" or code == 0xFE0F


class ThreadsConnector(Connector):
    key = "threads"
    name = "Threads"
    docs_url = "https://developers.facebook.com/docs/threads"
    default_base_url = c.DEFAULT_BASE_URL
    # The token form always works; "Sign in with Threads" is offered when the operator configured a
    # Threads app (integrations.oauth.ThreadsProvider).
    connect = ConnectKind.TOKEN
    media_by_url: ClassVar[bool] = True
    credential_fields: ClassVar[tuple[str, ...]] = ("access_token", "user_id")
    kept_fields: ClassVar[tuple[str, ...]] = ("token_expires_at",)  # from "Sign in with Threads"
    secret_fields: ClassVar[tuple[str, ...]] = ("access_token",)  # the user id goes into URLs
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.PUBLISH_MEDIA,
            Capability.RECONCILE,
            Capability.READ_COMMENTS,
            Capability.READ_MENTIONS,
            Capability.REPLY,
            Capability.HIDE,
            Capability.METRICS,
        }
    )
    limits = Limits(
        max_text_length=c.MAX_TEXT_CHARS,
        max_media=c.MAX_CAROUSEL_ITEMS,
        max_image_bytes=c.MAX_IMAGE_BYTES,
        max_video_bytes=c.MAX_VIDEO_BYTES,
        media_mime_types=c.IMAGE_TYPES | c.VIDEO_TYPES,
        max_alt_text_length=c.MAX_ALT_TEXT_CHARS,
    )
    requests_per_second = 5.0
    burst = 20
    poll_interval_seconds: float = c.CONTAINER_POLL_SECONDS
    clock = staticmethod(time.time)

    def __init__(self, credentials, **kwargs):
        super().__init__(credentials, **kwargs)
        self._access = credentials.secret("access_token")
        try:
            self._expires_at = float(credentials.secret("token_expires_at") or 0)
        except ValueError:
            self._expires_at = 0.0
        self._changed: dict[str, str] = {}
        # idempotency key → container id, for reconciliation by the same worker after OutcomeUnknown.
        self._containers: dict[str, str] = {}

    @property
    def user_id(self) -> str:
        return self.credentials.secret("user_id") or "me"

    def updated_secrets(self) -> dict[str, str]:
        return dict(self._changed)

    def map_error(self, response: httpx.Response, words: str):
        error = graph_error(response, scrub=self.http.scrub)
        if isinstance(error, errors.RateLimited):
            self.http.rate_limiter.block(self.http.account_key, error.retry_after_seconds)
        return error

    # Token ----------------------------------------------------------------------------------
    @cached_property
    def api(self) -> GraphApi:
        self._refresh_if_due()
        return GraphApi(self.http, token=self._access, version=c.API_VERSION)

    def _refresh_if_due(self) -> None:
        """Refresh a long-lived token in its last week (never one younger than a day, which Meta refuses)."""
        if not self._expires_at:
            return
        left = self._expires_at - self.clock()
        if left > c.REFRESH_WHEN_SECONDS_LEFT or left < 0:
            return  # plenty left; or already expired — the next call's 190 says "reconnect"
        answer = self.http.get(
            f"{self.http.base_url}{c.REFRESH_TOKEN_PATH}",
            params={"grant_type": "th_refresh_token"},
            headers={"Authorization": f"Bearer {self._access}"},  # the token never goes into a URL
            idempotent=True,
        ).json()
        renewed = renewed_access(
            self.http, answer, now=self.clock(), default_lifetime=0, expires_field="token_expires_at"
        )
        if renewed is None:
            return
        self._access, self._expires_at = renewed.token, renewed.expires_at
        self._changed.update(renewed.changed)

    # Account --------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        user = self.api.get(
            c.ME, {"fields": "id,username,name,threads_profile_picture_url,threads_biography"}
        )
        return mappers.account_info(user)

    # Publishing -----------------------------------------------------------------------------
    def text_length(self, draft: PostDraft) -> int:
        return threads_length(draft.text)

    def validate(self, draft: PostDraft) -> list[ValidationProblem]:
        problems = super().validate(draft)
        links = {m.group(0) for m in URL.finditer(draft.text)} | ({draft.link} if draft.link else set())
        if len(links) > c.MAX_LINKS:
            problems.append(
                ValidationProblem(
                    "text", "too_many_links", f"{len(links)} links; at most {c.MAX_LINKS}.", c.MAX_LINKS
                )
            )
        return problems

    def _validate_media(self, draft: PostDraft) -> list[ValidationProblem]:
        """Meta fetches the media itself: each item must be an http(s) address of an accepted type."""
        problems: list[ValidationProblem] = []
        if len(draft.media) > c.MAX_CAROUSEL_ITEMS:
            problems.append(
                ValidationProblem(
                    "media", "too_many",
                    f"{len(draft.media)} items; a carousel holds at most {c.MAX_CAROUSEL_ITEMS}.",
                    c.MAX_CAROUSEL_ITEMS,
                )
            )  # fmt: skip
        for index, item in enumerate(draft.media):
            field = f"media[{index}]"
            if not _is_url(item):
                problems.append(
                    ValidationProblem(
                        field, "needs_url", f"{item.name}: Threads fetches media from a public address."
                    )
                )
            elif item.mime_type not in self.limits.media_mime_types:
                problems.append(
                    ValidationProblem(field, "bad_type", f"{item.name}: {item.mime_type} is not accepted.")
                )
            elif len(item.alt_text or "") > c.MAX_ALT_TEXT_CHARS:
                problems.append(
                    ValidationProblem(
                        field, "alt_text_too_long",
                        f"{item.name}: alt text is longer than {c.MAX_ALT_TEXT_CHARS} characters.",
                        c.MAX_ALT_TEXT_CHARS,
                    )
                )  # fmt: skip
        return problems

    def publish(self, draft: PostDraft) -> PublishResult:
        self.ensure_valid(draft)
        self._check_quota("quota_usage", "config", c.DEFAULT_PUBLISH_QUOTA, "posts")
        container = self._prepare(lambda: self._container(draft))
        return self._publish_container(container, key=draft.idempotency_key)

    def _publish_container(self, container: str, *, key: str = "") -> PublishResult:
        self._wait_until_finished(container)
        if key:
            self._containers[key] = container
        answer = self.api.post(
            c.USER_THREADS_PUBLISH.format(user_id=self.user_id), {"creation_id": container}
        )
        return PublishResult(remote_id=str(answer["id"]), published_at=datetime.now(UTC))

    def _check_quota(self, usage_field: str, config_field: str, default_total: int, what: str) -> None:
        answer = self.api.get(
            c.USER_PUBLISHING_LIMIT.format(user_id=self.user_id), {"fields": f"{usage_field},{config_field}"}
        )
        row = (answer.get("data") or [{}])[0]
        total = int((row.get(config_field) or {}).get("quota_total") or default_total)
        if int(row.get(usage_field) or 0) >= total:
            raise errors.RateLimited(
                f"Threads' limit of {total} {what} a day is reached.", retry_after_seconds=3600
            )

    def _container(self, draft: PostDraft, *, reply_to: str = "") -> str:
        path = c.USER_THREADS.format(user_id=self.user_id)
        common = {"reply_to_id": reply_to or None}
        text = (
            f"{draft.text}\n{draft.link}".strip()
            if draft.link and draft.link not in draft.text
            else draft.text
        )
        if not draft.media:
            return str(self.api.post(path, {**common, "media_type": "TEXT", "text": text})["id"])
        if len(draft.media) == 1:
            return str(self.api.post(path, {**common, **_media_fields(draft.media[0]), "text": text})["id"])
        children = [
            str(self.api.post(path, {**_media_fields(item), "is_carousel_item": True})["id"])
            for item in draft.media
        ]
        for child in children:
            self._wait_until_finished(child)
        fields = {**common, "media_type": "CAROUSEL", "children": ",".join(children), "text": text}
        return str(self.api.post(path, fields)["id"])

    def _container_status(self, container: str) -> dict[str, Any]:
        return self.api.get(c.CONTAINER.format(container_id=container), {"fields": CONTAINER.query})

    def _wait_until_finished(self, container: str) -> None:
        wait_until_finished(
            lambda: self._container_status(container),
            CONTAINER,
            attempts=c.CONTAINER_POLL_ATTEMPTS,
            interval=self.poll_interval_seconds,
        )

    def find_published(self, draft: PostDraft) -> PublishResult | None:
        container = self._containers.get(draft.idempotency_key)
        if container and container_code(self._container_status(container), CONTAINER) != PUBLISHED:
            return None  # FINISHED/ERROR/EXPIRED: the container says it was never published
        answer = self.api.get(
            c.USER_THREADS.format(user_id=self.user_id), {"fields": POST_FIELDS, "limit": 25}
        )
        found = recent_post_with_text(answer.get("data") or (), text_field="text", text=draft.text)
        if found is None and container:  # published, but not listed yet: ask again later, never twice
            raise errors.TransientError("Threads published the post but does not list it yet.")
        return found

    # Reading --------------------------------------------------------------------------------
    def fetch_comments(self, *, post_id: str, cursor: str = "") -> Page:
        answer = self.api.get(
            c.MEDIA_CONVERSATION.format(media_id=post_id),
            {"fields": REPLY_FIELDS, "reverse": "false", "limit": 100},
        )
        items = [
            mappers.reply_to_item(reply, post_id=post_id)
            for reply in answer.get("data") or ()
            if not reply.get("is_reply_owned_by_me")
        ]
        return newer_than(items, cursor)

    def fetch_mentions(self, *, cursor: str = "") -> Page:
        answer = self.api.get(
            c.USER_MENTIONS.format(user_id=self.user_id), {"fields": POST_FIELDS, "limit": 50}
        )
        return newer_than((mappers.mention_to_item(m) for m in answer.get("data") or ()), cursor)

    def fetch_metrics(self, remote_ids: Sequence[str]) -> dict[str, Metrics]:
        now = datetime.now(UTC)
        metrics: dict[str, Metrics] = {}
        for media_id in remote_ids:
            try:
                insights = self.api.get(
                    c.MEDIA_INSIGHTS.format(media_id=media_id),
                    {"metric": "views,likes,replies,reposts,quotes"},
                )
            except errors.ContentRejected:  # a deleted post: "Unsupported get request"
                continue
            metrics[media_id] = mappers.insights_metrics(media_id, insights, now)
        return metrics

    # Engaging -------------------------------------------------------------------------------
    def reply(self, *, parent_id: str, draft: PostDraft) -> PublishResult:
        """Answer a reply or mention (``parent_id``): a Threads post with ``reply_to_id``."""
        problems = self.validate(draft)
        if problems:
            raise errors.ContentRejected(problems=problems)
        self._check_quota("reply_quota_usage", "reply_config", c.DEFAULT_REPLY_QUOTA, "replies")
        container = self._prepare(lambda: self._container(draft, reply_to=parent_id))
        return self._publish_container(container)

    def hide(self, remote_id: str) -> None:
        self.api.post(c.MANAGE_REPLY.format(reply_id=remote_id), {"hide": True})

    def unhide(self, remote_id: str) -> None:
        self.api.post(c.MANAGE_REPLY.format(reply_id=remote_id), {"hide": False})


def _is_url(item: MediaItem) -> bool:
    return isinstance(item.source, str) and item.source.startswith(("https://", "http://"))


def _media_fields(item: MediaItem) -> dict[str, Any]:
    if item.mime_type.startswith("video/"):
        return {"media_type": "VIDEO", "video_url": item.source, "alt_text": item.alt_text or None}
    return {"media_type": "IMAGE", "image_url": item.source, "alt_text": item.alt_text or None}
