"""YouTube (a channel) through the YouTube Data API v3, with httpx via our guarded client.

Publishing is a resumable upload (metadata POST, then one PUT of the bytes, which creates the video); an
optional image in the draft becomes the thumbnail. Comments are read per video from commentThreads (with
their replies), answered with comments.insert and hidden by holding them for review. Google access tokens
last an hour: the connector refreshes them with the stored refresh token (once per call, on a 401 or when
the stored one has expired) and hands the new one back through ``updated_secrets``.

YouTube has no idempotency key, so every upload carries a hidden marker tag (``kopiena-<key>``) and
``find_published`` looks for it among the channel's recent uploads. Endpoints: :mod:`.constants`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from kopiena.connectors.base import ConnectKind, Connector
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.errors import (
    AccountDisconnected,
    AuthExpired,
    ConnectorError,
    ContentRejected,
    PermanentError,
    RateLimited,
)
from kopiena.connectors.tokens import renewed_access
from kopiena.connectors.types import (
    AccountInfo,
    AccountStats,
    Limits,
    MediaItem,
    Metrics,
    Page,
    PostDraft,
    PublishResult,
    ValidationProblem,
    Visibility,
)
from kopiena.connectors.youtube import constants as api
from kopiena.connectors.youtube import mappers
from kopiena.connectors.youtube.oauth import token_url

log = logging.getLogger(__name__)
_PACIFIC = ZoneInfo("America/Los_Angeles")
_PRIVACY = {Visibility.PUBLIC: "public", Visibility.UNLISTED: "unlisted"}
_FORBIDDEN_CHARS = ("<", ">")
_EXPIRY_MARGIN_SECONDS = 60


def seconds_until_quota_reset(now: datetime | None = None) -> float:
    """YouTube's daily quota resets at midnight Pacific Time
    (https://developers.google.com/youtube/v3/getting-started#quota)."""
    now = (now or datetime.now(UTC)).astimezone(_PACIFIC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(60.0, (midnight - now).total_seconds())


def title_and_description(draft: PostDraft) -> tuple[str, str]:
    """The video's title is the draft's first non-empty line; the rest (and the link) its description."""
    lines = draft.text.strip().splitlines()
    title = lines[0].strip() if lines else ""
    description = "\n".join(lines[1:]).strip()
    if draft.link and draft.link not in description and draft.link not in title:
        description = f"{description}\n\n{draft.link}".strip()
    return title, description


def marker_tag(idempotency_key: str) -> str:
    return f"kopiena-{idempotency_key}" if idempotency_key else ""


def _media_parts(draft: PostDraft) -> tuple[list[MediaItem], list[MediaItem]]:
    videos = [m for m in draft.media if m.mime_type.startswith("video/")]
    images = [m for m in draft.media if m.mime_type.startswith("image/")]
    return videos, images


class YouTubeConnector(Connector):
    key = "youtube"
    name = "YouTube"
    docs_url = "https://developers.google.com/youtube/v3/docs"
    # Like Facebook: the token form always works (client id/secret + refresh token); "Sign in with Google"
    # is offered when the operator configured a Google OAuth client (integrations.oauth.YouTubeProvider).
    connect = ConnectKind.TOKEN
    # The refresh token is the lasting credential; access tokens are derived from it and added later.
    credential_fields = ("client_id", "client_secret", "refresh_token")
    default_base_url = api.DEFAULT_BASE_URL
    capabilities = frozenset(
        {
            Capability.ACCOUNT_STATS,
            Capability.PUBLISH,
            Capability.PUBLISH_MEDIA,
            Capability.VISIBILITY,  # public or unlisted
            Capability.READ_COMMENTS,
            Capability.REPLY,
            Capability.HIDE,  # hold for review (unhide: publish again)
            Capability.DELETE,
            Capability.METRICS,
            Capability.RECONCILE,
        }
    )  # No READ_MENTIONS/SEARCH: search.list has its own quota of 100 calls a day, too few to poll.
    # The generic media checks (and the account page's "Video") see the video only; the optional
    # thumbnail image is checked by _validate_media.
    limits = Limits(max_media=1, max_video_bytes=api.MAX_VIDEO_BYTES, media_mime_types=api.VIDEO_TYPES)
    requests_per_second = 2.0
    burst = 10
    clock = staticmethod(time.time)

    def __init__(self, credentials, **kwargs):
        super().__init__(credentials, **kwargs)
        self._access = credentials.secret("access_token")
        try:
            self._expires_at = float(credentials.secret("access_expires_at") or 0)
        except ValueError:
            self._expires_at = 0.0
        self._changed: dict[str, str] = {}
        self._channel: dict[str, Any] | None = None

    def updated_secrets(self) -> dict[str, str]:
        return dict(self._changed)

    # Errors and tokens ----------------------------------------------------------------------
    def map_error(self, response, words: str):
        try:
            error = response.json().get("error")
        except (ValueError, AttributeError):
            error = None
        reasons: set[str] = set()
        if isinstance(error, dict):
            reasons = {str(e.get("reason", "")) for e in error.get("errors") or [] if isinstance(e, dict)}
        status = response.status_code
        kwargs = {"platform_message": words, "status": status}
        if status == 403 and reasons & api.QUOTA_REASONS:
            return RateLimited(
                f"The YouTube API quota for today is used up: {words}",
                retry_after_seconds=seconds_until_quota_reset(),
                **kwargs,
            )
        if status == 403 and reasons & api.RATE_REASONS:
            return RateLimited(f"YouTube asks to slow down: {words}", retry_after_seconds=60.0, **kwargs)
        if status == 403 and reasons & api.DISCONNECTED_REASONS:
            return AccountDisconnected(f"The YouTube channel cannot be used this way: {words}", **kwargs)
        return None

    def _refresh(self) -> None:
        secrets = self.credentials
        try:
            body = self.http.post(
                token_url(self.base_url),
                data={
                    "grant_type": "refresh_token",
                    "client_id": secrets.secret("client_id"),
                    "client_secret": secrets.secret("client_secret"),
                    "refresh_token": secrets.secret("refresh_token"),
                },
                idempotent=True,  # a second access token is harmless
            ).json()
        except (AuthExpired, ContentRejected, PermanentError) as exc:
            if not isinstance(exc, (AuthExpired, ContentRejected)) and exc.status not in (400, 401, 403):
                raise  # a refused address, an unknown endpoint: not the grant's fault
            # invalid_grant: the refresh token was revoked, expired (unused for six months, or the
            # consent screen is in "testing") or the password changed.
            raise AccountDisconnected(
                f"Google no longer accepts Kopiena's access to this channel ({exc.platform_message or exc}). "
                "Connect the channel again.",
                platform_message=exc.platform_message,
                status=exc.status,
            ) from None
        renewed = renewed_access(
            self.http, body, now=self.clock(), default_lifetime=3600, expires_field="access_expires_at"
        )
        if renewed is None:
            raise AccountDisconnected("Google did not return an access token. Connect the channel again.")
        self._access, self._expires_at = renewed.token, renewed.expires_at
        self._changed.update(renewed.changed)

    def _call(self, method: str, url: str, **kwargs) -> httpx.Response:
        """An authenticated call; an expired access token is refreshed ONCE and the call repeated (safe:
        Google refused the first attempt, so nothing was applied)."""
        if not self._access or (
            self._expires_at and self.clock() >= self._expires_at - _EXPIRY_MARGIN_SECONDS
        ):
            self._refresh()
        extra = kwargs.pop("headers", {})
        for attempt in (1, 2):
            headers = {**extra, "Authorization": f"Bearer {self._access}"}
            try:
                return self.http.request(method, url, headers=headers, **kwargs)
            except AuthExpired:
                if attempt == 2:
                    raise
                self._refresh()
        raise AssertionError("unreachable")

    def _get(self, path: str, **params) -> Any:
        return self._call("GET", path, params=params).json()

    def _my_channel(self) -> dict[str, Any]:
        if self._channel is None:
            body = self._get(api.CHANNELS, part="snippet,statistics,contentDetails", mine="true")
            items = body.get("items") or []
            if not items:
                raise AccountDisconnected("This Google account has no YouTube channel.")
            self._channel = items[0]
        return self._channel

    # Account --------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        self._channel = None
        return mappers.account_info(self._my_channel())

    def fetch_account_stats(self) -> AccountStats:
        """Subscribers and videos from channels.list (part=statistics); a hidden subscriber count is None."""
        self._channel = None
        statistics = self._my_channel().get("statistics") or {}
        subscribers = None if statistics.get("hiddenSubscriberCount") else statistics.get("subscriberCount")
        videos = statistics.get("videoCount")
        return AccountStats(
            collected_at=datetime.now(UTC),
            followers=int(subscribers) if subscribers is not None else None,
            posts=int(videos) if videos is not None else None,
        )

    # Publishing -----------------------------------------------------------------------------
    def validate(self, draft: PostDraft) -> list[ValidationProblem]:
        problems = super().validate(draft)  # VISIBILITY is declared: the check below says which
        if draft.visibility not in _PRIVACY:
            problems.append(
                ValidationProblem("visibility", "unsupported", "YouTube videos are public or unlisted here.")
            )
        title, description = title_and_description(draft)
        if not title:
            problems.append(
                ValidationProblem("text", "title_missing", "The first line (the title) is empty.")
            )
        elif len(title) > api.MAX_TITLE_CHARS:
            problems.append(
                ValidationProblem(
                    "text", "title_too_long",
                    f"The title (first line) is {len(title)} characters; the limit is {api.MAX_TITLE_CHARS}.",
                    api.MAX_TITLE_CHARS,
                )
            )  # fmt: skip
        if any(c in title for c in _FORBIDDEN_CHARS):
            problems.append(ValidationProblem("text", "title_bad_chars", "The title may not contain < or >."))
        size = len(description.encode("utf-8"))
        if size > api.MAX_DESCRIPTION_BYTES:
            problems.append(
                ValidationProblem(
                    "text", "description_too_long",
                    f"The description is {size} bytes; the limit is {api.MAX_DESCRIPTION_BYTES}.",
                    api.MAX_DESCRIPTION_BYTES,
                )
            )  # fmt: skip
        if any(c in description for c in _FORBIDDEN_CHARS):
            problems.append(
                ValidationProblem("text", "description_bad_chars", "The description may not contain < or >.")
            )
        videos, images = _media_parts(draft)
        if len(videos) != 1:
            problems.append(
                ValidationProblem("media", "video_required", "A YouTube post needs exactly one video file.")
            )
        if len(images) > 1:
            problems.append(
                ValidationProblem("media", "too_many", "Only one image (the thumbnail) is possible.")
            )
        return problems

    def _validate_media(self, draft: PostDraft) -> list[ValidationProblem]:
        _, images = _media_parts(draft)
        problems = super()._validate_media(
            replace(draft, media=tuple(m for m in draft.media if m not in images))
        )
        for item in images:
            field = f"media[{draft.media.index(item)}]"
            if item.mime_type not in api.THUMBNAIL_TYPES:
                problems.append(
                    ValidationProblem(
                        field, "bad_type", f"{item.name}: a thumbnail must be a JPEG or PNG image."
                    )
                )
                continue
            try:
                size = item.size_bytes
            except OSError:
                problems.append(ValidationProblem(field, "missing", f"{item.name}: the file cannot be read."))
                continue
            if size > api.MAX_THUMBNAIL_BYTES:
                problems.append(
                    ValidationProblem(
                        field, "too_big", f"{item.name}: {size} bytes; a thumbnail may have at most "
                        f"{api.MAX_THUMBNAIL_BYTES}.", api.MAX_THUMBNAIL_BYTES,
                    )
                )  # fmt: skip
        return problems

    def publish(self, draft: PostDraft) -> PublishResult:
        self.ensure_valid(draft)
        videos, images = _media_parts(draft)
        video_file = videos[0]
        title, description = title_and_description(draft)
        snippet: dict[str, Any] = {"title": title, "description": description}
        tag = marker_tag(draft.idempotency_key)
        if tag:
            snippet["tags"] = [tag]
        if draft.language:
            snippet["defaultLanguage"] = draft.language
        metadata = {"snippet": snippet, "status": {"privacyStatus": _PRIVACY[draft.visibility]}}
        content = video_file.read_bytes()
        # Step 1 opens an upload session and creates nothing: safe to repeat after a lost answer.
        start = self._call(
            "POST",
            api.VIDEOS_UPLOAD,
            params={"uploadType": "resumable", "part": "snippet,status"},
            json=metadata,
            headers={
                "X-Upload-Content-Length": str(len(content)),
                "X-Upload-Content-Type": video_file.mime_type,
            },
            idempotent=True,
        )
        session_url = start.headers.get("location", "")
        self._check_session_url(session_url)
        # Step 2 creates the video: never repeated (a lost answer is OutcomeUnknown → find_published).
        video = self._call(
            "PUT",
            session_url,
            content=content,
            headers={"Content-Type": video_file.mime_type},
            idempotent=False,
        ).json()
        result = mappers.publish_result(video)
        if images:
            self._set_thumbnail(result.remote_id, images[0])
        return result

    def _check_session_url(self, session_url: str) -> None:
        """The bearer token goes to the upload session URI too: only if it is on the API's own host."""
        try:
            url = httpx.URL(session_url)
        except (httpx.InvalidURL, TypeError):
            url = None
        if url is None or not session_url or url.host != httpx.URL(self.base_url).host:
            raise PermanentError("YouTube did not open an upload session on its own host.")

    def _set_thumbnail(self, video_id: str, image: MediaItem) -> None:
        """The video exists already: a refused thumbnail (unverified channels may not set custom ones) must
        not make the caller publish again, so it is logged, not raised."""
        try:
            self._call(
                "POST",
                api.THUMBNAILS_SET,
                params={"videoId": video_id},
                content=image.read_bytes(),
                headers={"Content-Type": image.mime_type},
                idempotent=True,  # setting the same thumbnail twice is harmless
            )
        except ConnectorError as exc:
            log.warning("YouTube refused the thumbnail for video %s: %s", video_id, exc)

    def find_published(self, draft: PostDraft) -> PublishResult | None:
        """The video an unconfirmed upload produced: the newest of our recent uploads with the draft's marker
        tag (or, for a draft without a key, the same title and description)."""
        if draft.reply_to:
            return None
        uploads = self._my_channel().get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
        if not uploads:
            return None
        items = (
            self._get(
                api.PLAYLIST_ITEMS, part="snippet", playlistId=uploads, maxResults=api.UPLOADS_LOOKBACK
            ).get("items")
            or []
        )
        title, description = title_and_description(draft)
        ids = [
            (i.get("snippet") or {}).get("resourceId", {}).get("videoId")
            for i in items
            if (i.get("snippet") or {}).get("title") == title
        ]
        ids = [i for i in ids if i]
        if not ids:
            return None
        videos = self._get(api.VIDEOS, part="snippet", id=",".join(ids)).get("items") or []
        tag = marker_tag(draft.idempotency_key)
        for video in videos:
            snippet = video.get("snippet") or {}
            if tag and tag in (snippet.get("tags") or []):
                return mappers.publish_result(video)
            if not tag and (snippet.get("description") or "").strip() == description:
                return mappers.publish_result(video)
        return None

    def delete(self, remote_id: str) -> None:
        try:
            self._call("DELETE", api.VIDEOS, params={"id": remote_id}, idempotent=True)
        except PermanentError as exc:
            if exc.status != 404:  # already gone is what we wanted
                raise

    # Reading --------------------------------------------------------------------------------
    def fetch_comments(self, *, post_id: str, cursor: str = "") -> Page:
        """Comments and replies under the video ``post_id`` newer than ``cursor`` (oldest first), except
        the channel's own. The cursor is ``<newest publishedAt>|<ids at that instant>``."""
        since, seen = _parse_cursor(cursor)
        me = self._my_channel()["id"]
        comments: list[dict[str, Any]] = []
        token = ""
        for _ in range(api.MAX_PAGES):
            params: dict[str, Any] = {
                "part": "snippet,replies",
                "videoId": post_id,
                "maxResults": api.PAGE_SIZE,
                "order": "time",
                "textFormat": "plainText",
            }
            if token:
                params["pageToken"] = token
            body = self._get(api.COMMENT_THREADS, **params)
            for thread in body.get("items") or []:
                snippet = thread.get("snippet") or {}
                comments.append(snippet.get("topLevelComment") or {})
                replies = (thread.get("replies") or {}).get("comments") or []
                if int(snippet.get("totalReplyCount") or 0) > len(replies):
                    replies = self._all_replies(thread["id"])  # the thread only carries a few
                comments += replies
            token = body.get("nextPageToken") or ""
            if not token:
                break
        items = [mappers.comment_item(c, video_id=post_id) for c in comments if c.get("id")]
        fresh = [
            i
            for i in items
            if i.author.id != me
            and (
                since is None or i.created_at > since or (i.created_at == since and i.external_id not in seen)
            )
        ]
        fresh.sort(key=lambda i: (i.created_at, i.external_id))
        # Not has_more even after MAX_PAGES: the cursor has moved to the newest comment, so asking again
        # would only re-read the same pages (a video with over 1,000 threads loses its oldest unread ones).
        return Page(items=tuple(fresh), cursor=_make_cursor(fresh, cursor))

    def _all_replies(self, parent_id: str) -> list[dict[str, Any]]:
        replies: list[dict[str, Any]] = []
        token = ""
        for _ in range(api.MAX_PAGES):
            params: dict[str, Any] = {"part": "snippet", "parentId": parent_id, "maxResults": api.PAGE_SIZE}
            if token:
                params["pageToken"] = token
            body = self._get(api.COMMENTS, textFormat="plainText", **params)
            replies += body.get("items") or []
            token = body.get("nextPageToken") or ""
            if not token:
                break
        return replies

    def fetch_metrics(self, remote_ids: Sequence[str]) -> dict[str, Metrics]:
        collected_at = datetime.now(UTC)
        result: dict[str, Metrics] = {}
        ids = list(dict.fromkeys(remote_ids))
        for start in range(0, len(ids), 50):  # videos.list takes at most 50 ids
            body = self._get(api.VIDEOS, part="statistics", id=",".join(ids[start : start + 50]))
            for video in body.get("items") or []:  # deleted videos are simply missing
                result[video["id"]] = mappers.metrics(video, collected_at=collected_at)
        return result

    # Engaging -------------------------------------------------------------------------------
    def _validate_reply(self, draft: PostDraft) -> None:
        problems = []
        if not draft.text.strip():
            problems.append(ValidationProblem("text", "empty", "The reply is empty."))
        if len(draft.text) > api.MAX_COMMENT_CHARS:
            problems.append(
                ValidationProblem(
                    "text", "too_long", f"A comment may have at most {api.MAX_COMMENT_CHARS} characters.",
                    api.MAX_COMMENT_CHARS,
                )
            )  # fmt: skip
        if draft.media or draft.poll:
            problems.append(ValidationProblem("media", "unsupported", "A YouTube comment is text only."))
        if problems:
            raise ContentRejected(problems=problems)

    def reply(self, *, parent_id: str, draft: PostDraft) -> PublishResult:
        """Answer a comment. YouTube threads are one level deep: an answer to a reply
        (``<thread id>.<reply id>``) goes into the same thread."""
        self._validate_reply(draft)
        thread_id = parent_id.split(".", 1)[0]
        comment = self._call(
            "POST",
            api.COMMENTS,
            params={"part": "snippet"},
            json={"snippet": {"parentId": thread_id, "textOriginal": draft.text}},
        ).json()
        return PublishResult(
            remote_id=comment["id"],
            published_at=mappers.parse_datetime((comment.get("snippet") or {}).get("publishedAt")),
        )

    def _moderate(self, remote_id: str, status: str) -> None:
        self._call(
            "POST",
            api.COMMENTS_MODERATION,
            params={"id": remote_id, "moderationStatus": status},
            idempotent=True,  # setting the same status twice is harmless
        )

    def hide(self, remote_id: str) -> None:
        """Hold the comment for review: it disappears from the video and stays in YouTube Studio, from
        where it can be published again (we never delete negative comments)."""
        self._moderate(remote_id, "heldForReview")

    def unhide(self, remote_id: str) -> None:
        self._moderate(remote_id, "published")

    def reject(self, remote_id: str) -> None:
        """Reject the comment (spam): hidden for good. Not the default ``hide`` — see the moderation policy."""
        self._moderate(remote_id, "rejected")


def _parse_cursor(cursor: str) -> tuple[datetime | None, set[str]]:
    if not cursor:
        return None, set()
    moment, _, ids = cursor.partition("|")
    try:
        return mappers.parse_datetime(moment), set(filter(None, ids.split(",")))
    except ValueError:
        return None, set()


def _make_cursor(fresh: list, previous: str) -> str:
    if not fresh:
        return previous
    newest = fresh[-1].created_at
    since, seen = _parse_cursor(previous)
    ids = {i.external_id for i in fresh if i.created_at == newest}
    if since == newest:
        ids |= seen
    return f"{newest.isoformat()}|{','.join(sorted(ids))}"[:255]
