"""Instagram professional account (Instagram API with Facebook Login): images, carousels and reels through
the container flow, comments, mentions, replies, hiding, insights, webhooks.

Credentials: ``access_token`` (the Page token of the Facebook Page linked to the account, with the
``instagram_*`` permissions), ``ig_user_id`` and ``app_secret``.

Publishing is two steps (https://developers.facebook.com/docs/instagram-platform/content-publishing):
create a container (Meta downloads the media from a PUBLIC URL — so ``MediaItem.source`` must be an
``https://`` address), wait until its ``status_code`` is FINISHED, then ``media_publish`` it. A lost answer
while creating containers published nothing (TransientError). A lost answer to ``media_publish`` is
OutcomeUnknown; the container is then the reconciliation handle: ``find_published`` asks whether it is
PUBLISHED before looking for the new media. The 24-hour publishing quota is read at run time
(``content_publishing_limit``) before each publish.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from kopiena.connectors import errors
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.facebook import webhooks as meta_webhooks
from kopiena.connectors.facebook.connector import MetaConnector
from kopiena.connectors.facebook.containers import (
    PUBLISHED,
    ContainerFields,
    container_code,
    recent_post_with_text,
    wait_until_finished,
)
from kopiena.connectors.facebook.mappers import newer_than
from kopiena.connectors.instagram import constants as c
from kopiena.connectors.instagram import mappers, webhooks
from kopiena.connectors.types import (
    AccountCredentials,
    AccountInfo,
    AccountStats,
    ItemKind,
    Limits,
    MediaItem,
    Metrics,
    Page,
    PostDraft,
    PublishResult,
    RemoteItem,
    ValidationProblem,
    WebhookEvent,
)

HASHTAG = re.compile(r"(?<!\w)#\w+")
MENTION = re.compile(r"(?<![\w.])@[\w.]+")
COMMENT_FIELDS = "id,text,timestamp,username,from,hidden,replies{id,text,timestamp,username,from}"
MEDIA_FIELDS = "id,caption,timestamp,username,permalink"
CONTAINER = ContainerFields(platform="Instagram", code="status_code", words="status")


class InstagramConnector(MetaConnector):
    key = "instagram"
    media_by_url = True  # Meta fetches each image or video from a public https:// address
    name = "Instagram"
    capabilities = frozenset(
        {
            Capability.ACCOUNT_STATS,
            Capability.PUBLISH,
            Capability.PUBLISH_MEDIA,
            Capability.RECONCILE,
            Capability.READ_COMMENTS,
            Capability.READ_MENTIONS,
            Capability.REPLY,
            Capability.HIDE,
            Capability.METRICS,
            Capability.WEBHOOKS,
        }
    )
    limits = Limits(
        max_text_length=c.MAX_CAPTION_CHARS,
        max_media=c.MAX_CAROUSEL_ITEMS,
        max_image_bytes=c.MAX_IMAGE_BYTES,
        max_video_bytes=c.MAX_VIDEO_BYTES,
        media_mime_types=c.IMAGE_TYPES | c.VIDEO_TYPES,
    )
    credential_fields: ClassVar[tuple[str, ...]] = ("access_token", "ig_user_id", "app_secret")
    docs_url = "https://developers.facebook.com/docs/instagram-platform"
    id_field = "ig_user_id"
    # Meta downloads the media itself: callers must give each MediaItem a public http(s) address as
    # ``source`` (a local file is refused by ``validate`` with code "needs_url").
    media_by_url: ClassVar[bool] = True
    poll_interval_seconds: float = c.CONTAINER_POLL_SECONDS

    def __init__(self, credentials: AccountCredentials, **options):
        super().__init__(credentials, **options)
        # idempotency key → container id, for reconciliation by the same worker after OutcomeUnknown.
        self._containers: dict[str, str] = {}

    @property
    def ig_user_id(self) -> str:
        return self.credentials.secret("ig_user_id")

    # Account --------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        user = self.api.get(
            c.IG_USER.format(ig_user_id=self.ig_user_id),
            {"fields": "id,username,name,followers_count,profile_picture_url"},
        )
        return mappers.account_info(user)

    def fetch_account_stats(self) -> AccountStats:
        """followers_count / follows_count / media_count of the IG user (Graph API IG User fields)."""
        user = self.api.get(
            c.IG_USER.format(ig_user_id=self.ig_user_id),
            {"fields": "followers_count,follows_count,media_count"},
        )
        return AccountStats(
            collected_at=datetime.now(UTC),
            followers=user.get("followers_count"),
            following=user.get("follows_count"),
            posts=user.get("media_count"),
        )

    # Publishing -----------------------------------------------------------------------------
    def validate(self, draft: PostDraft) -> list[ValidationProblem]:
        problems = super().validate(draft)
        if not draft.media:
            problems.append(
                ValidationProblem("media", "required", "An Instagram post needs an image or a video.")
            )
        if draft.link:
            problems.append(
                ValidationProblem("link", "unsupported", "Links in Instagram captions are not clickable.")
            )
        hashtags, mentions = len(HASHTAG.findall(draft.text)), len(MENTION.findall(draft.text))
        if hashtags > c.MAX_HASHTAGS:
            problems.append(
                ValidationProblem(
                    "text",
                    "too_many_hashtags",
                    f"{hashtags} hashtags; at most {c.MAX_HASHTAGS}.",
                    c.MAX_HASHTAGS,
                )
            )
        if mentions > c.MAX_MENTIONS:
            problems.append(
                ValidationProblem(
                    "text",
                    "too_many_mentions",
                    f"{mentions} @mentions; at most {c.MAX_MENTIONS}.",
                    c.MAX_MENTIONS,
                )
            )
        return problems

    def _validate_media(self, draft: PostDraft) -> list[ValidationProblem]:
        """Meta fetches the media itself, so each item must be an http(s) address; its size is Meta's to check."""
        problems: list[ValidationProblem] = []
        if len(draft.media) > c.MAX_CAROUSEL_ITEMS:
            problems.append(
                ValidationProblem(
                    "media", "too_many", f"{len(draft.media)} items; a carousel holds at most {c.MAX_CAROUSEL_ITEMS}.",
                    c.MAX_CAROUSEL_ITEMS,
                )
            )  # fmt: skip
        for index, item in enumerate(draft.media):
            field = f"media[{index}]"
            if not _is_url(item):
                problems.append(
                    ValidationProblem(
                        field, "needs_url", f"{item.name}: Instagram fetches media from a public address."
                    )
                )
            elif item.mime_type not in self.limits.media_mime_types:
                problems.append(
                    ValidationProblem(field, "bad_type", f"{item.name}: {item.mime_type} is not accepted.")
                )
        return problems

    def publish(self, draft: PostDraft) -> PublishResult:
        self.ensure_valid(draft)
        self._check_quota()
        container = self._prepare(lambda: self._container(draft))
        self._wait_until_finished(container)
        self._containers[draft.idempotency_key] = container
        answer = self.api.post(
            c.IG_USER_MEDIA_PUBLISH.format(ig_user_id=self.ig_user_id), {"creation_id": container}
        )
        return PublishResult(remote_id=str(answer["id"]), published_at=datetime.now(UTC))

    def _check_quota(self) -> None:
        answer = self.api.get(
            c.IG_USER_PUBLISHING_LIMIT.format(ig_user_id=self.ig_user_id), {"fields": "config,quota_usage"}
        )
        row = (answer.get("data") or [{}])[0]
        total = int((row.get("config") or {}).get("quota_total") or c.DEFAULT_PUBLISH_QUOTA)
        if int(row.get("quota_usage") or 0) >= total:
            raise errors.RateLimited(
                f"Instagram's publishing limit of {total} posts a day is reached.", retry_after_seconds=3600
            )

    def _container(self, draft: PostDraft) -> str:
        media_path = c.IG_USER_MEDIA.format(ig_user_id=self.ig_user_id)
        if len(draft.media) == 1:
            fields = {**_media_fields(draft.media[0], reel=True), "caption": draft.text}
            return str(self.api.post(media_path, fields)["id"])
        children = [
            str(
                self.api.post(media_path, {**_media_fields(item, reel=False), "is_carousel_item": True})["id"]
            )
            for item in draft.media
        ]
        for child in children:
            self._wait_until_finished(child)
        fields = {"media_type": "CAROUSEL", "children": ",".join(children), "caption": draft.text}
        return str(self.api.post(media_path, fields)["id"])

    def _container_status(self, container: str) -> dict[str, Any]:
        return self.api.get(c.IG_CONTAINER.format(container_id=container), {"fields": CONTAINER.query})

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
            c.IG_USER_MEDIA.format(ig_user_id=self.ig_user_id), {"fields": MEDIA_FIELDS, "limit": 25}
        )
        found = recent_post_with_text(answer.get("data") or (), text_field="caption", text=draft.text)
        if found is None and container:  # published, but not listed yet: ask again later, never twice
            raise errors.TransientError("Instagram published the post but does not list it yet.")
        return found

    # Reading --------------------------------------------------------------------------------
    def fetch_comments(self, *, post_id: str, cursor: str = "") -> Page:
        answer = self.api.get(
            c.IG_MEDIA_COMMENTS.format(media_id=post_id), {"fields": COMMENT_FIELDS, "limit": 50}
        )
        items = [
            item
            for item in mappers.flatten_comments(answer.get("data") or (), media_id=post_id)
            if item.author.id != self.ig_user_id
        ]
        return newer_than(items, cursor)

    def fetch_mentions(self, *, cursor: str = "") -> Page:
        """Media in which the account is tagged (``/tags``)."""
        answer = self.api.get(
            c.IG_USER_TAGS.format(ig_user_id=self.ig_user_id), {"fields": MEDIA_FIELDS, "limit": 50}
        )
        return newer_than((mappers.media_to_mention(media) for media in answer.get("data") or ()), cursor)

    def fetch_metrics(self, remote_ids: Sequence[str]) -> dict[str, Metrics]:
        now = datetime.now(UTC)
        metrics: dict[str, Metrics] = {}
        for media_id in remote_ids:
            try:
                insights = self.api.get(
                    c.IG_MEDIA_INSIGHTS.format(media_id=media_id),
                    {"metric": "likes,comments,shares,saved,views"},
                )
            except errors.ContentRejected:  # deleted media: "Unsupported get request"
                continue
            metrics[media_id] = mappers.insights_metrics(media_id, insights, now)
        return metrics

    # Engaging -------------------------------------------------------------------------------
    def reply(self, *, parent_id: str, draft: PostDraft) -> PublishResult:
        """Answer a comment (``parent_id`` a comment id) with text."""
        if draft.media or draft.poll or not draft.text.strip() or len(draft.text) > c.MAX_COMMENT_CHARS:
            raise errors.ContentRejected(
                problems=[
                    ValidationProblem(
                        "text", "comment", f"A reply is text of 1–{c.MAX_COMMENT_CHARS} characters."
                    )
                ]
            )
        answer = self.api.post(c.IG_COMMENT_REPLIES.format(comment_id=parent_id), {"message": draft.text})
        return PublishResult(remote_id=str(answer["id"]), published_at=datetime.now(UTC))

    def hide(self, remote_id: str) -> None:
        self.api.post(c.IG_COMMENT.format(comment_id=remote_id), {"hide": True})

    def unhide(self, remote_id: str) -> None:
        self.api.post(c.IG_COMMENT.format(comment_id=remote_id), {"hide": False})

    # Webhooks -------------------------------------------------------------------------------
    def parse_webhook(self, *, headers: Mapping[str, str], body: bytes) -> list[WebhookEvent]:
        return meta_webhooks.parse(body, webhooks.change_parser(self.ig_user_id, self._lookup_mention))

    def _lookup_mention(self, value: Mapping[str, Any]) -> RemoteItem | None:
        """A ``mentions`` change names only ids; read the comment or caption that mentions us
        (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/mentioned_comment)."""
        user = c.IG_USER.format(ig_user_id=self.ig_user_id)
        if value.get("comment_id"):
            field = f"mentioned_comment.comment_id({value['comment_id']}){{id,text,timestamp,username,media{{id}}}}"
            found = self.api.get(user, {"fields": field}).get("mentioned_comment")
            if not found:
                return None
            media_id = str((found.get("media") or {}).get("id") or value.get("media_id", ""))
            item = mappers.comment_to_item(found, media_id=media_id)
            return dataclasses.replace(item, kind=ItemKind.MENTION)
        field = (
            f"mentioned_media.media_id({value.get('media_id')}){{id,caption,timestamp,username,permalink}}"
        )
        found = self.api.get(user, {"fields": field}).get("mentioned_media")
        return mappers.media_to_mention(found) if found else None


def _is_url(item: MediaItem) -> bool:
    return isinstance(item.source, str) and item.source.startswith(("https://", "http://"))


def _media_fields(item: MediaItem, *, reel: bool) -> dict[str, Any]:
    """Container fields for one image or video (a lone video is a reel; in a carousel it is a VIDEO)."""
    if item.mime_type.startswith("video/"):
        return {"media_type": "REELS" if reel else "VIDEO", "video_url": item.source}
    return {"image_url": item.source, "alt_text": item.alt_text or None}
