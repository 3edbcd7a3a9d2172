"""In-memory state of the sandbox Mastodon instance and its JSON rendering (shapes from
https://docs.joinmastodon.org/entities/). Thread-safe: every mutation holds ``lock``."""

from __future__ import annotations

import html
import itertools
import json
import os
import re
import secrets
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_TOKEN_RE = re.compile(r"(https?://[^\s<]+)|(@\w+(?:@[\w.-]+)?)|(#\w+)")


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Account:
    id: str
    username: str
    display_name: str
    language: str = "en"
    created_at: datetime = field(default_factory=_now)


@dataclass
class Status:
    id: str
    account_id: str
    text: str
    created_at: datetime
    visibility: str = "public"
    in_reply_to_id: str = ""
    in_reply_to_account_id: str = ""
    spoiler_text: str = ""
    language: str = ""
    media_ids: list[str] = field(default_factory=list)
    poll: dict[str, Any] | None = None
    mention_ids: list[str] = field(default_factory=list)
    favourited_by: set[str] = field(default_factory=set)
    reblogged_by: set[str] = field(default_factory=set)
    edited_at: datetime | None = None


@dataclass
class Media:
    id: str
    kind: str
    description: str
    processing_checks_left: int = 0


@dataclass
class Notification:
    id: str
    type: str
    account_id: str  # who acted
    target_id: str  # whose notification it is
    created_at: datetime
    status_id: str = ""


