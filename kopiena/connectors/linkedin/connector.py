"""LinkedIn Page (an organisation) through the Community Management API: text, article-link, image and
multi-image posts, comments into the inbox, answers, organisation statistics.

Credentials: ``access_token`` (a member token of a Page administrator with the organisation scopes) and
``organization_id``. "Sign in with LinkedIn" also stores ``refresh_token``, ``token_expires_at``,
``client_id`` and ``client_secret`` (LinkedIn gives refresh tokens to approved partner apps only); with them
a token in its last week is renewed and handed back through ``updated_secrets``.

Text goes out in LinkedIn's "little" format (``little.py``): reserved characters are escaped, or LinkedIn
silently cuts the post at the first one. LinkedIn has no idempotency key, but it refuses a post identical to
a recent one ("Content is a duplicate of urn:li:share:…", 422): a retry after a lost answer therefore learns
the id of the post that did go out. ``find_published`` also looks among the Page's recent posts.
Endpoints: :mod:`.constants`. LinkedIn has no "hide": comments are only ever answered, never removed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from kopiena.connectors import errors
from kopiena.connectors.base import ConnectKind, Connector
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.linkedin import constants as c
from kopiena.connectors.linkedin.little import from_little, to_little
from kopiena.connectors.tokens import renewed_access
from kopiena.connectors.types import (
    AccountInfo,
    AccountRef,
    ItemKind,
    Limits,
    MediaItem,
    Metrics,
    Page,
    PostDraft,
    PublishResult,
    RemoteItem,
    ValidationProblem,
)

DUPLICATE = re.compile(r"duplicate of (urn:li:(?:share|ugcPost):\d+)")
COMMENT_OBJECT = re.compile(r"^urn:li:comment:\((urn:li:[a-zA-Z]+:\d+),")
RECONCILE_WINDOW_SECONDS = 24 * 3600
REFRESH_WHEN_SECONDS_LEFT = 7 * 24 * 3600


def enc(urn: str) -> str:
    """A URN inside a Rest.li path or ``List(…)``: every reserved character percent-encoded."""
    return quote(urn, safe="")


def seconds_until_utc_midnight(now: datetime | None = None) -> float:
    now = now or datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(60.0, (midnight - now).total_seconds())


class LinkedInConnector(Connector):
    key = "linkedin"
    name = "LinkedIn Page"
    docs_url = "https://learn.microsoft.com/en-us/linkedin/marketing/community-management/"
    default_base_url = c.DEFAULT_BASE_URL
    connect = ConnectKind.TOKEN  # "Sign in with LinkedIn" when the operator configured an app
    credential_fields: ClassVar[tuple[str, ...]] = ("access_token", "organization_id")
    kept_fields: ClassVar[tuple[str, ...]] = (
        "refresh_token",
        "token_expires_at",
        "client_id",
        "client_secret",
    )
    secret_fields: ClassVar[tuple[str, ...]] = ("access_token", "refresh_token", "client_secret")
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.PUBLISH_MEDIA,
            Capability.RECONCILE,
            Capability.READ_COMMENTS,
            Capability.REPLY,
            Capability.METRICS,
        }
    )
    limits = Limits(
        max_text_length=c.MAX_TEXT_CHARS,
        max_media=c.MAX_IMAGES,
        max_image_bytes=c.MAX_IMAGE_BYTES,
        media_mime_types=c.IMAGE_TYPES,
        max_alt_text_length=c.MAX_ALT_TEXT_CHARS,
    )
    requests_per_second = 2.0
    burst = 10
    clock = staticmethod(time.time)

    def __init__(self, credentials, **kwargs):
        super().__init__(credentials, **kwargs)
        self._access = credentials.secret("access_token")
        try:
            self._expires_at = float(credentials.secret("token_expires_at") or 0)
        except ValueError:
            self._expires_at = 0.0
        self._changed: dict[str, str] = {}
        self._checked_token = False

    @property
    def organization(self) -> str:
        raw = self.credentials.secret("organization_id").strip()
        return raw if raw.startswith("urn:li:") else f"urn:li:organization:{raw}"

    def updated_secrets(self) -> dict[str, str]:
        return dict(self._changed)

    # HTTP, errors, token ----------------------------------------------------------------------
    def map_error(self, response: httpx.Response, words: str):
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError):
            body = {}
        body = body if isinstance(body, dict) else {}
        code = str(body.get("code") or "")
        message = self.http.scrub(str(body.get("message") or words))
        details = {"platform_message": message, "status": response.status_code}
        status = response.status_code
        if status == 401:
            return errors.AuthExpired(f"LinkedIn no longer accepts the token: {message}", **details)
        if status == 403:
            return errors.AccountDisconnected(
                f"LinkedIn refused: a permission or the Page role is missing; reconnect. {message}", **details
            )
        if status == 429:
            # Daily quotas that reset at midnight UTC; LinkedIn usually sends no Retry-After, but honour one.
            try:
                wait = float(response.headers.get("Retry-After") or 0) or seconds_until_utc_midnight()
            except ValueError:
                wait = seconds_until_utc_midnight()
            self.http.rate_limiter.block(self.http.account_key, wait)
            return errors.RateLimited(
                f"LinkedIn's daily limit is spent: {message}", retry_after_seconds=wait, **details
            )
        if status in (400, 409, 422) or code in {"ILLEGAL_ARGUMENT", "UNPROCESSABLE_ENTITY"}:
            return errors.ContentRejected(f"LinkedIn refused: {message}", **details)
        return None

    def _headers(self) -> dict[str, str]:
        if not self._checked_token:
            self._checked_token = True
            self._refresh_if_due()
        return {
            "Authorization": f"Bearer {self._access}",
            "LinkedIn-Version": c.API_VERSION,
            "X-Restli-Protocol-Version": c.RESTLI_PROTOCOL,
        }

    def _refresh_if_due(self) -> None:
        refresh = self.credentials.secret("refresh_token")
        if not (refresh and self._expires_at):
            return
        left = self._expires_at - self.clock()
        if left > REFRESH_WHEN_SECONDS_LEFT:
            return
        answer = self.http.post(
            self._token_url(),
            data={"grant_type": "refresh_token", "refresh_token": refresh,
                  "client_id": self.credentials.secret("client_id"),
                  "client_secret": self.credentials.secret("client_secret")},
        ).json()  # fmt: skip
        renewed = renewed_access(
            self.http, answer, now=self.clock(), default_lifetime=0, expires_field="token_expires_at"
        )
        if renewed is None:
            return
        self._access, self._expires_at = renewed.token, renewed.expires_at
        self._changed.update(renewed.changed)

    def _token_url(self) -> str:
        return (
            c.OAUTH_TOKEN_URL if self.base_url == c.DEFAULT_BASE_URL else self.base_url + c.OAUTH_TOKEN_PATH
        )

    def _get(self, path: str, query: str = "") -> dict[str, Any]:
        url = f"{self.base_url}{path}" + (f"?{query}" if query else "")
        return self.http.get(url, headers=self._headers()).json()

    def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(f"{self.base_url}{path}", json=body, headers=self._headers())

    # Account --------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        org_id = self.organization.rsplit(":", 1)[-1]
        org = self._get(c.ORGANIZATION.format(id=org_id))
        size = self._get(
            c.NETWORK_SIZE.format(urn=enc(self.organization)), "edgeType=COMPANY_FOLLOWED_BY_MEMBER"
        )
        vanity = org.get("vanityName") or ""
        return AccountInfo(
            external_id=self.organization,
            handle=vanity or org_id,
            name=org.get("localizedName") or vanity or org_id,
            url=f"https://www.linkedin.com/company/{vanity or org_id}/",
            followers_count=size.get("firstDegreeSize"),
        )

    # Publishing -----------------------------------------------------------------------------
    def validate(self, draft: PostDraft) -> list[ValidationProblem]:
        problems = super().validate(draft)
        if draft.link and draft.media:
            problems.append(
                ValidationProblem(
                    "link", "link_or_media", "A LinkedIn post carries either a link card or images, not both."
                )
            )
        return problems

    def publish(self, draft: PostDraft) -> PublishResult:
        self.ensure_valid(draft)
        body: dict[str, Any] = {
            "author": self.organization,
            "commentary": to_little(draft.text),
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }  # fmt: skip
        if draft.link:
            body["content"] = {"article": {"source": draft.link, "title": _article_title(draft)}}
        elif draft.media:
            images = self._prepare(lambda: [self._upload_image(item) for item in draft.media])
            if len(images) == 1:
                body["content"] = {"media": images[0]}
            else:
                body["content"] = {"multiImage": {"images": images}}
        try:
            response = self._post(c.POSTS, body)
        except errors.ContentRejected as exc:
            duplicate = DUPLICATE.search(exc.platform_message or str(exc))
            if duplicate:  # our earlier attempt went out; LinkedIn names it
                return PublishResult(remote_id=duplicate.group(1), url=_post_url(duplicate.group(1)))
            raise
        remote_id = response.headers.get("x-restli-id", "")
        if not remote_id:
            raise errors.OutcomeUnknown("LinkedIn accepted the post but did not say its id.")
        return PublishResult(remote_id=remote_id, url=_post_url(remote_id), published_at=datetime.now(UTC))

    def _upload_image(self, item: MediaItem) -> dict[str, str]:
        answer = self._post(
            c.IMAGES_INITIALIZE, {"initializeUploadRequest": {"owner": self.organization}}
        ).json()
        value = answer.get("value") or {}
        upload_url, image = value.get("uploadUrl"), value.get("image")
        if not (upload_url and image):
            raise errors.TransientError("LinkedIn did not give an upload address for the image.")
        self.http.put(
            upload_url,
            content=item.read_bytes(),
            headers={"Authorization": f"Bearer {self._access}", "Content-Type": item.mime_type},
            idempotent=True,
        )
        found = {"id": image}
        if item.alt_text:
            found["altText"] = item.alt_text
        return found

    def find_published(self, draft: PostDraft) -> PublishResult | None:
        query = f"q=author&author={enc(self.organization)}&count=20&sortBy=LAST_MODIFIED"
        answer = self._get(c.POSTS, query)
        now = datetime.now(UTC)
        for post in answer.get("elements") or ():
            created = datetime.fromtimestamp(int(post.get("createdAt") or 0) / 1000, tz=UTC)
            recent = (now - created).total_seconds() <= RECONCILE_WINDOW_SECONDS
            if recent and from_little(post.get("commentary", "")).strip() == draft.text.strip():
                remote_id = str(post["id"])
                return PublishResult(remote_id=remote_id, url=_post_url(remote_id), published_at=created)
        return None

    # Reading --------------------------------------------------------------------------------
    def fetch_comments(self, *, post_id: str, cursor: str = "") -> Page:
        """Comments under the post, oldest first; the cursor is the newest ``created.time`` (ms) seen with
        the ids of that millisecond. Answers to comments are read under their comment."""
        answer = self._get(c.COMMENTS.format(urn=enc(post_id)), "count=100")
        since, _, seen_text = cursor.partition("|")
        seen = set(seen_text.split())  # comment URNs hold commas: the ids are space-separated
        items = sorted(
            (
                _comment_item(comment, post_id)
                for comment in answer.get("elements") or ()
                if comment.get("actor") != self.organization
            ),
            key=lambda item: (item.created_at, item.external_id),
        )
        fresh = [
            i for i in items
            if i.external_id not in seen and (not since or _ms(i) >= int(since))
        ]  # fmt: skip
        if not fresh:
            return Page(items=(), cursor=cursor)
        newest = _ms(fresh[-1])
        same = [i.external_id for i in items if _ms(i) == newest]
        return Page(items=tuple(fresh), cursor=f"{newest}|{' '.join(same)}")

    def fetch_metrics(self, remote_ids: Sequence[str]) -> dict[str, Metrics]:
        shares = [r for r in remote_ids if r.startswith("urn:li:share:")]
        ugc = [r for r in remote_ids if r.startswith("urn:li:ugcPost:")]
        query = f"q=organizationalEntity&organizationalEntity={enc(self.organization)}"
        if shares:
            query += f"&shares=List({','.join(enc(s) for s in shares)})"
        if ugc:
            query += f"&ugcPosts=List({','.join(enc(u) for u in ugc)})"
        if not (shares or ugc):
            return {}
        answer = self._get(c.SHARE_STATISTICS, query)
        now = datetime.now(UTC)
        found: dict[str, Metrics] = {}
        for row in answer.get("elements") or ():
            remote_id = row.get("share") or row.get("ugcPost")
            stats = row.get("totalShareStatistics") or {}
            if remote_id in remote_ids:
                found[remote_id] = Metrics(
                    remote_id=remote_id,
                    collected_at=now,
                    likes=stats.get("likeCount"),
                    replies=stats.get("commentCount"),
                    reposts=stats.get("shareCount"),
                    views=stats.get("impressionCount"),
                )
        return found

    # Engaging -------------------------------------------------------------------------------
    def reply(self, *, parent_id: str, draft: PostDraft) -> PublishResult:
        """Answer a comment (``parent_id`` its comment URN) as the organisation, or comment on a post."""
        if draft.media or draft.poll or not draft.text.strip() or len(draft.text) > c.MAX_COMMENT_CHARS:
            raise errors.ContentRejected(
                problems=[
                    ValidationProblem(
                        "text", "comment", f"A comment is text of 1–{c.MAX_COMMENT_CHARS} characters."
                    )
                ]
            )
        nested = COMMENT_OBJECT.match(parent_id)
        body: dict[str, Any] = {
            "actor": self.organization,
            "object": nested.group(1) if nested else parent_id,
            "message": {"text": to_little(draft.text)},
        }
        if nested:
            body["parentComment"] = parent_id
        answer = self._post(c.COMMENTS.format(urn=enc(parent_id)), body)
        data = answer.json() if answer.content else {}
        remote_id = str(data.get("commentUrn") or data.get("$URN") or answer.headers.get("x-restli-id", ""))
        return PublishResult(remote_id=remote_id, published_at=datetime.now(UTC))


def _article_title(draft: PostDraft) -> str:
    first = next((line.strip() for line in draft.text.splitlines() if line.strip()), "")
    return (first or draft.link)[:200]


def _post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


def _comment_item(comment: dict[str, Any], post_id: str) -> RemoteItem:
    urn = str(comment.get("commentUrn") or comment.get("$URN") or comment.get("id"))
    actor = str(comment.get("actor") or "")
    created = int((comment.get("created") or {}).get("time") or 0)
    return RemoteItem(
        external_id=urn,
        kind=ItemKind.COMMENT,
        text=from_little((comment.get("message") or {}).get("text", "")),
        created_at=datetime.fromtimestamp(created / 1000, tz=UTC),
        author=AccountRef(id=actor, handle=actor.rsplit(":", 1)[-1]),
        parent_id=str(comment.get("parentComment") or post_id),
        thread_id=post_id,
        url=_post_url(post_id),
    )


def _ms(item: RemoteItem) -> int:
    return round(item.created_at.timestamp() * 1000)  # round: float seconds × 1000 can land just below
