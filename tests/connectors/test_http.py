"""The shared HTTP client: SSRF guard with pinning, safe retries, error mapping, rate limits, redaction."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from kopiena.connectors.errors import (
    AddressNotAllowed,
    AuthExpired,
    ContentRejected,
    OutcomeUnknown,
    PermanentError,
    RateLimited,
    TransientError,
)
from kopiena.connectors.http import HttpClient, RateLimiter, address_problem, parse_reset, retry_after_seconds
from kopiena.connectors.testing import LocalServer, Response

SECRET = "tok-Zm9vYmFyYmF6cXV4"


@pytest.fixture
def server():
    with LocalServer() as server:
        server.add("GET", r"/ok", lambda request, match: Response.json({"host": request.headers["host"]}))
        server.add("POST", r"/ok", lambda request, match: Response.json({"created": True}))
        yield server


def client_for(server, **kwargs) -> HttpClient:
    options = {
        "base_url": server.base_url,
        "account_key": f"test-{uuid.uuid4()}",
        "secrets": [SECRET],
        "allow_loopback": True,
        "timeout": httpx.Timeout(5.0, read=1.0),
        "backoff_seconds": 0.0,
        "rate_limiter": RateLimiter(),
    }
    options.update(kwargs)
    return HttpClient(**options)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.1.2.3", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
        "fe80::1", "fc00::1", "fd12::1", "224.0.0.1", "ff02::1", "0.0.0.0", "::", "::ffff:127.0.0.1",
        "::ffff:8.8.8.8", "100.64.0.1", "192.0.2.10", "198.18.0.1", "240.0.0.1", "255.255.255.255",
        "2002:7f00:1::1", "2001::1", "64:ff9b::a00:1", "fec0::1", "2001:db8::1",
    ],
)  # fmt: skip
def test_guard_refuses_special_addresses(address):
    assert address_problem(address) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "185.15.59.224"])
def test_guard_allows_public_addresses(address):
    assert address_problem(address) is None


def test_allow_loopback_lets_only_loopback_through():
    assert address_problem("127.0.0.1", allow_loopback=True) is None
    assert address_problem("::1", allow_loopback=True) is None
    for address in ("10.0.0.1", "::ffff:127.0.0.1", "0.0.0.0", "169.254.169.254"):
        assert address_problem(address, allow_loopback=True) is not None


ON_PREMISE = [
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "fd12::1",
    "fd00::5",
    "127.0.0.1",
    "::1",
]
ALWAYS_REFUSED = [
    "169.254.169.254", "169.254.1.1", "fe80::1", "fd00:ec2::254", "fc00::1", "100.64.0.1", "100.100.100.200",
    "0.0.0.0", "::", "224.0.0.1", "::ffff:10.1.2.3", "::ffff:127.0.0.1", "192.0.2.10",
    "198.18.0.1", "240.0.0.1", "fec0::1", "64:ff9b::a00:1", "2002:a01:203::1",
]  # fmt: skip


@pytest.mark.parametrize("address", ON_PREMISE)
def test_allow_private_unlocks_the_on_premise_networks(address):
    """KOPIENA_OUTBOUND_ALLOW_PRIVATE is for on-premise platforms: RFC 1918, fd00::/8 and loopback."""
    assert address_problem(address, allow_private=True) is None
    assert HttpClient(allow_private=True).address_problem(address) is None
    if address not in ("127.0.0.1", "::1"):
        assert address_problem(address, allow_loopback=True) is not None
    assert HttpClient().address_problem(address) is not None


@pytest.mark.parametrize("address", ALWAYS_REFUSED)
def test_link_local_metadata_and_special_addresses_stay_refused_with_allow_private(address):
    assert address_problem(address, allow_private=True, allow_loopback=True) is not None
    assert HttpClient(allow_private=True).address_problem(address) is not None


def test_allow_private_connects_where_the_name_resolves_to_a_private_address(server):
    # The on-premise instance's name resolves to a private address (here the loopback test server: the
    # same code path — every answer checked, then pinned); a metadata answer still poisons the name.
    resolver = lambda host, port: ["127.0.0.1"]  # noqa: E731
    base = f"http://masto.corp.example:{server.port}"
    client = client_for(server, base_url=base, allow_loopback=False, allow_private=True, resolver=resolver)
    assert client.get("/ok").status_code == 200
    poisoned = client_for(
        server,
        base_url=base,
        allow_loopback=False,
        allow_private=True,
        resolver=lambda host, port: ["127.0.0.1", "169.254.169.254"],
    )
    with pytest.raises(AddressNotAllowed):
        poisoned.get("/ok")


def test_connection_is_pinned_to_the_checked_address_and_keeps_the_host(server):
    calls = []

    def resolver(host, port):
        calls.append(host)
        return ["127.0.0.1"]

    client = client_for(server, base_url=f"http://kafija.example:{server.port}", resolver=resolver)
    response = client.get("/ok")
    assert response.json()["host"] == f"kafija.example:{server.port}"
    assert calls == ["kafija.example"]


def test_a_name_with_any_private_answer_is_refused_before_connecting(server):
    client = client_for(
        server,
        base_url=f"http://rebind.example:{server.port}",
        allow_loopback=False,
        resolver=lambda host, port: ["93.184.216.34", "127.0.0.1"],
    )
    with pytest.raises(AddressNotAllowed):
        client.get("/ok")
    assert server.requests == []


def test_loopback_is_refused_by_default(server):
    client = client_for(server, allow_loopback=False)
    with pytest.raises(AddressNotAllowed):
        client.post("/ok", json={})
    assert server.requests == []


def test_redirect_to_a_private_address_is_refused(server):
    server.add(
        "GET", r"/moved", lambda r, m: Response(302, b"", {"Location": "http://169.254.169.254/latest"})
    )
    client = client_for(server, follow_redirects=True)
    with pytest.raises(AddressNotAllowed):
        client.get("/moved")


def test_get_is_retried_after_5xx(server):
    server.fail_next("GET", r"/ok", status=503)
    server.fail_next("GET", r"/ok", status=502)
    assert client_for(server).get("/ok").status_code == 200
    assert server.count("GET", r"/ok") == 3


def test_get_is_retried_after_a_read_timeout_then_gives_up_as_transient(server):
    for _ in range(3):
        server.hang_next("GET", r"/ok")
    with pytest.raises(TransientError):
        client_for(server, retries=2).get("/ok")
    assert server.count("GET", r"/ok") == 3


def test_post_without_answer_is_outcome_unknown_and_not_retried(server):
    server.hang_next("POST", r"/ok")
    with pytest.raises(OutcomeUnknown):
        client_for(server).post("/ok", json={"status": "x"})
    assert server.count("POST", r"/ok") == 1


def test_post_5xx_is_transient_and_not_retried_but_504_is_unknown(server):
    server.fail_next("POST", r"/ok", status=500)
    with pytest.raises(TransientError):
        client_for(server).post("/ok", json={})
    server.fail_next("POST", r"/ok", status=504)
    with pytest.raises(OutcomeUnknown):
        client_for(server).post("/ok", json={})
    assert server.count("POST", r"/ok") == 2


def test_post_is_retried_when_the_connection_was_never_made():
    with LocalServer() as gone:
        port = gone.port
    client = HttpClient(
        base_url=f"http://127.0.0.1:{port}",
        allow_loopback=True,
        backoff_seconds=0.0,
        rate_limiter=RateLimiter(),
    )
    with pytest.raises(TransientError):
        client.post("/ok", json={})


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, AuthExpired),
        (422, ContentRejected),
        (400, ContentRejected),
        (403, PermanentError),
        (404, PermanentError),
    ],
)
def test_statuses_map_to_the_taxonomy_with_the_platform_words(server, status, error):
    server.fail_next("POST", r"/ok", status=status, body={"error": "Validation failed: Text too long"})
    with pytest.raises(error) as caught:
        client_for(server).post("/ok", json={})
    assert caught.value.platform_message == "Validation failed: Text too long"
    assert caught.value.status == status


def test_429_pauses_the_account_until_retry_after(server):
    client = client_for(server)
    server.fail_next("GET", r"/ok", status=429, headers={"Retry-After": "120"})
    with pytest.raises(RateLimited) as caught:
        client.get("/ok")
    assert 119 <= caught.value.retry_after_seconds <= 120
    with pytest.raises(RateLimited):
        client.get("/ok")
    assert server.count("GET", r"/ok") == 1


def test_exhausted_ratelimit_headers_pause_the_account(server):
    reset = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    server.add(
        "GET",
        r"/last",
        lambda r, m: Response.json({}, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}),
    )
    client = client_for(server)
    client.get("/last")
    with pytest.raises(RateLimited) as caught:
        client.get("/ok")
    assert 290 <= caught.value.retry_after_seconds <= 300


def test_token_bucket_waits_briefly_then_refuses():
    now = [0.0]
    slept = []
    limiter = RateLimiter(clock=lambda: now[0], sleep=slept.append)
    for _ in range(2):
        limiter.acquire("a", rate_per_second=1.0, burst=2, max_wait_seconds=0.0)
    with pytest.raises(RateLimited) as caught:
        limiter.acquire("a", rate_per_second=1.0, burst=2, max_wait_seconds=0.0)
    assert caught.value.retry_after_seconds == pytest.approx(1.0)
    limiter.acquire("a", rate_per_second=1.0, burst=2, max_wait_seconds=2.0)
    assert slept == [pytest.approx(1.0)]
    limiter.acquire("b", rate_per_second=1.0, burst=2, max_wait_seconds=0.0)  # other accounts unaffected


def test_reset_header_formats():
    now = 1_800_000_000.0
    assert parse_reset("30", now_epoch=now) == 30
    assert parse_reset(str(now + 90), now_epoch=now) == pytest.approx(90)
    assert (
        parse_reset("2027-01-15T10:00:30.000Z", now_epoch=datetime(2027, 1, 15, 10, tzinfo=UTC).timestamp())
        == 30
    )
    assert (
        parse_reset(
            "Fri, 15 Jan 2027 10:01:00 GMT", now_epoch=datetime(2027, 1, 15, 10, tzinfo=UTC).timestamp()
        )
        == 60
    )
    assert parse_reset("soon", now_epoch=now) is None
    assert retry_after_seconds({"x-ratelimit-remaining": "5", "x-ratelimit-reset": "30"}) is None


def test_a_secret_never_goes_into_a_url(server):
    with pytest.raises(PermanentError):
        client_for(server).get("/ok", params={"access_token": SECRET})
    assert server.requests == []


def test_secrets_are_scrubbed_from_errors_and_logs(server, caplog):
    caplog.set_level(logging.DEBUG)
    server.fail_next("POST", r"/ok", status=401, body={"error": f"token {SECRET} revoked"})
    with pytest.raises(AuthExpired) as caught:
        client_for(server).post("/ok", json={}, headers={"Authorization": f"Bearer {SECRET}"})
    assert SECRET not in str(caught.value) and SECRET not in caught.value.platform_message
    assert SECRET not in caplog.text
    assert SECRET not in repr(client_for(server))


def test_each_checked_address_is_tried_in_turn(server):
    # The server listens on 127.0.0.1 only: ::1 is refused, the IPv4 answer must still work.
    client = client_for(
        server, base_url=f"http://dual.example:{server.port}", resolver=lambda h, p: ["::1", "127.0.0.1"]
    )
    assert client.get("/ok").status_code == 200


def test_get_is_retried_after_a_dropped_connection_but_post_is_not(server):
    server.drop_next("GET", r"/ok")
    assert client_for(server).get("/ok").status_code == 200
    server.drop_next("POST", r"/ok")
    with pytest.raises(OutcomeUnknown):
        client_for(server).post("/ok", json={})
    assert server.count("GET", r"/ok") == 2 and server.count("POST", r"/ok") == 1


def test_clients_of_different_accounts_share_one_pool_per_process(server):
    """A worker publishing for many accounts on one host keeps a few warm connections, not one each."""
    first = HttpClient(base_url=server.base_url, account_key="account:1", allow_loopback=True)
    second = HttpClient(base_url=server.base_url, account_key="account:2", allow_loopback=True)
    assert first.get("/ok").json() == {"host": f"127.0.0.1:{server.port}"}
    assert second.get("/ok").status_code == 200
    pool = first._client._transport.inner._pool
    assert second._client._transport.inner._pool is pool
    assert len([c for c in pool.connections if c._origin.port == server.port]) == 1
    first.close()  # an account's connector rebuilt: the others keep the pool
    assert second.post("/ok").json() == {"created": True}


def test_the_shared_pool_still_refuses_what_the_guard_refuses(server):
    HttpClient(base_url=server.base_url, allow_loopback=True).get("/ok")  # a warm loopback pool exists
    with pytest.raises(AddressNotAllowed):
        HttpClient(base_url=server.base_url).get("/ok")


def test_max_bytes_reads_a_stream_and_gives_up_past_the_cap(server):
    server.add("GET", r"/big", lambda request, match: Response(200, b"x" * (3 * 1024 * 1024), {}))
    client = client_for(server)
    with pytest.raises(PermanentError, match="larger than 1 MB"):
        client.get("/big", max_bytes=1024 * 1024)
    small = client.get("/ok", max_bytes=1024 * 1024)  # under the cap: an ordinary response
    assert small.json()["host"] and small.status_code == 200
    failing = client_for(server, retries=0)
    server.fail_next("GET", r"/ok", status=404)
    with pytest.raises(PermanentError, match="404"):  # error bodies are read under the cap too
        failing.get("/ok", max_bytes=1024)
