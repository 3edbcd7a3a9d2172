"""X (a user account) through the X API v2 with an OAuth 2.0 user token: posts with images, polls and
threads, replies and mentions into the inbox, answers, hiding replies, public metrics.

Credentials: ``client_id``, ``client_secret`` and ``refresh_token`` (from "Sign in with X" or pasted).
Access tokens last two hours; the connector refreshes one when the stored one has expired or X answers 401,
and X's refresh tokens are single-use — every refresh returns the next one — so the new pair is handed back
through ``updated_secrets`` and stored right after the call (if it is lost, the account must be reconnected).

X has no idempotency key. It refuses a post identical to a recent one ("duplicate content", 403), so a retry
of a post that did go out is refused rather than doubled; ``find_published`` then finds it among the
account's recent posts. Rate limits are read from ``x-rate-limit-*`` headers: a 429 pauses the account until
``x-rate-limit-reset``. Replies under a post come from recent search (``conversation_id:``), which X offers
from the Basic tier up; on the Free tier X answers 403 and the account page says so.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from kopiena.connectors import errors
from kopiena.connectors.base import ConnectKind, Connector
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.tokens import renewed_access
from kopiena.connectors.types import (
    AccountInfo,
    AccountRef,
    ItemKind,
    Limits,
    Metrics,
    Page,
    PostDraft,
    PublishResult,
    RemoteItem,
    ValidationProblem,
)
from kopiena.connectors.x import constants as c
from kopiena.connectors.x.counting import URL, weighted_length

RECONCILE_WINDOW_SECONDS = 24 * 3600
_EXPIRY_MARGIN_SECONDS = 60


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class XConnector(Connector):
    key = "x"
    name = "X"
    docs_url = "https://docs.x.com/x-api"
    default_base_url = c.DEFAULT_BASE_URL
    connect = ConnectKind.TOKEN  # "Sign in with X" when the operator configured an app
    credential_fields: ClassVar[tuple[str, ...]] = ("client_id", "client_secret", "refresh_token")
    kept_fields: ClassVar[tuple[str, ...]] = ("access_token", "access_expires_at")
    secret_fields: ClassVar[tuple[str, ...]] = ("client_secret", "refresh_token", "access_token")
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.PUBLISH_MEDIA,
            Capability.POLLS,
            Capability.THREADS,
            Capability.RECONCILE,
            Capability.READ_COMMENTS,
            Capability.READ_MENTIONS,
            Capability.REPLY,
            Capability.HIDE,
            Capability.METRICS,
        }
    )
    limits = Limits(
        max_text_length=c.MAX_WEIGHTED_LENGTH,
        max_media=c.MAX_IMAGES,
        max_image_bytes=c.MAX_IMAGE_BYTES,
        media_mime_types=c.IMAGE_TYPES,
        max_alt_text_length=c.MAX_ALT_TEXT_CHARS,
        max_poll_options=c.MAX_POLL_OPTIONS,
        max_poll_option_length=c.MAX_POLL_OPTION_CHARS,
        min_poll_expiry_seconds=c.MIN_POLL_SECONDS,
        max_poll_expiry_seconds=c.MAX_POLL_SECONDS,
    )
    requests_per_second = 1.0
    burst = 10
    clock = staticmethod(time.time)

    def __init__(self, credentials, **kwargs):
        super().__init__(credentials, **kwargs)
        self._access = credentials.secret("access_token")
        self._refresh = credentials.secret("refresh_token")
        try:
            self._expires_at = float(credentials.secret("access_expires_at") or 0)
        except ValueError:
            self._expires_at = 0.0
        self._changed: dict[str, str] = {}
        self._me: dict[str, Any] | None = None

    def updated_secrets(self) -> dict[str, str]:
        return dict(self._changed)

    # Errors, tokens, requests ---------------------------------------------------------------
    def map_error(self, response: httpx.Response, words: str):
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError):
            body = {}
        body = body if isinstance(body, dict) else {}
        detail = self.http.scrub(str(body.get("detail") or body.get("title") or words))
        details = {"platform_message": detail, "status": response.status_code}
        if response.status_code == 429:
            wait = _reset_wait(response.headers)
            self.http.rate_limiter.block(self.http.account_key, wait)
            return errors.RateLimited(f"X asks to wait: {detail}", retry_after_seconds=wait, **details)
        if response.status_code == 401:
            return errors.AuthExpired(f"X no longer accepts the token: {detail}", **details)
        if response.status_code == 403:
            if "duplicate" in detail.lower():
                return errors.ContentRejected(f"X refused a duplicate post: {detail}", **details)
            if body.get("reason") in {"client-not-enrolled", "client-forbidden"} or "tier" in detail.lower():
                return errors.PermanentError(
                    f"X's API plan of this app does not include this: {detail}", **details
                )
            return errors.AccountDisconnected(f"X refused: {detail}", **details)
        if response.status_code in (400, 422):
            return errors.ContentRejected(f"X refused: {detail}", **details)
        return None

    def _token(self) -> str:
        if self._access and self.clock() < self._expires_at - _EXPIRY_MARGIN_SECONDS:
            return self._access
        return self._refresh_access()

    def _refresh_access(self) -> str:
        basic = base64.b64encode(
            f"{self.credentials.secret('client_id')}:{self.credentials.secret('client_secret')}".encode()
        ).decode()
        self.http.add_secret(basic)
        try:
            answer = self.http.post(
                f"{self.base_url}{c.OAUTH_TOKEN_PATH}",
                data={"grant_type": "refresh_token", "refresh_token": self._refresh},
                headers={"Authorization": f"Basic {basic}"},
            ).json()
        except (errors.ContentRejected, errors.AccountDisconnected) as exc:
            # A spent or revoked refresh token ("Value passed for the token was invalid"): only a new
            # consent helps.
            raise errors.AuthExpired(
                f"X did not renew the access; reconnect the account. {exc}",
                platform_message=exc.platform_message,
            ) from None
        renewed = renewed_access(
            self.http, answer, now=self.clock(), default_lifetime=7200, expires_field="access_expires_at"
        )
        if renewed is None:
            raise errors.AuthExpired("X did not renew the access; reconnect the account.")
        self._access, self._expires_at = renewed.token, renewed.expires_at
        self._changed.update(renewed.changed)
        self._refresh = renewed.refresh_token or self._refresh  # single-use: the old one is spent now
        return renewed.token

    def _call(self, method: str, path: str, **kwargs) -> httpx.Response:
        """One request with the access token; on a 401 the token is renewed once and the request repeated."""
        extra = kwargs.pop("headers", {})
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self._token()}", **extra}
            try:
                return self.http.request(method, f"{self.base_url}{path}", headers=headers, **kwargs)
            except errors.AuthExpired:
                if attempt == 2:
                    raise
                self._expires_at = 0.0  # the stored token was revoked early: renew and try again
        raise AssertionError("unreachable")

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._call("GET", path, params=params).json()

    def _me_data(self) -> dict[str, Any]:
        if self._me is None:
            self._me = self._get(c.ME, {"user.fields": c.USER_FIELDS}).get("data") or {}
        return self._me

    # Account --------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        me = self._me_data()
        username = me.get("username", "")
        return AccountInfo(
            external_id=str(me.get("id", "")),
            handle=f"@{username}" if username else str(me.get("id", "")),
            name=me.get("name", ""),
            url=f"https://x.com/{username}" if username else "",
            followers_count=(me.get("public_metrics") or {}).get("followers_count"),
        )

    # Publishing -----------------------------------------------------------------------------
    def text_as_sent(self, draft: PostDraft) -> str:
        return self._text(draft)

    def text_length(self, draft: PostDraft) -> int:
        text = f"{draft.text} {draft.link}" if draft.link and draft.link not in draft.text else draft.text
        return weighted_length(text)

    def validate(self, draft: PostDraft) -> list[ValidationProblem]:
        problems = super().validate(draft)
        if draft.poll and draft.media:
            problems.append(
                ValidationProblem("poll", "poll_or_media", "A post on X has a poll or media, not both.")
            )
        return problems

    def publish(self, draft: PostDraft) -> PublishResult:
        self.ensure_valid(draft)
        body: dict[str, Any] = {"text": self._text(draft)}
        if draft.reply_to:
            body["reply"] = {"in_reply_to_tweet_id": draft.reply_to}
        if draft.poll:
            body["poll"] = {
                "options": list(draft.poll.options),
                "duration_minutes": max(5, draft.poll.expires_in_seconds // 60),
            }
        if draft.media:
            body["media"] = {"media_ids": self._prepare(lambda: [self._upload(item) for item in draft.media])}
        try:
            data = self._call("POST", c.TWEETS, json=body).json().get("data") or {}
        except errors.ContentRejected as exc:
            if "duplicate" in str(exc).lower():
                found = self.find_published(draft)
                if found:  # an earlier attempt went out and X refuses the copy
                    return found
            raise
        remote_id = str(data.get("id") or "")
        if not remote_id:
            raise errors.OutcomeUnknown("X accepted the post but did not say its id.")
        username = self._me_data().get("username", "")
        return PublishResult(
            remote_id=remote_id,
            url=f"https://x.com/{username or 'i'}/status/{remote_id}",
            published_at=datetime.now(UTC),
        )

    @staticmethod
    def _text(draft: PostDraft) -> str:
        return (
            f"{draft.text}\n{draft.link}".strip()
            if draft.link and draft.link not in draft.text
            else draft.text
        )

    def _upload(self, item) -> str:
        answer = self._call(
            "POST",
            c.MEDIA_UPLOAD,
            files={"media": (item.name, item.read_bytes(), item.mime_type)},
            data={"media_category": "tweet_gif" if item.mime_type == "image/gif" else "tweet_image"},
        ).json()
        media_id = str((answer.get("data") or {}).get("id") or "")
        if not media_id:
            raise errors.TransientError("X did not return a media id for the upload.")
        if item.alt_text:
            self._call(
                "POST",
                c.MEDIA_METADATA,
                json={"id": media_id, "metadata": {"alt_text": {"text": item.alt_text}}},
            )
        return media_id

    def find_published(self, draft: PostDraft) -> PublishResult | None:
        me = self._me_data()
        answer = self._get(
            c.USER_TWEETS.format(id=me.get("id", "")), {"max_results": 20, "tweet.fields": "created_at"}
        )
        now = datetime.now(UTC)
        wanted = self._text(draft).strip()
        for tweet in answer.get("data") or ():
            created = parse_time(tweet["created_at"])
            recent = (now - created).total_seconds() <= RECONCILE_WINDOW_SECONDS
            # X shortens links to t.co in the stored text: compare without them.
            if recent and _without_links(tweet.get("text", "")) == _without_links(wanted):
                remote_id = str(tweet["id"])
                return PublishResult(
                    remote_id=remote_id,
                    url=f"https://x.com/{me.get('username') or 'i'}/status/{remote_id}",
                    published_at=created,
                )
        return None

    # Reading --------------------------------------------------------------------------------
    def _page(
        self, path: str, params: dict[str, Any], cursor: str, kind: ItemKind, post_id: str = ""
    ) -> Page:
        """X takes ``since_id``: the cursor is the newest id seen (ids grow with time)."""
        params = {
            **params,
            "tweet.fields": c.TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": c.USER_FIELDS,
        }
        if cursor:
            params["since_id"] = cursor
        answer = self._get(path, params)
        users = {u["id"]: u for u in (answer.get("includes") or {}).get("users") or ()}
        me = str(self._me_data().get("id", ""))
        items = [
            _item(tweet, users.get(tweet.get("author_id"), {}), kind, post_id)
            for tweet in answer.get("data") or ()
            if tweet.get("author_id") != me
        ]
        items.sort(key=lambda i: int(i.external_id))
        newest = (answer.get("meta") or {}).get("newest_id") or (items[-1].external_id if items else cursor)
        return Page(items=tuple(items), cursor=str(newest or cursor))

    def fetch_comments(self, *, post_id: str, cursor: str = "") -> Page:
        return self._page(
            c.SEARCH_RECENT,
            {"query": f"conversation_id:{post_id}", "max_results": 100},
            cursor,
            ItemKind.COMMENT,
            post_id,
        )

    def fetch_mentions(self, *, cursor: str = "") -> Page:
        path = c.USER_MENTIONS.format(id=self._me_data().get("id", ""))
        return self._page(path, {"max_results": 100}, cursor, ItemKind.MENTION)

    def fetch_metrics(self, remote_ids: Sequence[str]) -> dict[str, Metrics]:
        if not remote_ids:
            return {}
        answer = self._get(
            c.TWEETS_LOOKUP, {"ids": ",".join(remote_ids[:100]), "tweet.fields": "public_metrics"}
        )
        now = datetime.now(UTC)
        found = {}
        for tweet in answer.get("data") or ():
            m = tweet.get("public_metrics") or {}
            found[str(tweet["id"])] = Metrics(
                remote_id=str(tweet["id"]),
                collected_at=now,
                likes=m.get("like_count"),
                replies=m.get("reply_count"),
                reposts=m.get("retweet_count"),
                quotes=m.get("quote_count"),
                bookmarks=m.get("bookmark_count"),
                views=m.get("impression_count"),
            )
        return found

    # Engaging -------------------------------------------------------------------------------
    def reply(self, *, parent_id: str, draft: PostDraft) -> PublishResult:
        return self.publish(
            PostDraft(
                text=draft.text, idempotency_key=draft.idempotency_key, media=draft.media, reply_to=parent_id
            )
        )

    def hide(self, remote_id: str) -> None:
        self._call("PUT", c.HIDE_REPLY.format(id=remote_id), json={"hidden": True})

    def unhide(self, remote_id: str) -> None:
        self._call("PUT", c.HIDE_REPLY.format(id=remote_id), json={"hidden": False})


def _reset_wait(headers) -> float:
    try:
        reset = float(headers.get("x-rate-limit-reset") or 0)
    except ValueError:
        reset = 0.0
    if reset:
        return max(1.0, reset - time.time())
    try:
        return max(1.0, float(headers.get("Retry-After") or 900))
    except ValueError:
        return 900.0


def _without_links(text: str) -> str:
    return " ".join(URL.sub("", text).split())


def _item(tweet: dict[str, Any], user: dict[str, Any], kind: ItemKind, post_id: str) -> RemoteItem:
    username = user.get("username", "")
    replied = next(
        (r["id"] for r in tweet.get("referenced_tweets") or () if r.get("type") == "replied_to"), ""
    )
    return RemoteItem(
        external_id=str(tweet["id"]),
        kind=kind,
        text=tweet.get("text", ""),
        created_at=parse_time(tweet["created_at"]),
        author=AccountRef(
            id=str(tweet.get("author_id", "")),
            handle=f"@{username}" if username else "",
            name=user.get("name", ""),
            url=f"https://x.com/{username}" if username else "",
            followers_count=(user.get("public_metrics") or {}).get("followers_count"),
        ),
        parent_id=str(replied or post_id),
        thread_id=str(tweet.get("conversation_id") or post_id),
        url=f"https://x.com/{username or 'i'}/status/{tweet['id']}",
    )
