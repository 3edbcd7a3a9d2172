"""A local fake platform for the delivery engine's tests and benches: an HTTP server and its connector.

Unlike Mastodon it does NOT dedupe on the idempotency key (like Telegram), so a second send really makes a
second post — which is what lets the crash bench count duplicates honestly. ``posts_per_key`` is the
ground truth: every key must end with at most one post.

Faults, per request and random (``FaultRates``) or queued (``LocalServer.fail_next``/``hang_next``):
429 with Retry-After, 503 before anything is applied, and a hang *after* the post was created (the
answer is lost: the client sees a timeout → ``OutcomeUnknown``).

Register the connector for a test with ``use_fake_platform()``; accounts use ``platform="fakeplatform"``.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from kopiena.connectors import registry
from kopiena.connectors.base import Connector
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.http import HttpClient
from kopiena.connectors.testing import LocalServer, Request, Response
from kopiena.connectors.types import (
    AccountCredentials,
    AccountInfo,
    Limits,
    Metrics,
    PostDraft,
    PublishResult,
)

KEY = "fakeplatform"


@dataclass
class FaultRates:
    """Probabilities per publish request (the rest succeed)."""

    rate_limited: float = 0.0
    unavailable: float = 0.0
    hang_after_accept: float = 0.0
    hang_seconds: float = 3.0


class FakePlatform:
    """The server side. ``start()`` → ``base_url``; thread-safe; records every post it created."""

    def __init__(self, faults: FaultRates | None = None, *, port: int = 0, seed: int | None = None):
        self.faults = faults or FaultRates()
        self.server = LocalServer(port=port)
        self.posts: dict[str, dict] = {}
        self.posts_per_key: Counter[str] = Counter()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self.server.add("POST", r"/posts", self._create)
        self.server.add("GET", r"/posts", self._find)
        self.server.add("GET", r"/metrics", self._metrics)
        self.server.add("GET", r"/stats", self._stats)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def start(self) -> FakePlatform:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> FakePlatform:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _roll(self) -> str:
        roll = self._random.random()
        for name in ("rate_limited", "unavailable", "hang_after_accept"):
            rate = getattr(self.faults, name)
            if roll < rate:
                return name
            roll -= rate
        return "ok"

    def _create(self, request: Request, match) -> Response | None:
        with self._lock:
            fault = self._roll()
        if fault == "rate_limited":
            return Response.json({"error": "Too many requests"}, 429, {"Retry-After": "1"})
        if fault == "unavailable":
            return Response.json({"error": "Service unavailable"}, 503)
        key = request.headers.get("idempotency-key", "")
        body = request.json() or {}
        with self._lock:
            post_id = str(next(self._ids))
            post = {
                "id": post_id,
                "key": key,
                "text": body.get("text", ""),
                "url": f"{self.base_url}/@me/{post_id}",
            }
            self.posts[post_id] = post
            self.posts_per_key[key] += 1
        if fault == "hang_after_accept":
            threading.Event().wait(self.faults.hang_seconds)  # longer than the client waits: answer lost
        return Response.json(post)

    def _find(self, request: Request, match) -> Response:
        key = request.arg("key")
        with self._lock:
            found = [p for p in self.posts.values() if p["key"] == key]
        return Response.json(found)

    def _metrics(self, request: Request, match) -> Response:
        with self._lock:
            known = [i for i in request.args("id") if i in self.posts]
        return Response.json([{"id": i, "likes": 3, "reposts": 1, "replies": 2} for i in known])

    def _stats(self, request: Request, match) -> Response:
        with self._lock:
            return Response.json({"posts_per_key": dict(self.posts_per_key)})


class FakePlatformConnector(Connector):
    """Connector for ``FakePlatform``. Short timeouts and no client-side retries, so tests stay fast and
    every retry decision is the engine's."""

    key = KEY
    name = "Fake platform"
    capabilities = frozenset({Capability.PUBLISH, Capability.RECONCILE, Capability.METRICS})
    limits = Limits(max_text_length=500)
    timeout_seconds = 1.0

    def __init__(
        self,
        credentials: AccountCredentials,
        *,
        http: HttpClient | None = None,
        allow_loopback=False,
        allow_private=False,
    ):
        http = http or HttpClient(
            base_url=credentials.base_url,
            account_key=credentials.account_key,
            secrets=credentials.secret_values(),
            allow_loopback=True,
            timeout=self.timeout_seconds,
            retries=0,
            rate_per_second=10_000,
            burst=10_000,
        )
        super().__init__(credentials, http=http)

    def verify(self) -> AccountInfo:
        return AccountInfo(external_id="me", handle="me")

    def publish(self, draft: PostDraft) -> PublishResult:
        self.ensure_valid(draft)
        response = self.http.post(
            "/posts", json={"text": draft.text}, headers={"Idempotency-Key": draft.idempotency_key}
        )
        data = response.json()
        return PublishResult(remote_id=data["id"], url=data["url"], published_at=datetime.now(UTC))

    def find_published(self, draft: PostDraft) -> PublishResult | None:
        found = self.http.get("/posts", params={"key": draft.idempotency_key}).json()
        return PublishResult(remote_id=found[0]["id"], url=found[0]["url"]) if found else None

    def fetch_metrics(self, remote_ids: Sequence[str]) -> dict[str, Metrics]:
        rows = self.http.get("/metrics", params=[("id", i) for i in remote_ids]).json()
        moment = datetime.now(UTC)
        return {
            r["id"]: Metrics(
                remote_id=r["id"],
                collected_at=moment,
                likes=r["likes"],
                reposts=r["reposts"],
                replies=r["replies"],
            )
            for r in rows
        }


@contextmanager
def use_fake_platform(
    connector: type[Connector] = FakePlatformConnector, *, key: str = KEY
) -> Iterator[type[Connector]]:
    """Serve ``connector`` for accounts with ``platform=key`` (default: the fake platform); others as usual."""
    original = registry.get

    def get(wanted: str) -> type[Connector]:
        return connector if wanted == key else original(wanted)

    registry.get = get
    try:
        yield connector
    finally:
        registry.get = original
