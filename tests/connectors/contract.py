"""The shared connector contract suite. Every connector's test module runs it against its fake server.

How to use it (see tests/connectors/test_mastodon.py for a full example)::

    from tests.connectors.contract import ConnectorContract, ContractHarness, make_test_http

    class MastodonHarness(ContractHarness):
        publish_route = ("POST", r"/api/v1/statuses")
        def valid_draft(self): ...
        def invalid_draft(self): ...            # at least two different problems
        def add_comment(self, post_id, text): ...  # if READ_COMMENTS
        def add_mention(self, text): ...           # if READ_MENTIONS

    class TestMastodonContract(ConnectorContract):
        @pytest.fixture
        def harness(self):
            with LocalServer() as server:   # or the sandbox
                credentials = AccountCredentials({"access_token": SECRET}, base_url=server.base_url)
                connector = MastodonConnector(credentials, http=make_test_http(server, credentials))
                yield MastodonHarness(connector=connector, server=server, secrets=[SECRET])

Fault hooks come from :class:`kopiena.connectors.testing.LocalServer` (``fail_next``, ``hang_next``,
``drop_next``); override ``fail_auth`` when the connector refreshes its session by itself (Bluesky
injects two refusals). Tests that need a capability the connector does not declare are skipped (so the same suite
serves RSS, which cannot publish, and Telegram, which cannot search). A connector that does not
publish sets ``primary_route`` to the request its ``primary_call`` makes.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import ClassVar

import httpx
import pytest

from kopiena.connectors.base import Connector
from kopiena.connectors.capabilities import REQUIRED_METHODS, Capability, missing_methods
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
from kopiena.connectors.http import HttpClient
from kopiena.connectors.testing import LocalServer
from kopiena.connectors.types import AccountCredentials, ItemKind, Page, PostDraft

READ_TIMEOUT_SECONDS = 1.0  # long enough for a loaded CI machine, short for hang tests


def make_test_http(server: LocalServer, credentials: AccountCredentials, **overrides) -> HttpClient:
    """A client for tests: loopback allowed, short read timeout, no back-off sleeps, own rate bucket."""
    options = {
        "base_url": server.base_url,
        "account_key": f"test-{uuid.uuid4()}",
        "secrets": credentials.secret_values(),
        "allow_loopback": True,
        "timeout": httpx.Timeout(5.0, read=READ_TIMEOUT_SECONDS),
        "backoff_seconds": 0.0,
        "burst": 1000,
        "rate_per_second": 1000.0,
    }
    options.update(overrides)
    return HttpClient(**options)


@dataclass
class ContractHarness:
    """What a connector's test module provides to the suite. Override the methods you can."""

    connector: Connector
    server: LocalServer
    secrets: list[str] = field(default_factory=list)
    publish_route: tuple[str, str] = ("POST", r"/.*")
    # What a read answered with an undecodable body raises: temporary (read again next time) unless the
    # platform's format says otherwise (a feed that does not parse is reported as not a feed).
    undecodable_read_error: ClassVar[type[ConnectorError]] = TransientError

    # Publishing connectors
    def valid_draft(self) -> PostDraft:
        return PostDraft(text="Labrīt, Rīga! Svaigi grauzdēta kafija ☕", idempotency_key=str(uuid.uuid4()))

    def invalid_draft(self) -> PostDraft:
        """A draft with at least TWO different problems."""
        raise NotImplementedError

    # Reading connectors
    def add_comment(self, post_id: str, text: str) -> None:
        raise NotImplementedError

    def add_mention(self, text: str) -> None:
        raise NotImplementedError

    # Non-publishing connectors override both
    @property
    def primary_route(self) -> tuple[str, str]:
        return self.publish_route

    def primary_call(self):
        if Capability.PUBLISH in self.connector.capabilities:
            return self.connector.publish(self.valid_draft())
        return self.connector.fetch_mentions()

    def primary_requests(self) -> int:
        return self.server.count(*self.primary_route)

    def fail_auth(self, body: dict | None = None) -> None:
        """Make the platform refuse the credentials on the next primary call. Connectors that
        refresh a session by themselves inject as many refusals as they will try."""
        body = body or {"error": "The access token is invalid"}
        self.server.fail_next(*self.primary_route, status=401, body=body)


def _requires(harness: ContractHarness, capability: Capability) -> None:
    if capability not in harness.connector.capabilities:
        pytest.skip(f"{harness.connector.key} does not declare {capability.value}")


def _texts(page: Page) -> list[str]:
    return [item.text for item in page.items]


