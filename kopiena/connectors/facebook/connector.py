"""Facebook Page: text/link/photo/album/video posts, comments, mentions (tagged posts), Messenger
messages (polling and webhook), replies (comments and Messenger), hide/unhide, metrics, webhooks,
reconciliation by recent posts.

Credentials: ``access_token`` (a long-lived Page access token), ``page_id`` and ``app_secret`` (signs
webhooks and adds ``appsecret_proof``). Facebook has no idempotency key: after an unknown outcome
:meth:`find_published` looks for a post with the same text among the Page's posts of the last day.
We hide, never delete, comments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, ClassVar

import httpx

from kopiena.connectors import errors
from kopiena.connectors.base import ConnectKind, Connector
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.facebook import constants as c
from kopiena.connectors.facebook import mappers, webhooks
from kopiena.connectors.facebook.client import GraphApi, graph_error
from kopiena.connectors.http import HttpClient
from kopiena.connectors.types import (
    AccountCredentials,
    AccountInfo,
    AccountStats,
    Limits,
    Metrics,
    Page,
    PostDraft,
    PublishResult,
    ValidationProblem,
    WebhookChallenge,
    WebhookEvent,
)

COMMENT_FIELDS = "id,message,created_time,from,permalink_url,parent{id},is_hidden"
POST_FIELDS = "id,message,created_time,from,permalink_url"
METRIC_FIELDS = "reactions.summary(total_count),comments.summary(total_count)"
# A post with the same text older than this is an earlier, deliberate post, not the one we lost.
RECONCILE_WINDOW_SECONDS = 24 * 3600


class MetaConnector(Connector):
    """What Facebook Pages and Instagram share: the Graph client, error mapping, webhook handshake."""

    default_base_url = c.DEFAULT_BASE_URL
    connect = ConnectKind.TOKEN
    # https://developers.facebook.com/docs/graph-api/overview/rate-limiting/#pages — budgets are per Page
    # per day; keep bursts small and let the usage headers do the rest.
    requests_per_second = 5.0
    burst = 20
    # The real secrets; the ids stored beside them (page_id, ig_user_id) belong in Graph URLs.
    secret_fields: ClassVar[tuple[str, ...]] = ("access_token", "app_secret")
    id_field: ClassVar[str] = "page_id"  # the account's Graph id, for the rate-limit key

    def __init__(
        self,
        credentials: AccountCredentials,
        *,
        http: HttpClient | None = None,
        allow_loopback: bool = False,
        allow_private: bool = False,
    ):
        if http is None:
            base_url = (credentials.base_url or self.default_base_url).rstrip("/")
            http = HttpClient(
                base_url=base_url,
                account_key=credentials.account_key or f"{self.key}:{credentials.secret(self.id_field)}",
                secrets=[credentials.secret(name) for name in self.secret_fields],
                allow_loopback=allow_loopback,
                allow_private=allow_private,
                rate_per_second=self.requests_per_second,
                burst=self.burst,
            )
        super().__init__(credentials, http=http, allow_loopback=allow_loopback, allow_private=allow_private)

    @cached_property
    def api(self) -> GraphApi:
        return GraphApi(
            self.http,
            token=self.credentials.secret("access_token"),
            app_secret=self.credentials.secret("app_secret"),
        )

    def map_error(self, response: httpx.Response, words: str):
        error = graph_error(response, scrub=self.http.scrub)
        if isinstance(error, errors.RateLimited):
            self.http.rate_limiter.block(self.http.account_key, error.retry_after_seconds)
        return error

    def webhook_challenge(
        self, *, method: str, query: Mapping[str, str], body: bytes, secret: str
    ) -> WebhookChallenge | None:
        """``secret`` (the endpoint's) is the verify token; the body signature uses the app secret."""
        return webhooks.challenge(query, verify_token=secret) if method.upper() == "GET" else None

    def verify_webhook(self, *, headers: Mapping[str, str], body: bytes, secret: str) -> bool:
        return webhooks.verify(headers, body, app_secret=self.credentials.secret("app_secret"))


class FacebookConnector(MetaConnector):
    key = "facebook"
    name = "Facebook Page"
    capabilities = frozenset(
        {
            Capability.ACCOUNT_STATS,
            Capability.PUBLISH,
            Capability.PUBLISH_MEDIA,
            Capability.RECONCILE,
            Capability.READ_COMMENTS,
            Capability.READ_MENTIONS,
            Capability.READ_MESSAGES,
            Capability.REPLY,
            Capability.HIDE,
            Capability.METRICS,
            Capability.WEBHOOKS,
        }
    )
    limits = Limits(
        max_text_length=c.MAX_TEXT_CHARS,
        max_media=c.MAX_PHOTOS,
        max_image_bytes=c.MAX_PHOTO_BYTES,
        max_video_bytes=c.MAX_VIDEO_BYTES,
        media_mime_types=c.PHOTO_TYPES | c.VIDEO_TYPES,
    )
    credential_fields: ClassVar[tuple[str, ...]] = ("access_token", "page_id", "app_secret")
    docs_url = "https://developers.facebook.com/docs/pages-api"

    @property
    def page_id(self) -> str:
        return self.credentials.secret("page_id")

    # Account --------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        page = self.api.get(
            c.PAGE.format(page_id=self.page_id), {"fields": "id,name,username,link,followers_count"}
        )
        return mappers.page_info(page)

    def fetch_account_stats(self) -> AccountStats:
        """The Page's followers_count (Graph API Page fields); a Page follows no one and has no post count."""
        page = self.api.get(c.PAGE.format(page_id=self.page_id), {"fields": "followers_count"})
        count = page.get("followers_count")
        return AccountStats(
            collected_at=datetime.now(UTC), followers=int(count) if count is not None else None
        )

    # Publishing -----------------------------------------------------------------------------
    def validate(self, draft: PostDraft) -> list[ValidationProblem]:
        problems = super().validate(draft)
        videos = [item for item in draft.media if item.mime_type.startswith("video/")]
        if videos and len(draft.media) > 1:
            problems.append(
                ValidationProblem("media", "video_alone", "A Facebook video post carries one video only.")
            )
        if draft.link and draft.media:
            problems.append(
                ValidationProblem("link", "link_with_media", "A link preview and media cannot share a post.")
            )
        return problems

    def publish(self, draft: PostDraft) -> PublishResult:
        self.ensure_valid(draft)
        page = self.page_id
        media = draft.media
        if len(media) == 1 and media[0].mime_type.startswith("video/"):
            item = media[0]
            answer = self.api.post(
                c.PAGE_VIDEOS.format(page_id=page),
                {"description": draft.text},
                files={"source": (item.name, item.read_bytes(), item.mime_type)},
            )
            return mappers.publish_result(str(answer["id"]))
        if len(media) == 1:
            item = media[0]
            answer = self.api.post(
                c.PAGE_PHOTOS.format(page_id=page),
                {"caption": draft.text, "alt_text_custom": item.alt_text or None},
                files={"source": (item.name, item.read_bytes(), item.mime_type)},
            )
            return mappers.publish_result(str(answer.get("post_id") or answer["id"]))
        attached = [self._unpublished_photo(item) for item in media]
        fields: dict[str, Any] = {"message": draft.text, "link": draft.link or None}
        fields.update(
            {f"attached_media[{i}]": {"media_fbid": photo_id} for i, photo_id in enumerate(attached)}
        )
        answer = self.api.post(c.PAGE_FEED.format(page_id=page), fields)
        return mappers.publish_result(str(answer["id"]))

    def _unpublished_photo(self, item) -> str:
        """Album step 1 (https://developers.facebook.com/docs/graph-api/reference/page/photos/#multi)."""
        answer = self._prepare(
            lambda: self.api.post(
                c.PAGE_PHOTOS.format(page_id=self.page_id),
                {"published": False, "alt_text_custom": item.alt_text or None},
                files={"source": (item.name, item.read_bytes(), item.mime_type)},
            )
        )
        return str(answer["id"])

    def find_published(self, draft: PostDraft) -> PublishResult | None:
        answer = self.api.get(
            c.PAGE_PUBLISHED_POSTS.format(page_id=self.page_id),
            {"fields": POST_FIELDS, "limit": c.RECONCILE_LOOKBACK_POSTS},
        )
        now = datetime.now(UTC)
        for post in answer.get("data") or ():
            created = mappers.parse_time(post["created_time"])
            recent = (now - created).total_seconds() <= RECONCILE_WINDOW_SECONDS
            if recent and post.get("message", "").strip() == draft.text.strip():
                return mappers.publish_result(
                    str(post["id"]), url=post.get("permalink_url", ""), published_at=created
                )
        return None

    # Reading --------------------------------------------------------------------------------
    def fetch_comments(self, *, post_id: str, cursor: str = "") -> Page:
        """All comments and replies (``filter=stream``) in chronological order after the Graph paging
        cursor ``cursor``; the Page's own answers are left out."""
        params: dict[str, Any] = {
            "fields": COMMENT_FIELDS,
            "filter": "stream",
            "order": "chronological",
            "limit": 100,
        }
        if cursor:
            params["after"] = cursor
        answer = self.api.get(c.OBJECT_COMMENTS.format(object_id=post_id), params)
        data = answer.get("data") or []
        items = tuple(
            mappers.comment_to_item(comment, post_id=post_id)
            for comment in data
            if str((comment.get("from") or {}).get("id")) != self.page_id
        )
        paging = answer.get("paging") or {}
        next_cursor = (paging.get("cursors") or {}).get("after") if data else ""
        return Page(items=items, cursor=next_cursor or cursor, has_more="next" in paging)

    def fetch_mentions(self, *, cursor: str = "") -> Page:
        """Posts that tag the Page (``/tagged``), newest first at Meta, oldest first here."""
        since = cursor.partition("|")[0]
        params: dict[str, Any] = {"fields": POST_FIELDS, "limit": 100}
        if since:
            params["since"] = since
        answer = self.api.get(c.PAGE_TAGGED.format(page_id=self.page_id), params)
        return mappers.newer_than(
            (mappers.post_to_mention(post) for post in answer.get("data") or ()), cursor
        )

    def fetch_messages(self, *, cursor: str = "") -> Page:
        """Messenger messages to the Page from its most recently active conversations."""
        answer = self.api.get(
            c.PAGE_CONVERSATIONS.format(page_id=self.page_id),
            {
                "platform": "messenger",
                "fields": "messages.limit(25){id,message,created_time,from}",
                "limit": 25,
            },
        )
        items = [
            mappers.message_to_item(message)
            for conversation in answer.get("data") or ()
            for message in (conversation.get("messages") or {}).get("data") or ()
            if str((message.get("from") or {}).get("id")) != self.page_id
        ]
        return mappers.newer_than(items, cursor)

    def fetch_metrics(self, remote_ids: Sequence[str]) -> dict[str, Metrics]:
        """Reactions, comments and shares. Posts (``<page>_<post>``) and videos are read in separate batches:
        a video has no ``shares`` field, and asking for it would fail the whole request."""
        now = datetime.now(UTC)
        metrics: dict[str, Metrics] = {}
        posts = [rid for rid in remote_ids if "_" in rid]
        videos = [rid for rid in remote_ids if "_" not in rid]
        for ids, fields in ((posts, f"{METRIC_FIELDS},shares"), (videos, METRIC_FIELDS)):
            if not ids:
                continue
            # https://developers.facebook.com/docs/graph-api/guides/field-expansion — ?ids= reads many at once.
            answer = self.api.get("/", {"ids": ",".join(ids), "fields": fields})
            metrics.update(
                {
                    rid: mappers.post_metrics(rid, data, now)
                    for rid, data in answer.items()
                    if isinstance(data, dict)
                }
            )
        return metrics

    # Engaging -------------------------------------------------------------------------------
    def reply(self, *, parent_id: str, draft: PostDraft) -> PublishResult:
        """Comment under a post or comment, or — for a Messenger message (``m_…``) — answer in Messenger."""
        messenger = parent_id.startswith("m_")
        limit = c.MAX_MESSAGE_CHARS if messenger else c.MAX_COMMENT_CHARS
        problems = self.validate(draft)
        if draft.media or draft.poll or draft.link or len(draft.text) > limit:
            problems.append(
                ValidationProblem("text", "reply", f"A reply is text of at most {limit} characters.")
            )
        if problems:
            raise errors.ContentRejected(problems=problems)
        if messenger:
            return self._answer_in_messenger(parent_id, draft.text)
        answer = self.api.post(c.OBJECT_COMMENTS.format(object_id=parent_id), {"message": draft.text})
        return PublishResult(remote_id=str(answer["id"]), published_at=datetime.now(UTC))

    def _answer_in_messenger(self, message_id: str, text: str) -> PublishResult:
        sender = self.api.get(c.MESSAGE.format(message_id=message_id), {"fields": "from"}).get("from") or {}
        answer = self.api.post(
            c.PAGE_MESSAGES.format(page_id=self.page_id),
            {"recipient": {"id": sender.get("id")}, "messaging_type": "RESPONSE", "message": {"text": text}},
        )
        return PublishResult(remote_id=str(answer["message_id"]), published_at=datetime.now(UTC))

    def hide(self, remote_id: str) -> None:
        self.api.post(c.COMMENT.format(comment_id=remote_id), {"is_hidden": True})

    def unhide(self, remote_id: str) -> None:
        self.api.post(c.COMMENT.format(comment_id=remote_id), {"is_hidden": False})

    # Webhooks -------------------------------------------------------------------------------
    def parse_webhook(self, *, headers: Mapping[str, str], body: bytes) -> list[WebhookEvent]:
        return webhooks.parse(body, webhooks.page_change(self.page_id))
