"""A cheap stand-in for a platform's publish API, for ``bench/publish.py`` only.

The tests' ``kopiena.publishing.fakeplatform`` runs on ``kopiena.connectors.testing.LocalServer`` — a
thread per connection, with fault injection and a request log that the tests read. Under the bench that
server competed for the same two cores as the workers and PostgreSQL (a thousand keep-alive connections,
a thread each; the load average climbed to ~30), so the bench measured the scheduler, not the engine. A
user's platforms run elsewhere: this one is a single asyncio event loop in its own process that speaks
just enough HTTP/1.1 (keep-alive, Content-Length bodies) for the fake platform's connector, so its cost
is small and is measured separately (its process's CPU seconds).

Same wire contract as ``FakePlatform`` with no faults: ``POST /posts`` (JSON ``{"text"}``, header
``Idempotency-Key``) → ``{"id", "key", "text", "url"}``; ``GET /posts?key=`` → the posts with that key;
``GET /stats`` → ``{"posts": n, "duplicates": n}`` (posts beyond the first per key: must stay 0).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit


class _State:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.next_id = 0
        self.posts_by_key: dict[str, list[dict]] = {}
        self.per_key: Counter[str] = Counter()

    def answer(self, method: bytes, target: bytes, key: str, body: bytes) -> tuple[int, bytes]:
        parts = urlsplit(target.decode("latin-1"))
        if method == b"POST" and parts.path == "/posts":
            self.next_id += 1
            post_id = str(self.next_id)
            text = (json.loads(body or b"{}") or {}).get("text", "")
            post = {"id": post_id, "key": key, "text": text, "url": f"{self.base_url}/@me/{post_id}"}
            self.posts_by_key.setdefault(key, []).append(post)
            self.per_key[key] += 1
            return 200, json.dumps(post).encode()
        if method == b"GET" and parts.path == "/posts":
            wanted = parse_qs(parts.query).get("key", [""])[0]
            return 200, json.dumps(self.posts_by_key.get(wanted, [])).encode()
        if method == b"GET" and parts.path == "/stats":
            duplicates = sum(n - 1 for n in self.per_key.values() if n > 1)
            return 200, json.dumps({"posts": self.next_id, "duplicates": duplicates}).encode()
        return 404, b'{"error": "Record not found"}'


async def _serve_connection(state: _State, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            method, target, _version = lines[0].split(b" ", 2)
            length, key, close = 0, "", False
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"idempotency-key":
                    key = value.strip().decode("latin-1")
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            body = await reader.readexactly(length) if length else b""
            status, payload = state.answer(method, target, key, body)
            writer.write(
                b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                % (status, HTTPStatus(status).phrase.encode(), len(payload), payload)
            )
            if close:
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


def serve(port_queue, host: str = "127.0.0.1") -> None:
    """Process entry point: listen on an ephemeral port, put the base URL on ``port_queue``, serve forever."""

    async def main() -> None:
        state = _State("")
        server = await asyncio.start_server(
            lambda r, w: _serve_connection(state, r, w), host, 0, backlog=4096
        )
        port = server.sockets[0].getsockname()[1]
        state.base_url = f"http://{host}:{port}"
        port_queue.put(state.base_url)
        async with server:
            await server.serve_forever()

    asyncio.run(main())
