"""The one HTTP client every connector uses (httpx underneath).

What it guarantees, so connectors don't each reinvent it:

* **Timeouts** on connect/read/write/pool (``DEFAULT_TIMEOUT``).
* **Retries only where safe**: a request that never left (connect error, pool timeout) is retried
  whatever its method; a GET/HEAD/OPTIONS is also retried after a read timeout or a 502/503/504.
  Anything else that may have reached the platform (a POST whose body was sent) is never retried:
  no answer → :class:`OutcomeUnknown`.
* **Error mapping** to :mod:`kopiena.connectors.errors`: 401 → AuthExpired, 429 → RateLimited
  (``Retry-After``/``X-RateLimit-Reset``), 5xx → TransientError (504 on a non-idempotent request →
  OutcomeUnknown: the gateway gave up, the platform may not have), 400/409/413/415/422 →
  ContentRejected, other 4xx → PermanentError; always with the platform's own words. A connector can
  refine this with ``error_mapper`` (e.g. "token revoked" → AccountDisconnected).
* **Undecodable answers** are errors of the taxonomy too: a successful response's ``json()`` raises
  :class:`TransientError` when the body is not JSON (a proxy's error page, a truncated or garbled answer)
  for a request that is safe to repeat, and :class:`OutcomeUnknown` for one that is not (the platform may
  have acted on it; reconcile finds out) — never a raw ``JSONDecodeError`` that would escape every
  ``except ConnectorError``.
* **Per-account rate limiting**: a token bucket keyed by ``account_key`` shared by all clients of the
  process, which also honours ``Retry-After`` and ``X-RateLimit-Remaining: 0`` + reset headers.
* **One connection pool per process** (``shared_transport``), shared by every account's client: a
  worker publishing for a thousand accounts on one instance keeps a few warm connections to it.
* **No credential leaks**: credentials travel in headers only (a secret value found in a URL is a
  programming error and refused); every log line and error message is scrubbed of the known secret
  values and of anything that looks like a token.
* **SSRF guard**: the host is resolved by us, EVERY resolved address must be public (no loopback,
  private, link-local, multicast, unspecified, IPv4-mapped/6to4/Teredo/NAT64, reserved, CGNAT,
  documentation … ranges) and the TCP connection is then made to that exact address (pinned), so DNS
  rebinding cannot swap it; Host header and TLS SNI still carry the name. ``allow_loopback=True``
  (tests, the local sandbox) lets 127.0.0.0/8 and ::1 through; ``allow_private=True`` (the operator's
  ``KOPIENA_OUTBOUND_ALLOW_PRIVATE``, for on-premise platforms) lets loopback and the private networks
  10/8, 172.16/12, 192.168/16 and fd00::/8 through. Link-local (169.254/16, fe80::/10, where cloud
  metadata services live), the known metadata addresses and every other special range stay refused
  whatever the options. Environment proxies are ignored (``trust_env=False``) so they cannot route
  around the guard.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json as jsonlib
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpcore
import httpx

from kopiena.connectors.errors import (
    AddressNotAllowed,
    AuthExpired,
    ConnectorError,
    ContentRejected,
    OutcomeUnknown,
    PermanentError,
    RateLimited,
    TransientError,
)
from kopiena.core.logging import REDACTED, redact

log = logging.getLogger("kopiena.connectors.http")

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=5.0)
USER_AGENT = "Kopiena/0.1 (+https://github.com/kopiena/kopiena)"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRYABLE_STATUSES = frozenset({502, 503, 504})
CONTENT_STATUSES = frozenset({400, 409, 413, 415, 422})

ErrorMapper = Callable[[httpx.Response, str], ConnectorError | None]
Resolver = Callable[[str, int], list[str]]

# --------------------------------------------------------------------------- SSRF guard

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
# What ``allow_private`` unlocks: the networks an on-premise platform lives on (RFC 1918, and the locally
# assigned half of IPv6 unique-local addresses, RFC 4193).
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(net) for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fd00::/8")
)
# Cloud metadata services outside link-local: refused even with ``allow_private`` (AWS IMDS over IPv6).
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("fd00:ec2::254")})


def address_problem(address: str, *, allow_loopback: bool = False, allow_private: bool = False) -> str | None:
    """Why ``address`` (an IP literal) must not be connected to, or ``None`` when it is fine.

    ``allow_private`` implies ``allow_loopback``."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip in METADATA_ADDRESSES:
        return "cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address):
        # Addresses that smuggle an IPv4 address inside IPv6 are refused outright.
        if ip.ipv4_mapped is not None:
            return "IPv4-mapped IPv6 address"
        if ip.sixtofour is not None or ip.teredo is not None:
            return "tunnelled (6to4/Teredo) IPv6 address"
        if ip in _NAT64 or ip in _NAT64_LOCAL:
            return "NAT64 address"
        if ip.is_site_local:
            return "site-local address"
    if ip.is_loopback:
        return None if allow_loopback or allow_private else "loopback address"
    if ip.is_unspecified:
        return "unspecified address"
    if ip.is_multicast:
        return "multicast address"
    if ip.is_link_local:
        return "link-local address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "shared (CGNAT) address"
    if ip.is_private:
        if allow_private and any(ip in net for net in PRIVATE_NETWORKS):
            return None
        return "private address"
    if ip.is_reserved:
        return "reserved address"
    if not ip.is_global:
        return "address that is not globally routable"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself, refuses non-public addresses, connects to the checked address."""

    def __init__(
        self,
        *,
        allow_loopback: bool = False,
        allow_private: bool = False,
        resolver: Resolver = system_resolver,
    ):
        self.allow_loopback = allow_loopback
        self.allow_private = allow_private
        self.resolver = resolver

    def address_problem(self, address: str) -> str | None:
        return address_problem(address, allow_loopback=self.allow_loopback, allow_private=self.allow_private)

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            addresses = self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}")
        for address in addresses:  # one bad answer poisons the name: rebinding tricks mix them
            problem = self.address_problem(address)
            if problem:
                raise AddressNotAllowed(f"Refusing to connect to {host}: it resolves to a {problem}.")
        # Pinned: connect only to the addresses we checked, never re-resolve. SNI/Host keep the name.
        # Each is tried in turn (an IPv6 answer first on a host without IPv6 must not fail the call).
        last_error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        raise last_error  # type: ignore[misc]


_SSL_CONTEXT: ssl.SSLContext | None = None
_SSL_CONTEXT_LOCK = threading.Lock()


def shared_ssl_context() -> ssl.SSLContext:
    """The process's one verifying TLS context (certifi CAs, as httpx's default), built on first use.

    Loading the CA bundle costs 10-40 ms; a context is safe to share between clients and threads, and
    verification (hostname check, CERT_REQUIRED) is the same as a fresh one's."""
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        with _SSL_CONTEXT_LOCK:
            if _SSL_CONTEXT is None:
                _SSL_CONTEXT = httpx.create_ssl_context(verify=True, trust_env=False)
    return _SSL_CONTEXT