class ConnectorContract:
    """Mix into a test class that defines a ``harness`` fixture returning a :class:`ContractHarness`."""

    # Declarations ---------------------------------------------------------------------------
    def test_declared_capabilities_are_implemented(self, harness):
        assert missing_methods(type(harness.connector)) == {}
        assert harness.connector.key and harness.connector.name

    def test_undeclared_capability_raises_permanent_error(self, harness):
        calls = {
            Capability.HIDE: lambda c: c.hide("1"),
            Capability.SEARCH: lambda c: c.search("kafija"),
            Capability.READ_MESSAGES: lambda c: c.fetch_messages(),
            Capability.DELETE: lambda c: c.delete("1"),
            Capability.PUBLISH: lambda c: c.publish(PostDraft(text="x")),
        }
        undeclared = [cap for cap in calls if cap not in harness.connector.capabilities]
        if not undeclared:
            pytest.skip("declares every probed capability")
        for capability in undeclared:
            if any(
                getattr(type(harness.connector), m) is not getattr(Connector, m)
                for m in REQUIRED_METHODS[capability]
            ):
                continue  # implemented on purpose for a sibling capability
            with pytest.raises(PermanentError):
                calls[capability](harness.connector)

    def test_verify_names_the_account(self, harness):
        info = harness.connector.verify()
        assert info.external_id and info.handle

    def test_account_stats_are_counts(self, harness):
        _requires(harness, Capability.ACCOUNT_STATS)
        stats = harness.connector.fetch_account_stats()
        counts = [stats.followers, stats.following, stats.posts]
        assert stats.collected_at.tzinfo is not None and stats.followers is not None
        assert all(n is None or (isinstance(n, int) and n >= 0) for n in counts)

    def test_loopback_is_refused_unless_allowed(self, harness):
        guarded = type(harness.connector)(harness.connector.credentials)  # no allow_loopback
        before = len(harness.server.requests)
        with pytest.raises(AddressNotAllowed):
            guarded.verify()
        assert len(harness.server.requests) == before

    # Publishing -----------------------------------------------------------------------------
    def test_validate_returns_every_problem_at_once(self, harness):
        _requires(harness, Capability.PUBLISH)
        problems = harness.connector.validate(harness.invalid_draft())
        assert len({(p.field, p.code) for p in problems}) >= 2, problems
        assert harness.connector.validate(harness.valid_draft()) == []

    def test_invalid_draft_is_rejected_before_any_request(self, harness):
        _requires(harness, Capability.PUBLISH)
        with pytest.raises(ContentRejected) as caught:
            harness.connector.publish(harness.invalid_draft())
        assert len(caught.value.problems) >= 2
        assert harness.server.count(*harness.publish_route) == 0

    def test_publish_returns_remote_id(self, harness):
        _requires(harness, Capability.PUBLISH)
        result = harness.connector.publish(harness.valid_draft())
        assert result.remote_id
        assert result.published_at is None or result.published_at.tzinfo is not None

    def test_timeout_after_send_is_outcome_unknown_and_never_retried(self, harness):
        _requires(harness, Capability.PUBLISH)
        harness.server.hang_next(*harness.publish_route)
        with pytest.raises(OutcomeUnknown):
            harness.connector.publish(harness.valid_draft())
        assert harness.server.count(*harness.publish_route) == 1

    def test_dropped_connection_after_send_is_outcome_unknown(self, harness):
        _requires(harness, Capability.PUBLISH)
        harness.server.drop_next(*harness.publish_route)
        with pytest.raises(OutcomeUnknown):
            harness.connector.publish(harness.valid_draft())
        assert harness.server.count(*harness.publish_route) == 1

    def test_reconcile_finds_a_post_whose_answer_was_lost(self, harness):
        _requires(harness, Capability.RECONCILE)
        draft = harness.valid_draft()
        assert harness.connector.find_published(draft) is None
        harness.server.hang_next(*harness.publish_route, apply=True)
        with pytest.raises(OutcomeUnknown):
            harness.connector.publish(draft)
        found = harness.connector.find_published(draft)
        assert found is not None and found.remote_id
        assert harness.server.count(*harness.publish_route) == 1

    def test_server_error_on_publish_is_transient_and_not_repeated(self, harness):
        _requires(harness, Capability.PUBLISH)
        harness.server.fail_next(*harness.publish_route, status=503)
        with pytest.raises(TransientError):
            harness.connector.publish(harness.valid_draft())
        assert harness.server.count(*harness.publish_route) == 1

    # Errors ---------------------------------------------------------------------------------
    def test_401_is_auth_expired(self, harness):
        harness.fail_auth()
        with pytest.raises(AuthExpired):
            harness.primary_call()

    def test_429_is_rate_limited_with_retry_after(self, harness):
        harness.server.fail_next(*harness.primary_route, status=429, headers={"Retry-After": "42"})
        with pytest.raises(RateLimited) as caught:
            harness.primary_call()
        assert 40 <= caught.value.retry_after_seconds <= 42
        assert harness.primary_requests() == 1
        with pytest.raises(RateLimited):  # the account stays paused: no request is sent
            harness.primary_call()
        assert harness.primary_requests() == 1

    def test_5xx_is_transient(self, harness):
        for _ in range(harness.connector.http.retries + 1):
            harness.server.fail_next(*harness.primary_route, status=503)
        with pytest.raises(TransientError):
            harness.primary_call()

    def test_undecodable_answer_is_an_error_of_the_taxonomy(self, harness):
        """A 200 whose body is not JSON (truncated, garbled, a proxy's page) is a ConnectorError, never a
        raw JSONDecodeError escaping every ``except ConnectorError`` (it stopped a whole inbox poll)."""
        harness.server.garble_next(*harness.primary_route)
        with pytest.raises(ConnectorError):
            harness.primary_call()

    def test_undecodable_answer_to_publish_is_outcome_unknown(self, harness):
        """The platform may have published it: unknown outcome, for reconcile to look up — not a retry."""
        _requires(harness, Capability.PUBLISH)
        harness.server.garble_next(*harness.publish_route, apply=True)
        with pytest.raises(OutcomeUnknown):
            harness.connector.publish(harness.valid_draft())
        assert harness.server.count(*harness.publish_route) == 1

    def test_undecodable_answer_to_a_read_is_transient(self, harness):
        _requires(harness, Capability.READ_MENTIONS)
        harness.connector.verify()  # a session, if the platform has them, is opened first
        harness.server.garble_next()  # the next request, whichever the connector makes
        with pytest.raises(harness.undecodable_read_error):
            harness.connector.fetch_mentions()

    def test_no_secret_in_logs_errors_or_repr(self, harness, caplog):
        caplog.set_level(logging.DEBUG)
        seen: list[str] = [
            repr(harness.connector),
            repr(harness.connector.credentials),
            repr(harness.connector.http),
        ]
        harness.primary_call()
        for secret in harness.secrets:
            harness.fail_auth(body={"error": "InvalidToken", "message": f"token {secret} is not valid"})
            with pytest.raises(ConnectorError) as caught:
                harness.primary_call()
            seen += [str(caught.value), repr(caught.value), caught.value.platform_message]
        if Capability.PUBLISH in harness.connector.capabilities:
            harness.server.hang_next(*harness.publish_route)
            with pytest.raises(OutcomeUnknown) as caught:
                harness.connector.publish(harness.valid_draft())
            seen.append(str(caught.value))
        seen += [record.getMessage() for record in caplog.records]
        text = "\n".join(seen) + caplog.text
        assert harness.secrets, "the harness must name the secrets to look for"
        for secret in harness.secrets:
            assert secret not in text
        for request in harness.server.requests:
            for secret in harness.secrets:
                assert secret not in request.path and secret not in str(request.query)

    # Reading --------------------------------------------------------------------------------
    def test_comments_with_cursor(self, harness):
        _requires(harness, Capability.READ_COMMENTS)
        post = harness.connector.publish(harness.valid_draft())
        harness.add_comment(post.remote_id, "Cik maksā kilograms?")
        harness.add_comment(post.remote_id, "Очень вкусно, спасибо!")
        first = harness.connector.fetch_comments(post_id=post.remote_id)
        texts = _texts(first)  # platforms may prefix a reply with @mentions: compare by containment
        assert len(texts) == 2 and "Cik maksā kilograms?" in texts[0] and "Очень вкусно, спасибо!" in texts[1]
        assert all(item.kind == ItemKind.COMMENT and item.created_at.tzinfo for item in first.items)
        assert harness.connector.fetch_comments(post_id=post.remote_id, cursor=first.cursor).items == ()
        harness.add_comment(post.remote_id, "When do you open on Sunday?")
        later = harness.connector.fetch_comments(post_id=post.remote_id, cursor=first.cursor)
        assert len(later.items) == 1 and "When do you open on Sunday?" in later.items[0].text

    def test_mentions_with_cursor(self, harness):
        _requires(harness, Capability.READ_MENTIONS)
        harness.add_mention("Vai jūs piegādājat uz Jūrmalu?")
        harness.add_mention("Лучшая кофейня в Риге")
        first = harness.connector.fetch_mentions()
        texts = _texts(first)
        assert "Vai jūs piegādājat uz Jūrmalu?" in texts[0] and "Лучшая кофейня в Риге" in texts[1]
        assert len({item.external_id for item in first.items}) == 2
        assert harness.connector.fetch_mentions(cursor=first.cursor).items == ()
        harness.add_mention("Great beans, thanks!")
        later = harness.connector.fetch_mentions(cursor=first.cursor)
        assert len(later.items) == 1 and "Great beans, thanks!" in later.items[0].text

    def test_metrics_for_published_post(self, harness):
        _requires(harness, Capability.METRICS)
        post = harness.connector.publish(harness.valid_draft())
        metrics = harness.connector.fetch_metrics([post.remote_id])
        assert set(metrics) == {post.remote_id}
        assert metrics[post.remote_id].collected_at.tzinfo is not None