class SandboxState:
    def __init__(self, *, base_url: str = "") -> None:
        self.lock = threading.RLock()
        self.base_url = base_url
        self._ids = itertools.count(113_000_000_000_000_001)
        self.accounts: dict[str, Account] = {}
        self.statuses: dict[str, Status] = {}
        self.media: dict[str, Media] = {}
        self.notifications: list[Notification] = []
        self.follows: set[tuple[str, str]] = set()  # (follower, followed)
        self.tokens: dict[str, str] = {}  # token → account id
        self.apps: dict[str, dict[str, str]] = {}  # client_id → app
        self.codes: dict[str, str] = {}  # authorization code → client_id
        self.idempotency: dict[tuple[str, str], str] = {}  # (account, key) → status id
        # Streaming subscribers: called with (account id, event name, data) for each pushed event.
        self.listeners: list[Any] = []

    # Persistence (so the demo's posts and comments survive a restart of `kopiena run`) -----------
    def save(self, path: Path) -> None:
        """Write a JSON snapshot atomically (a crash mid-write leaves the previous one)."""
        with self.lock:
            data = {
                "accounts": [{**asdict(a), "created_at": a.created_at.isoformat()} for a in self.accounts.values()],
                "statuses": [
                    {**asdict(s), "created_at": s.created_at.isoformat(),
                     "edited_at": s.edited_at.isoformat() if s.edited_at else None,
                     "favourited_by": sorted(s.favourited_by), "reblogged_by": sorted(s.reblogged_by)}
                    for s in self.statuses.values()
                ],
                "media": [asdict(m) for m in self.media.values()],
                "notifications": [{**asdict(n), "created_at": n.created_at.isoformat()} for n in self.notifications],
                "follows": sorted(self.follows),
                "tokens": self.tokens,
                "apps": self.apps,
                "idempotency": [[a, k, v] for (a, k), v in self.idempotency.items()],
            }  # fmt: skip
        temporary = path.with_suffix(path.suffix + ".tmp")
        # 0600 from the start: the snapshot holds the sandbox's access tokens.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, ensure_ascii=False))
        os.chmod(temporary, 0o600)  # an old .tmp left by a crash keeps its mode through O_TRUNC
        os.replace(temporary, path)

    def load(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        with self.lock:
            for row in data["accounts"]:
                account = Account(**{**row, "created_at": datetime.fromisoformat(row["created_at"])})
                self.accounts[account.id] = account
            for row in data["statuses"]:
                edited = row.get("edited_at")
                status = Status(**{**row, "created_at": datetime.fromisoformat(row["created_at"]),
                                   "edited_at": datetime.fromisoformat(edited) if edited else None,
                                   "favourited_by": set(row["favourited_by"]),
                                   "reblogged_by": set(row["reblogged_by"])})  # fmt: skip
                self.statuses[status.id] = status
            self.media.update({row["id"]: Media(**row) for row in data["media"]})
            self.notifications = [
                Notification(**{**row, "created_at": datetime.fromisoformat(row["created_at"])})
                for row in data["notifications"]
            ]
            self.follows = {tuple(pair) for pair in data["follows"]}
            self.tokens.update(data["tokens"])
            self.apps.update(data["apps"])
            self.idempotency = {(a, k): v for a, k, v in data["idempotency"]}
            ids = [int(i) for i in (*self.accounts, *self.statuses, *self.media)] + [
                int(n.id) for n in self.notifications
            ]
            self._ids = itertools.count(max(ids, default=113_000_000_000_000_000) + 1)

    def next_id(self) -> str:
        with self.lock:
            return str(next(self._ids))

    # Accounts --------------------------------------------------------------------------------
    def add_account(self, username: str, display_name: str, language: str = "en") -> Account:
        with self.lock:
            account = Account(self.next_id(), username, display_name, language)
            self.accounts[account.id] = account
            return account

    def account_by_username(self, username: str) -> Account | None:
        local = username.lstrip("@").split("@", 1)[0].lower()
        return next((a for a in self.accounts.values() if a.username.lower() == local), None)

    def issue_token(self, account_id: str, token: str = "") -> str:
        with self.lock:
            token = token or secrets.token_urlsafe(32)
            self.tokens[token] = account_id
            return token

    def follow(self, follower_id: str, followed_id: str) -> None:
        with self.lock:
            if (follower_id, followed_id) not in self.follows:
                self.follows.add((follower_id, followed_id))
                self.notify("follow", follower_id, followed_id)

    # Statuses --------------------------------------------------------------------------------
    def post(
        self,
        account_id: str,
        text: str,
        *,
        in_reply_to_id: str = "",
        visibility: str = "public",
        spoiler_text: str = "",
        language: str = "",
        media_ids: list[str] | None = None,
        poll: dict[str, Any] | None = None,
    ) -> Status:
        with self.lock:
            parent = self.statuses.get(in_reply_to_id) if in_reply_to_id else None
            mentioned = [a.id for a in self._mentioned_accounts(text) if a.id != account_id]
            status = Status(
                id=self.next_id(),
                account_id=account_id,
                text=text,
                created_at=_now(),
                visibility=visibility,
                in_reply_to_id=parent.id if parent else "",
                in_reply_to_account_id=parent.account_id if parent else "",
                spoiler_text=spoiler_text,
                language=language,
                media_ids=list(media_ids or []),
                poll=poll,
                mention_ids=mentioned,
            )
            self.statuses[status.id] = status
            for target in mentioned:  # like Mastodon: only mentioned people are notified
                self.notify("mention", account_id, target, status.id)
            return status

    def _mentioned_accounts(self, text: str) -> list[Account]:
        found = []
        for match in re.finditer(r"(?<![\w/])@(\w+)", text):
            account = self.account_by_username(match.group(1))
            if account and account not in found:
                found.append(account)
        return found

    def favourite(self, account_id: str, status_id: str) -> None:
        with self.lock:
            status = self.statuses[status_id]
            if account_id not in status.favourited_by:
                status.favourited_by.add(account_id)
                self.notify("favourite", account_id, status.account_id, status_id)

    def reblog(self, account_id: str, status_id: str) -> None:
        with self.lock:
            status = self.statuses[status_id]
            if account_id not in status.reblogged_by:
                status.reblogged_by.add(account_id)
                self.notify("reblog", account_id, status.account_id, status_id)

    def notify(self, kind: str, actor_id: str, target_id: str, status_id: str = "") -> None:
        with self.lock:
            notification = Notification(self.next_id(), kind, actor_id, target_id, _now(), status_id)
            self.notifications.append(notification)
            self._push(target_id, "notification", json.dumps(self.notification_json(notification)))

    def _push(self, account_id: str, event: str, data: str) -> None:
        for listener in list(self.listeners):
            listener(account_id, event, data)

    def edit(self, status_id: str, text: str) -> Status:
        """The author edits a status (Mastodon keeps the id, sets ``edited_at``, pushes ``status.update``)."""
        with self.lock:
            status = self.statuses[status_id]
            status.text = text
            status.edited_at = _now()
            for target in status.mention_ids:
                self._push(target, "status.update", json.dumps(self.status_json(status)))
            return status

    def remove(self, status_id: str) -> None:
        """The author deletes a status (pushes ``delete`` with its id to those who saw it)."""
        with self.lock:
            status = self.statuses.pop(status_id)
            for target in status.mention_ids:
                self._push(target, "delete", status.id)

    def descendants(self, status_id: str) -> list[Status]:
        with self.lock:
            found, frontier = [], [status_id]
            while frontier:
                parent = frontier.pop(0)
                children = sorted(
                    (s for s in self.statuses.values() if s.in_reply_to_id == parent), key=lambda s: int(s.id)
                )
                found += children
                frontier += [c.id for c in children]
            return found

    def ancestors(self, status_id: str) -> list[Status]:
        with self.lock:
            chain, current = [], self.statuses[status_id]
            while current.in_reply_to_id and current.in_reply_to_id in self.statuses:
                current = self.statuses[current.in_reply_to_id]
                chain.insert(0, current)
            return chain

    # Rendering -------------------------------------------------------------------------------
    def account_json(self, account: Account) -> dict[str, Any]:
        with self.lock:
            followers = sum(1 for _, followed in self.follows if followed == account.id)
            following = sum(1 for follower, _ in self.follows if follower == account.id)
            statuses = sum(1 for s in self.statuses.values() if s.account_id == account.id)
        return {
            "id": account.id,
            "username": account.username,
            "acct": account.username,
            "display_name": account.display_name,
            "locked": False,
            "bot": False,
            "created_at": _iso(account.created_at),
            "note": "",
            "url": f"{self.base_url}/@{account.username}",
            "avatar": f"{self.base_url}/avatars/original/missing.png",
            "followers_count": followers,
            "following_count": following,
            "statuses_count": statuses,
        }

    def status_json(self, status: Status) -> dict[str, Any]:
        with self.lock:
            account = self.accounts[status.account_id]
            replies = sum(1 for s in self.statuses.values() if s.in_reply_to_id == status.id)
            mentions = [self.accounts[i] for i in status.mention_ids]
            return {
                "id": status.id,
                "created_at": _iso(status.created_at),
                "in_reply_to_id": status.in_reply_to_id or None,
                "in_reply_to_account_id": status.in_reply_to_account_id or None,
                "sensitive": bool(status.spoiler_text),
                "spoiler_text": status.spoiler_text,
                "visibility": status.visibility,
                "language": status.language or None,
                "uri": f"{self.base_url}/users/{account.username}/statuses/{status.id}",
                "url": f"{self.base_url}/@{account.username}/{status.id}",
                "replies_count": replies,
                "reblogs_count": len(status.reblogged_by),
                "favourites_count": len(status.favourited_by),
                "content": self.render_html(status.text),
                "account": self.account_json(account),
                "media_attachments": [self.media_json(self.media[m]) for m in status.media_ids],
                "mentions": [
                    {
                        "id": a.id,
                        "username": a.username,
                        "acct": a.username,
                        "url": f"{self.base_url}/@{a.username}",
                    }
                    for a in mentions
                ],
                "tags": [{"name": t[1:].lower()} for t in re.findall(r"#\w+", status.text)],
                "poll": status.poll,
                "reblog": None,
                "edited_at": _iso(status.edited_at) if status.edited_at else None,
            }

    def media_json(self, media: Media) -> dict[str, Any]:
        ready = media.processing_checks_left <= 0
        url = f"{self.base_url}/media/{media.id}" if ready else None
        return {
            "id": media.id,
            "type": media.kind,
            "url": url,
            "preview_url": url,
            "description": media.description,
        }

    def notification_json(self, notification: Notification) -> dict[str, Any]:
        status = self.statuses.get(notification.status_id)
        return {
            "id": notification.id,
            "type": notification.type,
            "created_at": _iso(notification.created_at),
            "account": self.account_json(self.accounts[notification.account_id]),
            "status": self.status_json(status) if status else None,
        }

    def render_html(self, text: str) -> str:
        """Plain text → Mastodon-style HTML: paragraphs, <br>, mention/hashtag links, and links
        shortened with invisible spans exactly like the real server does."""

        def link(match: re.Match) -> str:
            url, mention, tag = match.groups()
            if url:
                scheme, rest = url.split("://", 1)
                shown, hidden = rest[:30], rest[30:]
                return (
                    f'<a href="{html.escape(url)}" rel="nofollow noopener" target="_blank">'
                    f'<span class="invisible">{scheme}://</span>'
                    f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
                    f'<span class="invisible">{html.escape(hidden)}</span></a>'
                )
            if mention:
                name = mention[1:].split("@", 1)[0]
                return (
                    f'<span class="h-card"><a href="{self.base_url}/@{html.escape(name)}" class="u-url mention">'
                    f"@<span>{html.escape(name)}</span></a></span>"
                )
            return (
                f'<a href="{self.base_url}/tags/{html.escape(tag[1:].lower())}" class="mention hashtag" rel="tag">'
                f"#<span>{html.escape(tag[1:])}</span></a>"
            )

        paragraphs = []
        for paragraph in re.split(r"\n{2,}", text.strip()):
            pieces, last = [], 0
            for match in _TOKEN_RE.finditer(paragraph):
                pieces.append(html.escape(paragraph[last : match.start()]))
                pieces.append(link(match))
                last = match.end()
            pieces.append(html.escape(paragraph[last:]))
            paragraphs.append("<p>" + "".join(pieces).replace("\n", "<br />") + "</p>")
        return "".join(paragraphs)
