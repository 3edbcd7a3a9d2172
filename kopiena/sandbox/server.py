"""A local Mastodon instance for the demo and the tests: the API subset our connector uses, built
from https://docs.joinmastodon.org, in memory, on 127.0.0.1.

    sandbox = start_sandbox(port=0, audience=True)   # background thread
    sandbox.base_url, sandbox.access_token, sandbox.handle
    sandbox.fail_next("POST", r"/api/v1/statuses", status=429, headers={"Retry-After": "30"})
    sandbox.hang_next("POST", r"/api/v1/statuses", apply=True)   # timeout after accept
    sandbox.stop()

OAuth is auto-approved (there is nobody to ask): ``/oauth/authorize`` redirects straight back with a
code that ``/oauth/token`` exchanges for the brand account's token.
"""

from __future__ import annotations

import html
import queue
import re
import secrets
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from kopiena.connectors.testing import LocalServer, Request, Response
from kopiena.sandbox.state import Account, Media, SandboxState, Status

MAX_CHARACTERS = 500
PAGE_LIMIT = 40


def _params(request: Request) -> dict[str, Any]:
    """Body parameters from JSON, a form or multipart, with Rails-style ``a[]``/``a[b][]`` keys folded."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        return request.json() or {}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + request.body
        )
        params: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if part.get_filename():
                params[name] = {"filename": part.get_filename(), "type": part.get_content_type(),
                                "data": part.get_payload(decode=True)}  # fmt: skip
            else:
                params[name] = part.get_payload(decode=True).decode("utf-8")
        return params
    folded: dict[str, Any] = {}
    for key, values in {**request.query, **request.form()}.items():
        if key.endswith("[options][]") and key.startswith("poll"):
            folded.setdefault("poll", {})["options"] = values
        elif key.startswith("poll[") and key.endswith("]"):
            folded.setdefault("poll", {})[key[5:-1]] = values[0]
        elif key.endswith("[]"):
            folded[key[:-2]] = values
        else:
            folded[key] = values[0]
    return folded


def _error(message: str, status: int) -> Response:
    return Response.json({"error": message}, status)


class SandboxServer:
    """The running sandbox: a :class:`LocalServer` with Mastodon routes over a :class:`SandboxState`."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, username: str = "kafija",
                 display_name: str = "Rīgas Grauzdētava", access_token: str = "",
                 state_path: Path | None = None) -> None:  # fmt: skip
        self.http = LocalServer(host, port)
        self.state = SandboxState(base_url=self.http.base_url)
        self.state_path = state_path
        if state_path is not None and state_path.exists():
            self.state.load(state_path)
        self.account = self.state.account_by_username(username) or self.state.add_account(
            username, display_name, "lv"
        )
        self.access_token = self.state.issue_token(self.account.id, access_token)
        self.audience = None
        # Streaming (GET /api/v1/streaming/user): a heartbeat comment this often; ``close_streams``
        # ends the open ones, ``refuse_streams`` answers new ones 503 (the streaming server is down).
        self.stream_heartbeat_seconds = 15.0
        self.refusing_streams = False
        self._stream_generation = 0
        self._streams_open = 0
        self._install_routes()

    # Public API ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self.http.base_url

    @property
    def handle(self) -> str:
        return self.account.username

    def start(self) -> SandboxServer:
        self.http.start()
        return self

    def stop(self) -> None:
        if self.audience is not None:
            self.audience.stop()
        self.http.stop()
        self.save()

    def save(self) -> None:
        """Snapshot the state to ``state_path`` (if any). Called after every change."""
        if self.state_path is not None:
            self.state.save(self.state_path)

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def fail_next(self, *args, **kwargs) -> None:
        """Inject an error answer for the next matching request (see LocalServer.fail_next)."""
        self.http.fail_next(*args, **kwargs)

    def hang_next(self, *args, **kwargs) -> None:
        """Accept the next matching request and never answer (see LocalServer.hang_next)."""
        self.http.hang_next(*args, **kwargs)

    @property
    def requests(self) -> list[Request]:
        return self.http.requests

    def count(self, method: str, pattern: str) -> int:
        return self.http.count(method, pattern)

    def brand_statuses(self) -> list[Status]:
        with self.state.lock:
            return sorted(
                (s for s in self.state.statuses.values() if s.account_id == self.account.id),
                key=lambda s: int(s.id),
            )

    def add_person(self, username: str, display_name: str, language: str = "en") -> Account:
        return self.state.add_account(username, display_name, language)

    def comment(self, post_id: str, text: str, *, author: Account | None = None) -> Status:
        """Someone replies under our post (addressing us, as Mastodon clients do)."""
        author = author or self._someone()
        return self.state.post(author.id, f"@{self.handle} {text}", in_reply_to_id=post_id)

    def mention(self, text: str, *, author: Account | None = None) -> Status:
        """Someone mentions us in a post of their own."""
        author = author or self._someone()
        return self.state.post(author.id, f"@{self.handle} {text}")

    def edit(self, status_id: str, text: str) -> Status:
        """The author edits their status (a comment under our post, a mention)."""
        return self.state.edit(status_id, text)

    def remove(self, status_id: str) -> None:
        """The author deletes their status."""
        self.state.remove(status_id)

    def close_streams(self) -> None:
        """End every open streaming connection (clients see the connection close)."""
        with self.state.lock:
            self._stream_generation += 1

    def refuse_streams(self, refusing: bool = True) -> None:
        self.refusing_streams = refusing

    @property
    def streams_open(self) -> int:
        return self._streams_open

    def _streaming_user(self, request, match, me: Account) -> Response:
        if self.refusing_streams:
            return _error("Streaming API is unavailable", 503)
        events: queue.Queue = queue.Queue()

        def listener(account_id: str, event: str, data: str) -> None:
            if account_id == me.id:
                events.put((event, data))

        with self.state.lock:
            generation = self._stream_generation
            self.state.listeners.append(listener)
            self._streams_open += 1

        def body():
            try:
                yield b":)\n"
                while generation == self._stream_generation:
                    try:
                        event, data = events.get(timeout=self.stream_heartbeat_seconds)
                    except queue.Empty:
                        yield b":thump\n"
                        continue
                    yield f"event: {event}\ndata: {data}\n\n".encode()
            finally:
                with self.state.lock:
                    self.state.listeners.remove(listener)
                    self._streams_open -= 1

        return Response(200, headers={"Content-Type": "text/event-stream"}, stream=body())

    def _someone(self) -> Account:
        with self.state.lock:
            others = [a for a in self.state.accounts.values() if a.id != self.account.id]
        return others[0] if others else self.add_person("viesis", "Viesis", "lv")

    # Routes ----------------------------------------------------------------------------------
    def _install_routes(self) -> None:
        add = self.http.add
        add("POST", r"/api/v1/apps", self._create_app)
        add("GET", r"/oauth/authorize", self._authorize)
        add("POST", r"/oauth/token", self._token)
        add("POST", r"/oauth/revoke", self._revoke)
        add("GET", r"/api/v2/instance", self._instance)
        add("GET", r"/api/v1/accounts/verify_credentials", self._authed(self._verify_credentials))
        add("GET", r"/api/v1/accounts/relationships", self._authed(self._relationships))
        add("GET", r"/api/v1/accounts/lookup", self._authed(self._lookup))
        add("GET", r"/api/v1/accounts/(?P<id>\d+)/statuses", self._authed(self._account_statuses))
        add("POST", r"/api/v1/statuses", self._authed(self._create_status))
        add("GET", r"/api/v1/statuses/(?P<id>\d+)", self._authed(self._get_status))
        add("DELETE", r"/api/v1/statuses/(?P<id>\d+)", self._authed(self._delete_status))
        add("GET", r"/api/v1/statuses/(?P<id>\d+)/context", self._authed(self._context))
        add("POST", r"/api/v2/media", self._authed(self._upload_media))
        add("GET", r"/api/v1/media/(?P<id>\d+)", self._authed(self._get_media))
        add("GET", r"/api/v1/notifications", self._authed(self._notifications))
        add("GET", r"/api/v1/streaming/user", self._authed(self._streaming_user))
        add("GET", r"/api/v2/search", self._authed(self._search))
        add("GET", r"/api/v1/timelines/tag/(?P<tag>\w+)", self._authed(self._tag_timeline))
        # The web pages a status's "url"/"uri" and an account's "url" point to (the delivery's "open" link).
        add("GET", r"/@(?P<username>[\w.-]+)/(?P<id>\d+)", self._status_page)
        add("GET", r"/@(?P<username>[\w.-]+)", self._profile_page)
        add("GET", r"/users/(?P<username>[\w.-]+)/statuses/(?P<id>\d+)", self._status_uri)
        add("GET", r"/listening/forum\.xml", self._forum_feed)  # a feed for the demo's listening
        add("GET", r"/listening/rival\.xml", self._rival_feed)  # a competitor's feed (demo Competitors)

    def _authed(self, handler):
        def wrapped(request: Request, match: re.Match) -> Response:
            account_id = self.state.tokens.get(request.bearer)
            if account_id is None:
                return _error("The access token is invalid", 401)
            response = handler(request, match, self.state.accounts[account_id])
            if request.method != "GET" and response.status < 400:
                self.save()
            response.headers.setdefault("X-RateLimit-Limit", "300")
            response.headers.setdefault("X-RateLimit-Remaining", "299")
            return response

        return wrapped

    def _create_app(self, request: Request, match) -> Response:
        params = _params(request)
        client_id, client_secret = secrets.token_urlsafe(16), secrets.token_urlsafe(32)
        app = {"id": self.state.next_id(), "name": params.get("client_name", "app"), "client_id": client_id,
               "client_secret": client_secret, "redirect_uri": params.get("redirect_uris", ""),
               "scopes": params.get("scopes", "read")}  # fmt: skip
        self.state.apps[client_id] = app
        return Response.json(app)

    def _authorize(self, request: Request, match) -> Response:
        client_id, redirect_uri = request.arg("client_id"), request.arg("redirect_uri")
        if client_id not in self.state.apps:
            return _error("Client authentication failed due to unknown client", 401)
        code = secrets.token_urlsafe(16)
        self.state.codes[code] = client_id
        if redirect_uri == "urn:ietf:wg:oauth:2.0:oob":
            return Response.text(code)
        query = urlencode({"code": code, "state": request.arg("state")})
        return Response(302, b"", {"Location": f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}"})

    def _token(self, request: Request, match) -> Response:
        params = _params(request)
        app = self.state.apps.get(params.get("client_id", ""))
        if app is None or not secrets.compare_digest(app["client_secret"], params.get("client_secret", "")):
            return _error("invalid_client", 401)
        if self.state.codes.pop(params.get("code", ""), None) != app["client_id"]:
            return Response.json(
                {
                    "error": "invalid_grant",
                    "error_description": "The provided authorization grant is invalid",
                },
                400,
            )
        token = self.state.issue_token(self.account.id)
        return Response.json({"access_token": token, "token_type": "Bearer", "scope": app["scopes"],
                              "created_at": 0})  # fmt: skip

    def _revoke(self, request: Request, match) -> Response:
        token = _params(request).get("token", "")
        if token != self.access_token:  # the demo account's own token survives
            self.state.tokens.pop(token, None)
        return Response.json({})

    def _instance(self, request: Request, match) -> Response:
        return Response.json({
            "domain": "sandbox.kopiena.local",
            "title": "Kopiena sandbox",
            "version": "4.3.0 (compatible; Kopiena sandbox)",
            "configuration": {
                "statuses": {"max_characters": MAX_CHARACTERS, "max_media_attachments": 4,
                             "characters_reserved_per_url": 23},
                "polls": {"max_options": 4, "max_characters_per_option": 50,
                          "min_expiration": 300, "max_expiration": 2629746},
            },
        })  # fmt: skip

    def _verify_credentials(self, request, match, me: Account) -> Response:
        return Response.json(self.state.account_json(me))

    def _relationships(self, request, match, me: Account) -> Response:
        ids = request.args("id[]") or request.args("id")
        return Response.json([
            {"id": i, "following": (me.id, i) in self.state.follows, "followed_by": (i, me.id) in self.state.follows}
            for i in ids
        ])  # fmt: skip

    def _lookup(self, request, match, me: Account) -> Response:
        acct = (request.arg("acct") or "").split("@")[0]
        with self.state.lock:
            found = next((a for a in self.state.accounts.values() if a.username == acct), None)
            if found is None:
                return _error("Record not found", 404)
            return Response.json(self.state.account_json(found))

    def _account_statuses(self, request, match, me: Account) -> Response:
        with self.state.lock:
            statuses = [s for s in self.state.statuses.values() if s.account_id == match["id"]]
            return Response.json([self.state.status_json(s) for s in _paginate(statuses, request)])

    def _create_status(self, request, match, me: Account) -> Response:
        key = request.headers.get("idempotency-key", "")
        with self.state.lock:
            if key and (me.id, key) in self.state.idempotency:
                return Response.json(
                    self.state.status_json(self.state.statuses[self.state.idempotency[(me.id, key)]])
                )
            params = _params(request)
            text = params.get("status") or ""
            media_ids = [str(m) for m in params.get("media_ids") or []]
            poll = params.get("poll")
            problems = []
            if not text.strip() and not media_ids:
                problems.append("Text can't be blank")
            if len(text) + len(params.get("spoiler_text") or "") > MAX_CHARACTERS:
                problems.append(f"Text character limit of {MAX_CHARACTERS} exceeded")
            if any(m not in self.state.media for m in media_ids):
                return _error("Record not found", 404)
            if any(self.state.media[m].processing_checks_left > 0 for m in media_ids):
                problems.append("Media attachments are still being processed")
            if poll and media_ids:
                problems.append("Cannot attach files to a post that has a poll")
            if problems:
                return _error("Validation failed: " + ", ".join(problems), 422)
            parent = params.get("in_reply_to_id") or ""
            if parent and parent not in self.state.statuses:
                return _error("Record not found", 404)
            poll_json = None
            if poll:
                poll_json = {"id": self.state.next_id(), "expired": False, "multiple": bool(poll.get("multiple")),
                             "votes_count": 0, "options": [{"title": o, "votes_count": 0} for o in poll["options"]]}  # fmt: skip
            status = self.state.post(
                me.id, text, in_reply_to_id=parent, visibility=params.get("visibility") or "public",
                spoiler_text=params.get("spoiler_text") or "", language=params.get("language") or "",
                media_ids=media_ids, poll=poll_json,
            )  # fmt: skip
            if key:
                self.state.idempotency[(me.id, key)] = status.id
            return Response.json(self.state.status_json(status))

    def _get_status(self, request, match, me: Account) -> Response:
        status = self.state.statuses.get(match["id"])
        return Response.json(self.state.status_json(status)) if status else _error("Record not found", 404)

    def _delete_status(self, request, match, me: Account) -> Response:
        with self.state.lock:
            status = self.state.statuses.get(match["id"])
            if status is None:
                return _error("Record not found", 404)
            if status.account_id != me.id:
                return _error("This action is not allowed", 403)
            body = self.state.status_json(status)
            del self.state.statuses[status.id]
            return Response.json({**body, "text": status.text})

    def _context(self, request, match, me: Account) -> Response:
        with self.state.lock:
            if match["id"] not in self.state.statuses:
                return _error("Record not found", 404)
            return Response.json({
                "ancestors": [self.state.status_json(s) for s in self.state.ancestors(match["id"])],
                "descendants": [self.state.status_json(s) for s in self.state.descendants(match["id"])],
            })  # fmt: skip

    def _upload_media(self, request, match, me: Account) -> Response:
        params = _params(request)
        upload = params.get("file")
        if not isinstance(upload, dict):
            return _error("Validation failed: File can't be blank", 422)
        kind = upload["type"].split("/", 1)[0]
        if kind not in ("image", "video"):
            return _error("Validation failed: File content type is invalid", 422)
        # Like Mastodon: images are processed at once (200), video asynchronously (202, then 206s).
        media = Media(self.state.next_id(), kind, params.get("description", ""), 1 if kind == "video" else 0)
        self.state.media[media.id] = media
        return Response.json(self.state.media_json(media), 202 if media.processing_checks_left else 200)

    def _get_media(self, request, match, me: Account) -> Response:
        media = self.state.media.get(match["id"])
        if media is None:
            return _error("Record not found", 404)
        if media.processing_checks_left > 0:
            media.processing_checks_left -= 1
            return Response.json(self.state.media_json(media), 206)
        return Response.json(self.state.media_json(media))

    def _notifications(self, request, match, me: Account) -> Response:
        types = set(request.args("types[]"))
        excluded = set(request.args("exclude_types[]"))
        with self.state.lock:
            mine = [
                n for n in self.state.notifications
                if n.target_id == me.id and (not types or n.type in types) and n.type not in excluded
                and (not n.status_id or n.status_id in self.state.statuses)
            ]  # fmt: skip
            return Response.json([self.state.notification_json(n) for n in _paginate(mine, request)])

    def _search(self, request, match, me: Account) -> Response:
        query = request.arg("q").lower()
        with self.state.lock:
            found = [s for s in self.state.statuses.values() if query and query in s.text.lower()]
            statuses = [self.state.status_json(s) for s in _paginate(found, request)]
        return Response.json({"accounts": [], "statuses": statuses, "hashtags": []})

    def _public_status(self, username: str, status_id: str) -> tuple[Account, Status] | None:
        """The status ``status_id`` if ``username`` wrote it and anyone may read it (not a direct message)."""
        with self.state.lock:
            status = self.state.statuses.get(status_id)
            account = self.state.account_by_username(username)
            if status is None or account is None or status.account_id != account.id:
                return None
            if status.visibility in ("direct", "private"):
                return None
            return account, status

    def _status_page(self, request: Request, match) -> Response:
        """The status's web page (its ``url``), as the real server serves one: author, text, time, counts."""
        found = self._public_status(match["username"], match["id"])
        if found is None:
            return _page("Not found", "<p>The page you are looking for isn't here.</p>", status=404)
        account, status = found
        data = self.state.status_json(status)
        body = (
            f'<article class="status" data-status-id="{status.id}">'
            f'<p class="author"><a href="{html.escape(data["account"]["url"])}">'
            f"{html.escape(account.display_name)}</a> @{html.escape(account.username)}</p>"
            f'<div class="content">{data["content"]}</div>'
            f'<p class="meta"><time datetime="{data["created_at"]}">{data["created_at"]}</time> · '
            f"{data['replies_count']} replies · {data['reblogs_count']} boosts · "
            f"{data['favourites_count']} favourites</p></article>"
        )
        return _page(f"{account.display_name}: {status.text[:60]}", body)

    def _status_uri(self, request: Request, match) -> Response:
        """A status's ActivityPub ``uri`` opened in a browser redirects to its page, as on Mastodon."""
        found = self._public_status(match["username"], match["id"])
        if found is None:
            return _page("Not found", "<p>The page you are looking for isn't here.</p>", status=404)
        account, status = found
        return Response(302, b"", {"Location": f"{self.base_url}/@{account.username}/{status.id}"})

    def _profile_page(self, request: Request, match) -> Response:
        """An account's web page (its ``url``): name and its latest public statuses, linked."""
        with self.state.lock:
            account = self.state.account_by_username(match["username"])
            if account is None:
                return _page("Not found", "<p>The page you are looking for isn't here.</p>", status=404)
            statuses = sorted(
                (s for s in self.state.statuses.values()
                 if s.account_id == account.id and s.visibility in ("public", "unlisted")),
                key=lambda s: int(s.id), reverse=True,
            )[:PAGE_LIMIT]  # fmt: skip
        items = "".join(
            f'<li><a href="{self.base_url}/@{html.escape(account.username)}/{s.id}">{html.escape(s.text[:80])}</a></li>'
            for s in statuses
        )
        body = f"<h1>{html.escape(account.display_name)}</h1><p>@{html.escape(account.username)}</p><ul>{items}</ul>"
        return _page(account.display_name, body)

    def _rival_feed(self, request: Request, match) -> Response:
        from kopiena.sandbox.competitor import rival_feed

        return Response.text(rival_feed(self.base_url), content_type="application/rss+xml; charset=utf-8")

    def _forum_feed(self, request: Request, match) -> Response:
        from kopiena.sandbox.forum import forum_feed

        return Response.text(forum_feed(self.base_url), content_type="application/rss+xml; charset=utf-8")

    def _tag_timeline(self, request, match, me: Account) -> Response:
        tag = match["tag"].lower()
        with self.state.lock:
            found = [s for s in self.state.statuses.values() if f"#{tag}" in s.text.lower()
                     and re.search(rf"#{re.escape(tag)}\b", s.text.lower())]  # fmt: skip
            return Response.json([self.state.status_json(s) for s in _paginate(found, request)])


def _page(title: str, body: str, *, status: int = 200) -> Response:
    """A minimal HTML page of the sandbox's web interface (``body`` is HTML, already escaped)."""
    document = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} – Sandbox'
        f"</title></head><body><main>{body}</main></body></html>"
    )
    return Response.text(document, status=status, content_type="text/html; charset=utf-8")


