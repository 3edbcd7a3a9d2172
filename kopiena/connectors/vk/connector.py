"""VK community: wall posts (photos, video, polls, links) with ``guid`` idempotency, comments, replies,
mentions and search through ``newsfeed.search``, metrics, Callback API webhooks.

Credentials: ``access_token`` (a community token with the ``wall``, ``photos``, ``video`` and ``manage``
rights), ``group_id`` (the community's numeric id) and ``confirmation_code`` (Callback API). An optional
``service_token`` (the VK app's service key) is used for ``newsfeed.search``, which a community token may
not call. VK has no way to hide a comment through the API: HIDE is not declared, and deleting negative
comments is something we never do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, ClassVar

from kopiena.connectors import errors
from kopiena.connectors.base import ConnectKind, Connector
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.http import HttpClient
from kopiena.connectors.types import (
    AccountCredentials,
    AccountInfo,
    AccountStats,
    Limits,
    MediaItem,
    Metrics,
    Page,
    PostDraft,
    PublishResult,
    ValidationProblem,
    WebhookChallenge,
    WebhookEvent,
)
from kopiena.connectors.vk import constants as c
from kopiena.connectors.vk import mappers, webhooks
from kopiena.connectors.vk.client import VkApi


class VkConnector(Connector):
    key = "vk"
    name = "VK"
    capabilities = frozenset(
        {
            Capability.ACCOUNT_STATS,
            Capability.PUBLISH,
            Capability.PUBLISH_MEDIA,
            Capability.POLLS,
            Capability.IDEMPOTENT_PUBLISH,
            Capability.RECONCILE,
            Capability.READ_COMMENTS,
            Capability.READ_MENTIONS,
            Capability.REPLY,
            Capability.SEARCH,
            Capability.METRICS,
            Capability.WEBHOOKS,
        }
    )
    limits = Limits(
        max_text_length=c.MAX_TEXT_CHARS,
        max_media=c.MAX_ATTACHMENTS,
        max_image_bytes=c.MAX_PHOTO_BYTES,
        max_video_bytes=c.MAX_VIDEO_BYTES,
        media_mime_types=c.PHOTO_TYPES | c.VIDEO_TYPES,
        max_poll_options=c.MAX_POLL_OPTIONS,
    )
    connect = ConnectKind.TOKEN
    credential_fields: ClassVar[tuple[str, ...]] = ("access_token", "group_id", "confirmation_code")
    default_base_url = c.DEFAULT_BASE_URL
    docs_url = "https://dev.vk.com/ru/api/api-requests"
    # https://dev.vk.com/ru/api/api-requests — a community token may make 20 calls a second.
    requests_per_second = 15.0
    burst = 20
    # The real secrets. The community id and the confirmation string are not: VK's upload addresses
    # carry the id (``gid=…``), and a "secret" found in a URL would make the shared client refuse it.
    secret_fields: ClassVar[tuple[str, ...]] = ("access_token", "service_token")

    def __init__(
        self,
        credentials: AccountCredentials,
        *,
        http: HttpClient | None = None,
        allow_loopback: bool = False,
        allow_private: bool = False,
    ):
        if http is None:
            http = HttpClient(
                base_url=(credentials.base_url or self.default_base_url).rstrip("/"),
                account_key=credentials.account_key or f"{self.key}:{credentials.secret('group_id')}",
                secrets=[credentials.secret(name) for name in self.secret_fields],
                allow_loopback=allow_loopback,
                allow_private=allow_private,
                rate_per_second=self.requests_per_second,
                burst=self.burst,
            )
        super().__init__(credentials, http=http, allow_loopback=allow_loopback, allow_private=allow_private)

    @cached_property
    def api(self) -> VkApi:
        return VkApi(self.http, token=self.credentials.secret("access_token"))

    @property
    def group_id(self) -> int:
        try:
            return abs(int(self.credentials.secret("group_id")))
        except ValueError:
            raise errors.PermanentError("The VK community id must be a number.") from None

    @property
    def owner_id(self) -> int:
        return -self.group_id

    # Account --------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        return mappers.group_info(self.group())

    def group(self) -> Mapping[str, Any]:
        answer = self.api.call(
            c.GROUPS_GET_BY_ID, {"group_id": self.group_id, "fields": "members_count"}, read=True
        )
        groups = answer.get("groups") if isinstance(answer, dict) else answer  # 5.194+ wraps the list
        if not groups:
            raise errors.AccountDisconnected("VK does not know this community any more.")
        return groups[0]

    def fetch_account_stats(self) -> AccountStats:
        """The community's members (groups.getById, fields=members_count); VK gives no following count."""
        count = self.group().get("members_count")
        return AccountStats(
            collected_at=datetime.now(UTC), followers=int(count) if count is not None else None
        )

    # Publishing -----------------------------------------------------------------------------
    def validate(self, draft: PostDraft) -> list[ValidationProblem]:
        problems = super().validate(draft)
        if len(draft.media) + (1 if draft.poll else 0) + (1 if draft.link else 0) > c.MAX_ATTACHMENTS:
            problems.append(
                ValidationProblem(
                    "media", "too_many", f"VK takes at most {c.MAX_ATTACHMENTS} attachments (media, poll and link).",
                    c.MAX_ATTACHMENTS,
                )
            )  # fmt: skip
        if draft.poll is not None and not draft.text.strip():
            problems.append(ValidationProblem("text", "empty", "The poll needs a question."))
        return problems

    def publish(self, draft: PostDraft) -> PublishResult:
        """``guid`` = the idempotency key: VK returns the first post for a repeated guid (for an hour)."""
        self.ensure_valid(draft)
        attachments = self._attachments(draft)
        answer = self.api.call(
            c.WALL_POST,
            {
                "owner_id": self.owner_id,
                "from_group": True,
                "message": draft.text,
                "attachments": ",".join(attachments) or None,
                "guid": draft.idempotency_key[: c.GUID_MAX_CHARS] or None,
            },
        )
        return mappers.publish_result(self.owner_id, answer["post_id"])

    def _attachments(self, draft: PostDraft) -> list[str]:
        """Upload media and create the poll first. A lost answer here cannot have made a post, so it is
        a TransientError (retry), not OutcomeUnknown; at worst VK keeps an unused photo."""
        try:
            attachments = [self._upload(item) for item in draft.media]
            if draft.poll is not None:
                poll = self.api.call(
                    c.POLLS_CREATE,
                    {
                        "owner_id": self.owner_id,
                        "question": draft.text,
                        "add_answers": json.dumps(list(draft.poll.options), ensure_ascii=False),
                        "is_multiple": draft.poll.multiple,
                        "end_date": int(datetime.now(UTC).timestamp()) + draft.poll.expires_in_seconds,
                    },
                )
                attachments.append(f"poll{poll['owner_id']}_{poll['id']}")
        except errors.OutcomeUnknown as exc:
            raise errors.TransientError(f"A media upload got no answer; nothing was posted. {exc}") from None
        if draft.link:
            attachments.append(draft.link)
        return attachments

    def _upload(self, item: MediaItem) -> str:
        if item.mime_type.startswith("video/"):
            # https://dev.vk.com/ru/method/video.save — returns an upload URL; the upload answers the ids.
            target = self.api.call(
                c.VIDEO_SAVE, {"group_id": self.group_id, "name": item.name, "wallpost": False}
            )
            uploaded = self.api.upload(target["upload_url"], "video_file", item)
            return f"video{uploaded.get('owner_id', self.owner_id)}_{uploaded['video_id']}"
        server = self.api.call(c.PHOTOS_GET_WALL_UPLOAD_SERVER, {"group_id": self.group_id}, read=True)
        uploaded = self.api.upload(server["upload_url"], "photo", item)
        photo = self.api.call(
            c.PHOTOS_SAVE_WALL_PHOTO,
            {
                "group_id": self.group_id,
                "server": uploaded["server"],
                "photo": uploaded["photo"],
                "hash": uploaded["hash"],
                "caption": item.alt_text or None,
            },
        )[0]
        return f"photo{photo['owner_id']}_{photo['id']}"

    def find_published(self, draft: PostDraft) -> PublishResult | None:
        """Our recent wall posts with the draft's text (VK does not expose the guid on read)."""
        answer = self.api.call(
            c.WALL_GET,
            {"owner_id": self.owner_id, "count": c.RECONCILE_LOOKBACK_POSTS, "filter": "owner"},
            read=True,
        )
        for post in answer.get("items") or ():
            if post.get("text", "").strip() == draft.text.strip():
                return mappers.publish_result(post["owner_id"], post["id"])
        return None

    # Reading --------------------------------------------------------------------------------
    def fetch_comments(self, *, post_id: str, cursor: str = "") -> Page:
        """Comments (and the thread replies VK includes) under ``post_id`` after comment id ``cursor``."""
        owner_id, post = _split(post_id)[:2]
        params: dict[str, Any] = {
            "owner_id": owner_id, "post_id": post, "count": c.COMMENTS_PAGE, "sort": "asc",
            "extended": True, "thread_items_count": 10,
        }  # fmt: skip
        if cursor:
            params["start_comment_id"] = int(cursor)
        answer = self.api.call(c.WALL_GET_COMMENTS, params, read=True)
        refs = mappers.authors(answer)
        after = int(cursor or 0)
        fresh = [
            comment
            for comment in mappers.flatten_comments(answer.get("items") or ())
            if comment["id"] > after
            and comment.get("from_id") != self.owner_id
            and not comment.get("deleted")
        ]
        items = tuple(mappers.comment_to_item(cm, owner_id=owner_id, post=post, refs=refs) for cm in fresh)
        newest = max([after, *(comment["id"] for comment in fresh)])
        more = len(answer.get("items") or ()) >= c.COMMENTS_PAGE
        return Page(items=items, cursor=str(newest) if newest else cursor, has_more=more)

    def fetch_mentions(self, *, cursor: str = "") -> Page:
        """Public posts naming the community (its screen name), from ``newsfeed.search``."""
        return self._newsfeed(self.group().get("screen_name") or f"club{self.group_id}", cursor)

    def search(self, query: str, *, cursor: str = "") -> Page:
        return self._newsfeed(query, cursor)

    def _newsfeed(self, query: str, cursor: str) -> Page:
        """Cursor: ``"<epoch>|<ids seen at that second>"`` — start_time is inclusive, so posts of the same
        second are filtered out by id instead of being lost."""
        since, _, seen_text = cursor.partition("|")
        seen = set(filter(None, seen_text.split(",")))
        params: dict[str, Any] = {"q": query, "count": c.SEARCH_PAGE, "extended": True}
        if since:
            params["start_time"] = int(since)
        token = self.credentials.secret("service_token")
        answer = self.api.call(c.NEWSFEED_SEARCH, params, token=token, read=True)
        refs = mappers.authors(answer)
        posts = sorted(answer.get("items") or (), key=lambda post: (post["date"], post["id"]))
        items = [
            mappers.wall_post_to_mention(post, refs)
            for post in posts
            if post.get("owner_id") != self.owner_id
            and mappers.post_id(post["owner_id"], post["id"]) not in seen
        ]
        if not items:
            return Page(cursor=cursor)
        newest = max(int(item.created_at.timestamp()) for item in items)
        at_newest = [item.external_id for item in items if int(item.created_at.timestamp()) == newest]
        if str(newest) == since:
            at_newest += sorted(seen)
        return Page(
            items=tuple(items),
            cursor=f"{newest}|{','.join(at_newest)}",
            has_more=bool(answer.get("next_from")),
        )

    def fetch_metrics(self, remote_ids: Sequence[str]) -> dict[str, Metrics]:
        if not remote_ids:
            return {}
        answer = self.api.call(c.WALL_GET_BY_ID, {"posts": ",".join(remote_ids)}, read=True)
        posts = answer.get("items") if isinstance(answer, dict) else answer
        now = datetime.now(UTC)
        return {m.remote_id: m for m in (mappers.metrics(post, now) for post in posts or ())}

    # Engaging -------------------------------------------------------------------------------
    def reply(self, *, parent_id: str, draft: PostDraft) -> PublishResult:
        """Comment under our post (``parent_id`` a post id) or answer a comment (a comment id), as the
        community, with the idempotency key as ``guid``."""
        if len(draft.text) > c.MAX_COMMENT_CHARS or draft.poll is not None:
            raise errors.ContentRejected(
                problems=[
                    ValidationProblem("text", "too_long", "A VK comment is text up to 16384 characters.")
                ]
            )
        self.ensure_valid(draft)
        owner_id, post, *comment = _split(parent_id)
        answer = self.api.call(
            c.WALL_CREATE_COMMENT,
            {
                "owner_id": owner_id,
                "post_id": post,
                "from_group": self.group_id,
                "message": draft.text,
                "reply_to_comment": comment[0] if comment else None,
                "guid": draft.idempotency_key[: c.GUID_MAX_CHARS] or None,
            },
        )
        comment_id = answer["comment_id"]
        return PublishResult(
            remote_id=f"{mappers.post_id(owner_id, post)}_{comment_id}",
            url=mappers.post_url(owner_id, post, comment_id),
            published_at=datetime.now(UTC),
        )

    # Webhooks -------------------------------------------------------------------------------
    def webhook_challenge(
        self, *, method: str, query: Mapping[str, str], body: bytes, secret: str
    ) -> WebhookChallenge | None:
        if method.upper() != "POST":
            return None
        return webhooks.challenge(
            body, group_id=self.group_id, confirmation_code=self.credentials.secret("confirmation_code")
        )

    def verify_webhook(self, *, headers: Mapping[str, str], body: bytes, secret: str) -> bool:
        return webhooks.verify(body, secret=secret, group_id=self.group_id)

    def parse_webhook(self, *, headers: Mapping[str, str], body: bytes) -> list[WebhookEvent]:
        return webhooks.parse(body, group_id=self.group_id)


def _split(remote_id: str) -> tuple[int, ...]:
    try:
        return mappers.split_id(remote_id)
    except ValueError:
        raise errors.PermanentError(f"Not a VK post or comment id: {remote_id!r}") from None
