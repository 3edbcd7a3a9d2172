"""A tiny local HTTP server for connector tests, the contract suite and the Mastodon sandbox.

Standard library only (it also runs inside ``kopiena run`` for the demo sandbox)::

    server = LocalServer()

    @server.route("POST", r"/api/v1/statuses")
    def create(request, match):
        return Response.json({"id": "1"})

    with server:                       # 127.0.0.1, ephemeral port, background thread
        client.post(server.url("/api/v1/statuses"))
        assert server.count("POST", "/api/v1/statuses") == 1

Fault injection for the next matching request (method + path regex, ``None`` = any)::

    server.fail_next(status=429, headers={"Retry-After": "30"})
    server.hang_next("POST", r"/api/v1/statuses")            # read the request, never answer
    server.hang_next("POST", r"/api/v1/statuses", apply=True)  # run the handler, then never answer
    server.drop_next("POST", r"/api/v1/statuses")             # close the connection, no answer
    server.garble_next("GET", r"/api/v1/notifications")       # 200 with a body that is not JSON

Every request is recorded in ``server.requests`` (also faulted ones: the server *did* see them).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def arg(self, name: str, default: str = "") -> str:
        """First value of a query or form field."""
        values = self.query.get(name) or self.form().get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        return self.query.get(name) or self.form().get(name) or []

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, list[str]]:
        if self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {}

    @property
    def bearer(self) -> str:
        value = self.headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else ""


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # A streamed answer (Server-Sent Events): chunks written as the iterator yields them, no length, the
    # connection closed when it ends (or when the client goes away).
    stream: Iterator[bytes] | None = None

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return cls(status, json.dumps(data).encode(), {"Content-Type": "application/json", **(headers or {})})

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain; charset=utf-8") -> Response:
        return cls(status, text.encode("utf-8"), {"Content-Type": content_type})


Handler = Callable[[Request, re.Match], Response]
DROP = Response(status=0)  # dispatch() result: close the connection without an answer


@dataclass
class _Fault:
    method: str | None
    pattern: re.Pattern | None
    response: Response | None  # None: hang (or drop)
    apply: bool = False
    drop: bool = False

    def matches(self, request: Request) -> bool:
        return (self.method is None or self.method == request.method) and (
            self.pattern is None or bool(self.pattern.fullmatch(request.path))
        )


class _Server(ThreadingHTTPServer):
    # A real platform takes bursts of new connections; the standard library's backlog of 5 drops them when
    # a thousand accounts connect at once, and clients then see connect timeouts no platform would cause.
    request_queue_size = 1024


class LocalServer:
    """Routes (method, full-match path regex) → handler; threaded; records requests."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self._routes: list[tuple[str, re.Pattern, Handler]] = []
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.requests: list[Request] = []
        self._httpd = _Server((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread: threading.Thread | None = None

    # Routing --------------------------------------------------------------------------------
    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method.upper(), re.compile(pattern), handler))

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            self.add(method, pattern, handler)
            return handler

        return decorator

    # Faults ---------------------------------------------------------------------------------
    def fail_next(
        self,
        method: str | None = None,
        pattern: str | None = None,
        *,
        status: int = 503,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> None:
        """Answer the next matching request with ``status`` instead of running its handler."""
        payload = body if body is not None else {"error": f"injected {status}"}
        self._add_fault(method, pattern, Response.json(payload, status, headers))

    def garble_next(
        self,
        method: str | None = None,
        pattern: str | None = None,
        *,
        apply: bool = False,
        status: int = 200,
        body: bytes = b'{"id": "10939", "created_at": "2026-12-0\xff',
    ) -> None:
        """Answer the next matching request with a body that is not valid JSON (truncated, a stray byte)
        under ``Content-Type: application/json``. ``apply=True`` runs its handler first: the platform
        did the work, only the answer is garbled."""
        response = Response(status, body, {"Content-Type": "application/json; charset=utf-8"})
        self._add_fault(method, pattern, response, apply=apply)

    def hang_next(
        self, method: str | None = None, pattern: str | None = None, *, apply: bool = False
    ) -> None:
        """Read the next matching request and never answer (until stop). ``apply=True`` runs its
        handler first: the platform did the work but the answer got lost."""
        self._add_fault(method, pattern, None, apply=apply)

    def drop_next(
        self, method: str | None = None, pattern: str | None = None, *, apply: bool = False
    ) -> None:
        """Read the next matching request and close the connection without answering."""
        self._add_fault(method, pattern, None, apply=apply, drop=True)

    def _add_fault(self, method, pattern, response, apply=False, drop=False) -> None:
        with self._lock:
            self._faults.append(
                _Fault(method and method.upper(), pattern and re.compile(pattern), response, apply, drop)
            )

    def _take_fault(self, request: Request) -> _Fault | None:
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.matches(request):
                    return self._faults.pop(index)
        return None

    # Life cycle -----------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def start(self) -> LocalServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="kopiena-local-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # let hung handlers finish
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # Inspection -----------------------------------------------------------------------------
    def requests_to(self, method: str, pattern: str) -> list[Request]:
        regex = re.compile(pattern)
        with self._lock:
            return [r for r in self.requests if r.method == method.upper() and regex.fullmatch(r.path)]

    def count(self, method: str, pattern: str) -> int:
        return len(self.requests_to(method, pattern))

    # Dispatch -------------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response | None:
        """The response for ``request`` (``None``: hang; ``DROP``: close without answering). Public so the sandbox can be driven in-process."""
        with self._lock:
            self.requests.append(request)
        fault = self._take_fault(request)
        if fault is not None and fault.response is not None:
            if fault.apply:
                self._route(request)
            return fault.response
        if fault is not None and not fault.apply:
            return DROP if fault.drop else None
        response = self._route(request)
        if fault is not None:
            return DROP if fault.drop else None
        return response

    def _route(self, request: Request) -> Response:
        allowed = False
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(request.path)
            if match:
                if method == request.method:
                    try:
                        return handler(request, match)
                    except Exception as exc:  # a buggy fake must answer 500, not kill the thread
                        return Response.json({"error": f"server error: {type(exc).__name__}: {exc}"}, 500)
                allowed = True
        return Response.json(
            {"error": "Method not allowed" if allowed else "Record not found"}, 405 if allowed else 404
        )

    def _handler_class(self):
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # quiet: tests read server.requests instead
                pass

            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                response = server.dispatch(request)
                if response is DROP:
                    self.close_connection = True
                    return
                if response is None:
                    server._release.wait()
                    self.close_connection = True
                    return
                if response.stream is not None:
                    self._stream(response)
                    return
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)

            def _stream(self, response):
                self.close_connection = True
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for chunk in response.stream:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        if server._release.is_set():
                            break
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass  # the client went away
                finally:
                    close = getattr(response.stream, "close", None)
                    if close is not None:
                        close()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

        return _Handler