# The shared pool serves every account of a process: a worker's few concurrent requests, kept alive
# long enough that accounts posting minutes apart still find a warm connection to their host.
SHARED_POOL_LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=100, keepalive_expiry=60)


class GuardedTransport(httpx.HTTPTransport):
    def __init__(
        self,
        *,
        allow_loopback: bool = False,
        allow_private: bool = False,
        resolver: Resolver = system_resolver,
        limits: httpx.Limits = httpx.Limits(),  # noqa: B008  (immutable)
    ):
        super().__init__(verify=shared_ssl_context(), trust_env=False, retries=0, limits=limits)
        # httpx builds its own pool; give it our backend (checked below so an upgrade fails loudly).
        if not isinstance(getattr(self._pool, "_network_backend", None), httpcore.SyncBackend):
            raise RuntimeError("httpcore changed: cannot install the SSRF guard")
        self.guard = GuardedBackend(
            allow_loopback=allow_loopback, allow_private=allow_private, resolver=resolver
        )
        self._pool._network_backend = self.guard


class SharedTransport(httpx.BaseTransport):
    """A client's handle on the process's shared pool: closing one client leaves the pool to the others."""

    def __init__(self, inner: GuardedTransport):
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(request)

    def close(self) -> None:
        pass  # the pool outlives any one client (connectors are rebuilt when credentials change)


