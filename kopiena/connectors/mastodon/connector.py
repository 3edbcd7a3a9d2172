"""Mastodon (any instance) through its documented REST API, with httpx via our guarded client.

We don't use Mastodon.py: its retries and exceptions would fight the error taxonomy, and our client
already gives timeouts, the SSRF guard and rate limits. Endpoints: :mod:`.constants`.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from kopiena.connectors.base import ConnectKind, Connector
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.errors import AccountDisconnected, PermanentError, TransientError
from kopiena.connectors.mastodon import constants as api
from kopiena.connectors.mastodon import mappers
from kopiena.connectors.types import (
    AccountInfo,
    AccountPosts,
    AccountStats,
    ItemKind,
    Limits,
    MediaItem,
    Metrics,
    Page,
    PostDraft,
    PublishResult,
    StreamEvent,
    ValidationProblem,
    Visibility,
)

log = logging.getLogger(__name__)
_URL = re.compile(r"https?://\S+")
_REMOTE_MENTION = re.compile(r"(@[\w.]+)@[\w.-]+\.\w+")
_VISIBILITY = {
    Visibility.PUBLIC: "public",
    Visibility.UNLISTED: "unlisted",
    Visibility.FOLLOWERS: "private",
    Visibility.DIRECT: "direct",
}
_RESTRICTED = {"private": Visibility.FOLLOWERS, "direct": Visibility.DIRECT}


def compose_text(draft: PostDraft) -> str:
    """The status text: the draft's text with its link appended (Mastodon has no link field)."""
    if draft.link and draft.link not in draft.text:
        return f"{draft.text.rstrip()}\n\n{draft.link}"
    return draft.text


def _normalise(text: str) -> str:
    return " ".join(text.split())