def _paginate(rows: list, request: Request) -> list:
    """Mastodon's id pagination: newest first; ``max_id``/``since_id`` bound the page; ``min_id``
    returns the page immediately after it (the oldest newer rows), still newest first."""
    limit = min(int(request.arg("limit") or 20), PAGE_LIMIT)
    rows = sorted(rows, key=lambda r: int(r.id), reverse=True)
    if request.arg("max_id"):
        rows = [r for r in rows if int(r.id) < int(request.arg("max_id"))]
    if request.arg("since_id"):
        rows = [r for r in rows if int(r.id) > int(request.arg("since_id"))]
    if request.arg("min_id"):
        newer = [r for r in rows if int(r.id) > int(request.arg("min_id"))]
        return newer[-limit:]
    return rows[:limit]


def start_sandbox(
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    access_token: str = "",
    username: str = "kafija",
    display_name: str = "Rīgas Grauzdētava",
    audience: bool = False,
    audience_interval_seconds: float = 12.0,
    seed: int | None = None,
    state_path: Path | str | None = None,
) -> SandboxServer:
    """Start the sandbox in a background thread. ``access_token``: reuse a token stored earlier (the
    demo's credential survives restarts); empty → a fresh random one. ``audience=True`` starts the
    simulated audience (see :mod:`kopiena.sandbox.audience`). ``state_path``: a JSON file the
    instance is loaded from and saved to after every change (e.g. ``var/sandbox.json``), so posts
    and comments survive a restart."""
    from kopiena.sandbox.audience import SimulatedAudience

    sandbox = SandboxServer(host=host, port=port, username=username, display_name=display_name,
                            access_token=access_token,
                            state_path=Path(state_path) if state_path else None).start()  # fmt: skip
    if audience:
        sandbox.audience = SimulatedAudience(sandbox, interval_seconds=audience_interval_seconds, seed=seed)
        sandbox.audience.start()
    return sandbox


__all__ = ["SandboxServer", "start_sandbox"]