_SHARED: dict[tuple[bool, bool, Resolver], SharedTransport] = {}
_SHARED_LOCK = threading.Lock()


def shared_transport(
    *, allow_loopback: bool = False, allow_private: bool = False, resolver: Resolver = system_resolver
) -> SharedTransport:
    """The process's one connection pool for this SSRF policy, shared by every client — so a worker
    serving a thousand accounts on one instance keeps a handful of warm connections to it, not one (or a
    TLS handshake) per account. httpcore keys its connections by origin, so hosts never mix; requests
    carry each account's credentials in their own headers; every new connection still goes through the
    guard's resolve-check-pin."""
    key = (allow_loopback, allow_private, resolver)
    with _SHARED_LOCK:
        transport = _SHARED.get(key)
        if transport is None:
            if len(_SHARED) >= 16:  # bounded: tests build resolvers on the fly
                _SHARED.pop(next(iter(_SHARED)))
            transport = _SHARED[key] = SharedTransport(
                GuardedTransport(
                    allow_loopback=allow_loopback,
                    allow_private=allow_private,
                    resolver=resolver,
                    limits=SHARED_POOL_LIMITS,
                )
            )
    return transport


# --------------------------------------------------------------------------- rate limiting


def parse_reset(value: str, *, now_epoch: float) -> float | None:
    """Seconds until a ``Retry-After``/``*-Reset`` header value: delta seconds, epoch, ISO or HTTP date."""
    value = value.strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        return max(0.0, number - now_epoch) if number > 1e9 else max(0.0, number)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now_epoch)


def retry_after_seconds(headers: Mapping[str, str], *, now_epoch: float | None = None) -> float | None:
    """The wait a response asks for, from ``Retry-After`` or an exhausted ``X-RateLimit-*``."""
    now_epoch = time.time() if now_epoch is None else now_epoch
    if headers.get("retry-after"):
        return parse_reset(headers["retry-after"], now_epoch=now_epoch)
    remaining = headers.get("x-ratelimit-remaining") or headers.get("ratelimit-remaining")
    reset = headers.get("x-ratelimit-reset") or headers.get("ratelimit-reset")
    if remaining is not None and reset:
        try:
            exhausted = float(remaining) <= 0
        except ValueError:
            exhausted = False
        if exhausted:
            return parse_reset(reset, now_epoch=now_epoch)
    return None


@dataclass
class _Bucket:
    tokens: float
    updated: float
    blocked_until: float = 0.0


class RateLimiter:
    """Token buckets keyed by account. ``acquire`` waits up to ``max_wait_seconds``, else raises
    :class:`RateLimited` so the caller reschedules instead of blocking a worker."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, sleep=time.sleep):
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def acquire(self, key: str, *, rate_per_second: float, burst: int, max_wait_seconds: float) -> None:
        with self._lock:
            now = self._clock()
            bucket = self._buckets.setdefault(key, _Bucket(tokens=float(burst), updated=now))
            if bucket.blocked_until > now:
                raise RateLimited(retry_after_seconds=bucket.blocked_until - now)
            bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.updated) * rate_per_second)
            bucket.updated = now
            wait = 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) / rate_per_second
            if wait > max_wait_seconds:
                raise RateLimited(retry_after_seconds=wait)
            bucket.tokens -= 1  # may go negative: the wait below pays it back
        if wait:
            self._sleep(wait)

    def block(self, key: str, seconds: float) -> None:
        """The platform said "not before ``seconds``": refuse calls for this account until then."""
        with self._lock:
            now = self._clock()
            bucket = self._buckets.setdefault(key, _Bucket(tokens=0.0, updated=now))
            bucket.blocked_until = max(bucket.blocked_until, now + seconds)

    def reset(self, key: str | None = None) -> None:
        with self._lock:
            if key is None:
                self._buckets.clear()
            else:
                self._buckets.pop(key, None)


RATE_LIMITER = RateLimiter()  # one per process: every client of an account shares its budget


# --------------------------------------------------------------------------- the client


class PlatformResponse(httpx.Response):
    """A successful answer handed to a connector: ``json()`` maps an undecodable body into the taxonomy.

    ``HttpClient.request`` turns each response it returns into one (same object, narrower class), so
    every connector's ``response.json()`` is covered without wrapping each call."""

    undecodable: Callable[[Exception], ConnectorError]

    def json(self, **kwargs: Any) -> Any:
        try:
            return super().json(**kwargs)
        except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
            raise self.undecodable(exc) from None