class MastodonConnector(Connector):
    key = "mastodon"
    name = "Mastodon"
    docs_url = "https://docs.joinmastodon.org/api/"
    connect = ConnectKind.OAUTH
    credential_fields = ("access_token",)
    capabilities = frozenset(
        {
            Capability.ACCOUNT_STATS,
            Capability.PUBLISH,
            Capability.PUBLISH_MEDIA,
            Capability.POLLS,
            Capability.THREADS,
            Capability.CONTENT_WARNING,
            Capability.VISIBILITY,
            Capability.IDEMPOTENT_PUBLISH,
            Capability.READ_COMMENTS,
            Capability.READ_MENTIONS,
            Capability.REPLY,
            Capability.DELETE,
            Capability.SEARCH,
            Capability.METRICS,
            Capability.RECONCILE,
            Capability.ACCOUNT_POSTS,
            Capability.EDITS,
            Capability.STREAMING,
        }
    )  # No HIDE: Mastodon cannot hide a reply under your post (only report/block/mute its author).
    limits = Limits(
        max_text_length=api.MAX_CHARACTERS,
        max_media=api.MAX_MEDIA,
        max_image_bytes=api.MAX_IMAGE_BYTES,
        max_video_bytes=api.MAX_VIDEO_BYTES,
        media_mime_types=api.IMAGE_TYPES | api.VIDEO_TYPES,
        max_alt_text_length=api.MAX_ALT_TEXT,
        max_poll_options=api.MAX_POLL_OPTIONS,
        max_poll_option_length=api.MAX_POLL_OPTION_CHARS,
        min_poll_expiry_seconds=api.MIN_POLL_EXPIRY_SECONDS,
        max_poll_expiry_seconds=api.MAX_POLL_EXPIRY_SECONDS,
    )
    requests_per_second = 1.0  # 300 requests / 5 minutes per account
    burst = 30
    media_poll_interval_seconds = 0.5

    _me: AccountInfo | None = None

    # Plumbing -------------------------------------------------------------------------------
    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials.secret('access_token')}"}

    def _get(self, path: str, **kwargs) -> Any:
        return self.http.get(path, headers=self._auth, **kwargs).json()

    def map_error(self, response, words: str):
        lowered = words.lower()
        if response.status_code == 401 and "revoked" in lowered:
            return AccountDisconnected(f"Access to the Mastodon account was revoked: {words}", status=401)
        if response.status_code == 403 and any(w in lowered for w in ("suspended", "disabled", "login")):
            return AccountDisconnected(f"The Mastodon account cannot be used: {words}", status=403)
        return None

    def me(self) -> AccountInfo:
        if self._me is None:
            self._me = self.verify()
        return self._me

    # Account --------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        info = mappers.account_info(self._get(api.VERIFY_CREDENTIALS))
        self._me = info
        return info

    # Publishing -----------------------------------------------------------------------------
    def text_as_sent(self, draft: PostDraft) -> str:
        return compose_text(draft)

    def text_length(self, draft: PostDraft) -> int:
        # Mastodon counts every URL as 23 characters, a remote mention by its local part, and
        # the content warning together with the text.
        text = _URL.sub("x" * api.URL_WEIGHT, compose_text(draft))
        text = _REMOTE_MENTION.sub(r"\1", text)
        return len(text) + len(draft.content_warning)

    def validate(self, draft: PostDraft) -> list[ValidationProblem]:
        problems = super().validate(draft)
        if draft.poll is not None and draft.media:
            problems.append(
                ValidationProblem(
                    "poll", "poll_with_media", "Mastodon cannot attach media and a poll together."
                )
            )
        return problems

    def publish(self, draft: PostDraft) -> PublishResult:
        self.ensure_valid(draft)
        media_ids = [self._upload(item) for item in draft.media]
        body: dict[str, Any] = {"status": compose_text(draft), "visibility": _VISIBILITY[draft.visibility]}
        if media_ids:
            body["media_ids"] = media_ids
        if draft.poll is not None:
            body["poll"] = {
                "options": list(draft.poll.options),
                "expires_in": draft.poll.expires_in_seconds,
                "multiple": draft.poll.multiple,
            }
        if draft.reply_to:
            body["in_reply_to_id"] = draft.reply_to
        if draft.content_warning:
            body["spoiler_text"] = draft.content_warning
            body["sensitive"] = True
        if draft.language:
            body["language"] = draft.language
        # Mastodon remembers the key for an hour and answers a repeat with the same status. Every
        # post carries one; without the caller's key it only protects this single request.
        headers = {**self._auth, "Idempotency-Key": draft.idempotency_key or str(uuid.uuid4())}
        status = self.http.post(api.STATUSES, json=body, headers=headers).json()
        return mappers.publish_result(status)

    def _upload(self, item: MediaItem) -> str:
        """Upload one attachment (checked by validate) and wait until the server has processed it.

        Marked idempotent: a repeated upload only leaves an unattached file, which instances
        clean up, so a timeout here may be retried without risking a duplicate post."""
        data = {"description": item.alt_text} if item.alt_text else {}
        response = self.http.post(
            api.MEDIA_UPLOAD,
            headers=self._auth,
            data=data,
            files={"file": (item.name, item.read_bytes(), item.mime_type)},
            idempotent=True,
        )
        media = response.json()
        media_id = str(media["id"])
        if response.status_code == 202 or not media.get("url"):
            for _ in range(api.MEDIA_PROCESSING_POLLS):
                time.sleep(self.media_poll_interval_seconds)
                check = self.http.get(api.MEDIA.format(id=media_id), headers=self._auth, ok_statuses=(206,))
                if check.status_code == 200:
                    break
            else:
                raise TransientError(f"Mastodon is still processing {item.name}; try again later.")
        return media_id

    def find_published(self, draft: PostDraft) -> PublishResult | None:
        # Mastodon cannot look a status up by Idempotency-Key, so scan our recent statuses for
        # one with the same text (links in full: invisible spans kept) and the same parent.
        wanted = _normalise(compose_text(draft))
        statuses = self._get(
            api.ACCOUNT_STATUSES.format(id=self.me().external_id),
            params={"limit": api.PAGE_LIMIT, "exclude_reblogs": "true"},
        )
        for status in statuses:
            same_parent = str(status.get("in_reply_to_id") or "") == (draft.reply_to or "")
            text = _normalise(mappers.html_to_text(status.get("content") or "", keep_invisible=True))
            if same_parent and text == wanted:
                return mappers.publish_result(status)
        return None

    def delete(self, remote_id: str) -> None:
        try:
            self.http.delete(api.STATUS.format(id=remote_id), headers=self._auth, idempotent=True)
        except PermanentError as exc:
            if exc.status != 404:  # already gone is what we wanted
                raise

    # Reading --------------------------------------------------------------------------------
    def fetch_comments(self, *, post_id: str, cursor: str = "") -> Page:
        """Replies under ``post_id`` newer than ``cursor`` — and every edited one, whatever its age (the
        context is read whole anyway; ingest records an edit only when the text changed)."""
        context = self._get(api.STATUS_CONTEXT.format(id=post_id))
        me = self.me().external_id
        fresh = [
            s
            for s in context.get("descendants", [])
            if str(s["account"]["id"]) != me
            and (not cursor or mappers.id_key(str(s["id"])) > mappers.id_key(cursor) or s.get("edited_at"))
        ]
        fresh.sort(key=lambda s: mappers.id_key(str(s["id"])))
        followers = self._followed_by(s["account"]["id"] for s in fresh)
        items = tuple(
            mappers.remote_item(
                s,
                kind=ItemKind.COMMENT,
                thread_id=post_id,
                is_follower=followers.get(str(s["account"]["id"])),
            )
            for s in fresh
        )
        newest = max((i.external_id for i in items), key=mappers.id_key, default="")
        if cursor and (not newest or mappers.id_key(cursor) > mappers.id_key(newest)):
            newest = cursor
        return Page(items=items, cursor=newest)

    def fetch_removed(self, *, post_id: str, remote_ids: Sequence[str]) -> tuple[str, ...]:
        """Comments no longer under ``post_id``: missing from its context, and answering 404 themselves
        (a reply to a deleted comment drops out of the context too, yet still exists). The post itself
        gone: every one of them is checked the same way."""
        wanted = list(dict.fromkeys(remote_ids))
        try:
            context = self._get(api.STATUS_CONTEXT.format(id=post_id))
            present = {str(s["id"]) for s in context.get("descendants", [])}
        except PermanentError as exc:
            if exc.status != 404:
                raise
            present = set()
        removed = []
        for remote_id in wanted:
            if remote_id in present:
                continue
            try:
                self._get(api.STATUS.format(id=remote_id))
            except PermanentError as exc:
                if exc.status == 404:
                    removed.append(remote_id)
                    continue
                raise
        return tuple(removed)

    def stream_mentions(self, *, stop: Callable[[], bool]) -> Iterator[StreamEvent]:
        """The ``user`` stream over Server-Sent Events: ``notification`` events of type mention become
        items (kinds as in :meth:`fetch_mentions`), ``status.update`` edits, ``delete`` removed ids.
        Heartbeats (``:`` lines) yield an empty event so the caller can check ``stop``."""
        me = self.me().external_id
        event, data = "", []
        for line in self.http.stream_lines(
            api.STREAMING_USER, headers=self._auth, read_timeout=api.STREAM_READ_TIMEOUT_SECONDS
        ):
            if stop():
                return
            if line.startswith(":"):
                yield StreamEvent()
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
            elif not line and event:
                payload, event, data = "\n".join(data), event, []
                found = self._stream_event(event, payload, me)
                event = ""
                if found is not None:
                    yield found

    def _stream_event(self, event: str, payload: str, me: str) -> StreamEvent | None:
        try:
            if event == "delete":
                return StreamEvent(removed_ids=(payload.strip().strip('"'),))
            body = json.loads(payload)
            if event == "notification" and body.get("type") == "mention" and body.get("status"):
                status = body["status"]
                follows = self._followed_by([status["account"]["id"]])
                return StreamEvent(items=(self._mention_item(status, me, follows),))
            if event == "status.update" and self._addressed_to(body, me):  # an edit of a mention or reply
                return StreamEvent(items=(self._mention_item(body, me, {}),))
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("Mastodon stream: an event %r that could not be read; skipped", event)
        return None

    @staticmethod
    def _addressed_to(status: dict[str, Any], me: str) -> bool:
        """A status by someone else that mentions us or answers us (the user stream also pushes edits of
        any status in the home timeline: those are not ours to answer)."""
        if str(status.get("account", {}).get("id")) == me:
            return False
        mentioned = {str(m.get("id")) for m in status.get("mentions") or []}
        return me in mentioned or str(status.get("in_reply_to_account_id") or "") == me

    def _mention_item(self, status: dict[str, Any], me: str, followers: dict[str, bool]):
        if status.get("visibility") == "direct":  # a "private mention" is Mastodon's direct message
            kind = ItemKind.MESSAGE
        elif str(status.get("in_reply_to_account_id") or "") == me:
            kind = ItemKind.COMMENT
        else:
            kind = ItemKind.MENTION
        return mappers.remote_item(status, kind=kind, is_follower=followers.get(str(status["account"]["id"])))

    def fetch_mentions(self, *, cursor: str = "") -> Page:
        """Mention notifications: replies to us are COMMENTs, direct-visibility ones MESSAGEs, the
        rest MENTIONs (authors flagged as followers or not)."""
        params: list[tuple[str, Any]] = [("types[]", "mention"), ("limit", api.PAGE_LIMIT)]
        if cursor:
            params.append(("min_id", cursor))  # the page right after the cursor, not the newest
        notifications = self._get(api.NOTIFICATIONS, params=params)
        notifications.sort(key=lambda n: mappers.id_key(str(n["id"])))
        me = self.me().external_id
        with_status = [n for n in notifications if n.get("status")]
        followers = self._followed_by(n["status"]["account"]["id"] for n in with_status)
        items = [self._mention_item(n["status"], me, followers) for n in with_status]
        next_cursor = str(notifications[-1]["id"]) if notifications else cursor
        return Page(items=tuple(items), cursor=next_cursor, has_more=len(notifications) >= api.PAGE_LIMIT)

    def search(self, query: str, *, cursor: str = "") -> Page:
        """A single ``#tag`` reads the hashtag timeline (works on every instance); anything else
        uses full-text search, which only finds what the instance has indexed."""
        params: dict[str, Any] = {"limit": api.PAGE_LIMIT}
        if cursor:
            params["min_id"] = cursor
        tag = query.strip()
        if re.fullmatch(r"#\w+", tag):
            statuses = self._get(api.TAG_TIMELINE.format(tag=tag[1:]), params=params)
        else:
            params.update({"q": query, "type": "statuses", "resolve": "false"})
            statuses = self._get(api.SEARCH, params=params).get("statuses", [])
        statuses.sort(key=lambda s: mappers.id_key(str(s["id"])))
        me = self.me().external_id
        items = tuple(
            mappers.remote_item(s, kind=ItemKind.MENTION) for s in statuses if str(s["account"]["id"]) != me
        )
        next_cursor = str(statuses[-1]["id"]) if statuses else cursor
        return Page(items=items, cursor=next_cursor, has_more=len(statuses) >= api.PAGE_LIMIT)

    def fetch_account_posts(self, account: str, *, cursor: str = "") -> AccountPosts:
        """A public account's own statuses (no boosts, no replies) newer than ``cursor``, with counts.
        ``account`` is ``name``, ``name@instance`` or the numeric id (a name is looked up on each read)."""
        handle = account.strip().lstrip("@")
        account_id = (
            handle if handle.isdigit() else str(self._get(api.ACCOUNT_LOOKUP, params={"acct": handle})["id"])
        )
        params: dict[str, Any] = {
            "limit": api.PAGE_LIMIT,
            "exclude_reblogs": "true",
            "exclude_replies": "true",
        }
        if cursor:
            params["min_id"] = cursor
        statuses = self._get(api.ACCOUNT_STATUSES.format(id=account_id), params=params)
        statuses.sort(key=lambda s: mappers.id_key(str(s["id"])))
        collected_at = datetime.now(UTC)
        items = tuple(mappers.remote_item(s, kind=ItemKind.MENTION) for s in statuses)
        metrics = {str(s["id"]): mappers.metrics(s, collected_at=collected_at) for s in statuses}
        next_cursor = str(statuses[-1]["id"]) if statuses else cursor
        return AccountPosts(
            page=Page(items=items, cursor=next_cursor, has_more=len(statuses) >= api.PAGE_LIMIT),
            metrics=metrics,
        )

    def fetch_account_stats(self) -> AccountStats:
        """followers_count / following_count / statuses_count of the signed-in account."""
        data = self._get(api.VERIFY_CREDENTIALS)
        return AccountStats(
            collected_at=datetime.now(UTC),
            followers=data.get("followers_count"),
            following=data.get("following_count"),
            posts=data.get("statuses_count"),
        )

    def fetch_metrics(self, remote_ids: Sequence[str]) -> dict[str, Metrics]:
        collected_at = datetime.now(UTC)
        result: dict[str, Metrics] = {}
        for remote_id in remote_ids:
            try:
                status = self._get(api.STATUS.format(id=remote_id))
            except PermanentError as exc:
                if exc.status == 404:  # deleted upstream: nothing to measure
                    continue
                raise
            result[remote_id] = mappers.metrics(status, collected_at=collected_at)
        return result

    def _followed_by(self, account_ids: Iterable[Any]) -> dict[str, bool]:
        """Which authors follow us (M8: mentions from non-followers matter). One request per page."""
        ids = sorted({str(i) for i in account_ids})
        if not ids:
            return {}
        try:
            relationships = self._get(api.RELATIONSHIPS, params=[("id[]", i) for i in ids])
        except (PermanentError, TransientError):
            return {}  # nice to have: never lose the items over it
        return {str(r["id"]): bool(r.get("followed_by")) for r in relationships}

    # Engaging -------------------------------------------------------------------------------
    def reply(self, *, parent_id: str, draft: PostDraft) -> PublishResult:
        """Reply in the thread, addressing the author (Mastodon notifies only mentioned people) and
        never widening the audience of a followers-only or direct conversation."""
        parent = self._get(api.STATUS.format(id=parent_id))
        text = draft.text
        author = parent["account"]
        handle = f"@{author.get('acct') or author.get('username')}"
        if str(author["id"]) != self.me().external_id and handle not in text:
            text = f"{handle} {text}"
        visibility = draft.visibility
        if visibility == Visibility.PUBLIC and parent.get("visibility") in _RESTRICTED:
            visibility = _RESTRICTED[parent["visibility"]]
        return self.publish(replace(draft, text=text, reply_to=parent_id, visibility=visibility))