def platform_message(response: httpx.Response) -> str:
    """The platform's own explanation, from the usual JSON error shapes or the text body."""
    try:
        data = response.json()
    except (ValueError, UnicodeDecodeError):
        return response.text[:300].strip()
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):  # Meta Graph: {"error": {"message": …}}
            return str(error.get("message") or error.get("error_user_msg") or error)
        if isinstance(error, str) and isinstance(data.get("message"), str):  # XRPC: code + words
            return f"{error}: {data['message']}"
        for key in ("error_description", "error", "message", "detail", "description", "error_msg"):
            if data.get(key):
                return str(data[key])
    return jsonlib.dumps(data)[:300]


class HttpClient:
    """Connector-facing HTTP client. One per connector instance (i.e. per account and call site); all of a
    process's clients share one connection pool (``shared_transport``) unless given a ``transport``.

    ``secrets`` are the credential values to scrub; ``account_key`` keys the rate limiter;
    ``allow_loopback`` is for tests and the local sandbox only; ``allow_private`` for on-premise
    platforms when the operator allows it (see the module docstring).
    """

    def __init__(
        self,
        *,
        base_url: str = "",
        account_key: str = "",
        secrets: Iterable[str] = (),
        allow_loopback: bool = False,
        allow_private: bool = False,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retries: int = 2,
        backoff_seconds: float = 0.5,
        rate_per_second: float = 2.0,
        burst: int = 20,
        max_wait_seconds: float = 5.0,
        rate_limiter: RateLimiter = RATE_LIMITER,
        resolver: Resolver = system_resolver,
        error_mapper: ErrorMapper | None = None,
        follow_redirects: bool = False,
        transport: httpx.BaseTransport | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self._open_streams: set[httpx.Response] = set()
        self._streams_aborted = threading.Event()
        self.account_key = account_key or httpx.URL(base_url or "http://unknown").host
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self.rate_per_second = rate_per_second
        self.burst = burst
        self.max_wait_seconds = max_wait_seconds
        self.rate_limiter = rate_limiter
        self.error_mapper = error_mapper
        self._guard = GuardedBackend(allow_loopback=allow_loopback, allow_private=allow_private)
        if transport is None:
            transport = shared_transport(
                allow_loopback=allow_loopback, allow_private=allow_private, resolver=resolver
            )
            self._guard = transport.inner.guard
        self._client = httpx.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=follow_redirects,
            headers={"User-Agent": USER_AGENT},
            trust_env=False,
        )

    def __repr__(self) -> str:
        return f"<HttpClient base_url={self.base_url!r} account_key={self.account_key!r}>"

    def close(self) -> None:
        self._client.close()

    def abort_streams(self) -> None:
        """Close every stream this client is reading (from another thread): a blocked reader wakes up with
        TransientError at once instead of at the next heartbeat. Used when the worker stops, so it is for
        good: a stream still opening (the platform has the request, the answer's headers are not back yet)
        is closed as soon as it opens, and no new stream opens through this client."""
        self._streams_aborted.set()
        for response in list(self._open_streams):
            try:
                response.close()
            except Exception:
                log.debug("closing a stream raised", exc_info=True)

    def add_secret(self, value: str) -> None:
        """Scrub ``value`` too from now on (a session token obtained during the call)."""
        if value and value not in self._secrets:
            self._secrets = sorted([*self._secrets, value], key=len, reverse=True)

    def scrub(self, text: str) -> str:
        """``text`` without any known secret value or anything that looks like a token."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return redact(text)

    def address_problem(self, address: str) -> str | None:
        """Why this client would refuse to connect to ``address`` (an IP literal), or None."""
        return self._guard.address_problem(address)

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    # Shortcuts ------------------------------------------------------------------------------
    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        content: bytes | None = None,
        idempotent: bool | None = None,
        ok_statuses: Iterable[int] = (),
        max_bytes: int | None = None,
    ) -> httpx.Response:
        """Send one logical request; return the response (2xx/3xx or one of ``ok_statuses``) or
        raise a connector error. ``idempotent`` overrides the method's default retry safety.
        ``max_bytes``: the body is read as a stream and the request given up (PermanentError) as soon as
        more than this many (decoded) bytes arrive, so a huge or endless answer never fills the memory."""
        method = method.upper()
        idempotent = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        try:
            request = self._client.build_request(
                method, self.url(url), headers=headers, params=params, json=json, data=data,
                files=files, content=content,
            )  # fmt: skip
        except httpx.InvalidURL as exc:  # e.g. http://0177.0.0.1 (octal): httpx refuses, and so do we
            raise PermanentError(self.scrub(f"Not a valid address: {exc}")) from None
        self._refuse_secret_in_url(request.url)
        shown = self._shown_url(request.url)
        attempt = 0
        while True:
            attempt += 1
            self.rate_limiter.acquire(
                self.account_key,
                rate_per_second=self.rate_per_second,
                burst=self.burst,
                max_wait_seconds=self.max_wait_seconds,
            )
            can_retry = attempt <= self.retries
            started = time.monotonic()
            try:
                response = self._client.send(request, stream=max_bytes is not None)
                if max_bytes is not None:
                    response = self._read_capped(response, max_bytes, shown)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # Nothing reached the platform: safe to retry whatever the method.
                log.info("%s %s: not sent (%s), attempt %d", method, shown, type(exc).__name__, attempt)
                if can_retry:
                    self._backoff(attempt)
                    continue
                raise TransientError(self.scrub(f"Could not connect: {exc}")) from None
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                log.warning("%s %s: no answer (%s)", method, shown, type(exc).__name__)
                if not idempotent:
                    raise OutcomeUnknown(
                        self.scrub(
                            f"{method} {shown} was sent but no answer came back ({type(exc).__name__})."
                        )
                    ) from None
                if can_retry:
                    self._backoff(attempt)
                    continue
                raise TransientError(self.scrub(f"No answer from {shown}: {type(exc).__name__}")) from None
            except httpx.HTTPError as exc:
                raise PermanentError(self.scrub(f"{method} {shown}: {exc}")) from None
            elapsed_ms = (time.monotonic() - started) * 1000
            log.debug("%s %s -> %d (%.0f ms)", method, shown, response.status_code, elapsed_ms)
            self._note_rate_headers(response)
            if response.status_code < 400 or response.status_code in ok_statuses:
                return self._checked(response, method, shown, idempotent)
            if idempotent and can_retry and response.status_code in RETRYABLE_STATUSES:
                response.close()
                self._backoff(attempt, response.headers)
                continue
            raise self._error_for(response, method, idempotent)

    def stream_lines(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        read_timeout: float = 90.0,
    ) -> Iterator[str]:
        """A long-lived GET (Server-Sent Events): the answer's lines as they arrive, through the same
        SSRF guard and rate limiter as every request. An error answer raises the usual connector error;
        the connection ending (or ``read_timeout`` seconds without a byte: no heartbeat) ends the
        iteration with TransientError, so the caller reconnects with a pause."""
        try:
            request = self._client.build_request(
                "GET", self.url(url), headers={"Accept": "text/event-stream", **(headers or {})},
                params=params, timeout=httpx.Timeout(read_timeout, connect=DEFAULT_TIMEOUT.connect),
            )  # fmt: skip
        except httpx.InvalidURL as exc:
            raise PermanentError(self.scrub(f"Not a valid address: {exc}")) from None
        self._refuse_secret_in_url(request.url)
        shown = self._shown_url(request.url)
        if self._streams_aborted.is_set():
            raise TransientError(self.scrub(f"The stream {shown} was not opened: the worker is stopping."))
        self.rate_limiter.acquire(
            self.account_key,
            rate_per_second=self.rate_per_second,
            burst=self.burst,
            max_wait_seconds=self.max_wait_seconds,
        )
        try:
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise TransientError(
                self.scrub(f"Could not open the stream {shown}: {type(exc).__name__}")
            ) from None
        self._open_streams.add(response)
        try:
            if self._streams_aborted.is_set():  # aborted while the answer's headers were on their way
                raise TransientError(self.scrub(f"The stream {shown} was closed: the worker is stopping."))
            if response.status_code >= 400:
                response.read()
                raise self._error_for(response, "GET", True)
            yield from response.iter_lines()
        except (httpx.HTTPError, httpcore.ReadError, OSError, ValueError) as exc:
            # ValueError/OSError too: the stream closed under its reader (abort_streams at shutdown)
            raise TransientError(self.scrub(f"The stream {shown} ended: {type(exc).__name__}")) from None
        finally:
            self._open_streams.discard(response)
            response.close()
        raise TransientError(self.scrub(f"The stream {shown} was closed by the platform."))

    # Internals ------------------------------------------------------------------------------
    def _checked(self, response: httpx.Response, method: str, shown: str, idempotent: bool) -> httpx.Response:
        status = response.status_code

        def undecodable(exc: Exception) -> ConnectorError:
            what = self.scrub(f"{method} {shown} got an answer that is not valid JSON ({status}): {exc}")
            if idempotent:
                return TransientError(what, status=status)
            return OutcomeUnknown(f"{what}. It may have been carried out.", status=status)

        response.__class__ = PlatformResponse
        response.undecodable = undecodable
        return response

    def _read_capped(self, response: httpx.Response, max_bytes: int, shown: str) -> httpx.Response:
        body = bytearray()
        try:
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise PermanentError(
                        f"{shown}: the answer is larger than {max_bytes // (1024 * 1024) or 1} MB; not read."
                    )
        finally:
            response.close()
        return httpx.Response(
            response.status_code,
            headers=[(k, v) for k, v in response.headers.multi_items() if k.lower() != "content-encoding"],
            content=bytes(body),
            request=response.request,
            history=response.history,
        )

    def _refuse_secret_in_url(self, url: httpx.URL) -> None:
        text = str(url)
        if any(secret in text for secret in self._secrets):
            raise PermanentError("Refusing to put a credential in a URL; send it in a header.")

    def _shown_url(self, url: httpx.URL) -> str:
        return self.scrub(str(url.copy_with(query=None)))

    def _backoff(self, attempt: int, headers: Mapping[str, str] | None = None) -> None:
        wait = self.backoff_seconds * (2 ** (attempt - 1))
        asked = retry_after_seconds(headers) if headers else None
        time.sleep(min(max(wait, asked or 0), self.max_wait_seconds))

    def _note_rate_headers(self, response: httpx.Response) -> None:
        wait = retry_after_seconds(response.headers)
        if wait and (response.status_code in (429, 503) or response.status_code < 400):
            self.rate_limiter.block(self.account_key, wait)

    def _error_for(self, response: httpx.Response, method: str, idempotent: bool) -> ConnectorError:
        status = response.status_code
        words = self.scrub(platform_message(response))
        if self.error_mapper is not None:
            mapped = self.error_mapper(response, words)
            if mapped is not None:
                return mapped
        kwargs = {"platform_message": words, "status": status}
        if status == 401:
            return AuthExpired(f"The platform no longer accepts the credentials: {words}", **kwargs)
        if status == 429:
            wait = retry_after_seconds(response.headers)
            return RateLimited(
                f"Rate limited by the platform: {words}", retry_after_seconds=60.0 if wait is None else wait,
                **kwargs,
            )  # fmt: skip
        if status == 504 and not idempotent:
            return OutcomeUnknown(f"{method} timed out at the platform's gateway: {words}", **kwargs)
        if status >= 500:
            return TransientError(f"The platform had a problem ({status}): {words}", **kwargs)
        if status in CONTENT_STATUSES:
            return ContentRejected(f"The platform refused the content: {words}", **kwargs)
        return PermanentError(f"The platform refused the request ({status}): {words}", **kwargs)
