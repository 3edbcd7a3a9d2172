"""Polling through the REAL Mastodon connector against the local sandbox: cursors, dedupe, replies sent
back, needs-reconnect on a revoked token, RateLimited honoured; and the demo's end-to-end path."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from kopiena.connectors.errors import AccountDisconnected, AuthExpired, RateLimited
from kopiena.connectors.http import RATE_LIMITER
from kopiena.connectors.types import PostDraft
from kopiena.inbox import polling
from kopiena.inbox.models import Item, Reply, ReplyState, Thread, ThreadStatus
from kopiena.inbox.sending import reply_deliver
from kopiena.inbox.services import item_reply
from kopiena.integrations.connecting import connector_for
from kopiena.integrations.models import AccountStatus, SyncCursor
from kopiena.integrations.services import account_connect_checked
from kopiena.sandbox import start_sandbox

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits():
    """Account keys are ``account:<pk>`` and test databases reuse pks: no budget leaks between tests."""
    RATE_LIMITER.reset()
    cache.clear()
    yield
    RATE_LIMITER.reset()


@pytest.fixture
def sandbox():
    with start_sandbox(0) as server:
        yield server


@pytest.fixture
def account(owner_access, sandbox, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the sandbox listens on 127.0.0.1
    return account_connect_checked(
        access=owner_access,
        platform="mastodon",
        values={"base_url": sandbox.base_url, "access_token": sandbox.access_token},
        name="Sandbox (Mastodon)",
    )


def test_poll_ingests_comments_once_and_advances_the_cursor(account, sandbox):
    with connector_for(account) as connector:
        post = connector.publish(PostDraft(text="Jauna kafija šorīt!", idempotency_key="post-1"))
    sandbox.comment(post.remote_id, "Cik maksā jaunā kafija?")
    sandbox.mention("Labākā kafija Rīgā!")
    assert polling.account_poll(account) == 2
    assert SyncCursor.objects.get(account=account, stream="mentions").cursor
    assert polling.account_poll(account) == 0  # nothing new: the cursor holds
    assert Item.objects.count() == 2
    sandbox.comment(post.remote_id, "Un vai ir bezkofeīna?")
    assert polling.account_poll(account) == 1
    assert set(Item.objects.values_list("kind", flat=True)) == {"comment", "mention"}


def test_accounts_due_skips_recently_polled_and_non_inbox_accounts(account):
    assert account in polling.accounts_due()
    polling.account_poll(account)
    assert account not in polling.accounts_due()


def test_a_reply_goes_out_through_the_connector_and_stops_the_clock(account, owner_access, sandbox):
    with connector_for(account) as connector:
        post = connector.publish(PostDraft(text="Jauna kafija!", idempotency_key="post-2"))
    comment = sandbox.comment(post.remote_id, "Vai rīt strādājat?")
    polling.account_poll(account)
    item = Item.objects.get()
    reply = item_reply(
        access=owner_access, item=item, text="Jā, strādājam no 9 līdz 18. Gaidīsim!", confirmed=True
    )
    assert reply_deliver(reply_id=reply.pk) == ReplyState.SENT
    reply.refresh_from_db()
    assert reply.remote_id and reply.sent_at
    thread = Thread.objects.get()
    assert thread.first_responded_at == reply.sent_at and thread.status == ThreadStatus.WAITING
    assert sandbox.state.statuses[reply.remote_id].in_reply_to_id == comment.id
    assert reply_deliver(reply_id=reply.pk) == "skipped"  # never sent twice
    assert Reply.objects.count() == 1


def test_a_revoked_token_marks_the_account_for_reconnect(account, sandbox):
    sandbox.state.tokens.clear()
    with pytest.raises((AuthExpired, AccountDisconnected)):
        polling.account_poll(account)
    account.refresh_from_db()
    assert account.status == AccountStatus.NEEDS_RECONNECT
    assert account not in polling.accounts_due()


def test_rate_limited_pauses_the_account(account, sandbox):
    sandbox.fail_next("GET", r"/api/v1/notifications", status=429, headers={"Retry-After": "120"})
    with pytest.raises(RateLimited):
        polling.account_poll(account)
    from kopiena.integrations.models import ConnectedAccount

    ConnectedAccount.objects.filter(pk=account.pk).update(last_synced_at=None)
    assert account not in polling.accounts_due()  # paused for as long as the platform asked


def test_demo_path_publish_and_the_simulated_audience_answers_into_the_inbox(owner_access, settings):
    """The newcomer's minute: a post goes out, the audience comments, the poll brings it into the inbox."""
    settings.OUTBOUND_ALLOW_PRIVATE = True
    started = time.monotonic()
    with start_sandbox(0, audience=True, audience_interval_seconds=1.0, seed=7) as sandbox:
        sandbox.audience.first_delay_seconds = 0.5
        account = account_connect_checked(
            access=owner_access,
            platform="mastodon",
            values={"base_url": sandbox.base_url, "access_token": sandbox.access_token},
        )
        with connector_for(account) as connector:
            connector.publish(PostDraft(text="Šodien jauna Etiopijas kafija!", idempotency_key="demo-1"))
        while not Item.objects.exists() and time.monotonic() - started < 25:
            time.sleep(0.5)
            polling.account_poll(account)
    thread = Thread.objects.first()
    assert thread is not None, "no comment came back within 25 s"
    assert thread.first_response_due_at is not None and thread.language
    assert time.monotonic() - started < 30


def test_a_follow_up_after_our_answer_starts_a_new_deadline(account, owner_access, sandbox):
    """M8: answer everyone — a question after our reply is owed an answer too; the first response stays."""
    with connector_for(account) as connector:
        post = connector.publish(PostDraft(text="Jauna kafija!", idempotency_key="post-3"))
    sandbox.comment(post.remote_id, "Vai rīt strādājat?")
    polling.account_poll(account)
    reply = item_reply(access=owner_access, item=Item.objects.get(), text="Jā, no 9 līdz 18.", confirmed=True)
    reply_deliver(reply_id=reply.pk)
    reply.refresh_from_db()
    thread = Thread.objects.get()
    assert thread.response_due_at is None and thread.first_responded_at is not None
    first_responded = thread.first_responded_at
    sandbox.comment(reply.remote_id, "Un sestdien?")
    polling.account_poll(account)
    thread.refresh_from_db()
    assert Thread.objects.count() == 1 and thread.items.count() == 2
    assert thread.status == ThreadStatus.OPEN and thread.response_due_at is not None
    assert thread.first_responded_at == first_responded


@pytest.fixture
def other_access(other_workspace):
    from kopiena.teams.selectors import access_workspace

    # Another workspace: the second sandbox's account has the same remote id as the first one's.
    return access_workspace(actor=other_workspace.memberships.get().user, slug=other_workspace.slug)


def test_a_garbled_answer_is_recorded_on_its_account_and_the_others_are_polled(
    other_access, account, sandbox
):
    """A 200 with an undecodable body used to escape as a raw JSONDecodeError: the whole inbox_poll run
    failed, the accounts after it waited, and the account recorded nothing."""
    from kopiena.integrations.models import ConnectedAccount

    with start_sandbox(0) as healthy:
        other = account_connect_checked(
            access=other_access,
            platform="mastodon",
            values={"base_url": healthy.base_url, "access_token": healthy.access_token},
            name="Second instance",
        )
        healthy.mention("Vai jums ir auzu piens?")
        sandbox.http.garble_next("GET", r"/api/v1/notifications")
        report = polling.accounts_poll()
    assert report.accounts == 2 and report.items == 1
    assert report.errors == [f"{account.pk}: TransientError"]
    assert Item.objects.get().account_id == other.pk
    broken = ConnectedAccount.objects.get(pk=account.pk)
    assert "not valid JSON" in broken.last_error and broken.last_error_at is not None
    assert broken.status == AccountStatus.ACTIVE  # a garbled answer is no reason to reconnect
    assert ConnectedAccount.objects.get(pk=other.pk).last_error == ""

    ConnectedAccount.objects.filter(pk=account.pk).update(last_synced_at=None)
    assert polling.accounts_poll().errors == []  # the next good poll clears the error
    assert ConnectedAccount.objects.get(pk=account.pk).last_error == ""


def test_a_connector_bug_in_one_account_does_not_stop_the_others(other_access, account, sandbox):
    from kopiena.connectors import registry
    from kopiena.connectors.mastodon import MastodonConnector
    from kopiena.integrations.models import ConnectedAccount

    class BuggyMastodon(MastodonConnector):
        def fetch_mentions(self, *, cursor=""):
            if self.base_url == sandbox.base_url:
                raise RuntimeError("a bug in a connector")
            return super().fetch_mentions(cursor=cursor)

    with start_sandbox(0) as healthy, registry.override("mastodon", BuggyMastodon):
        other = account_connect_checked(
            access=other_access,
            platform="mastodon",
            values={"base_url": healthy.base_url, "access_token": healthy.access_token},
        )
        healthy.mention("Labrīt!")
        report = polling.accounts_poll()
    assert report.items == 1 and Item.objects.get().account_id == other.pk
    assert report.errors == [f"{account.pk}: RuntimeError"]
    assert ConnectedAccount.objects.get(pk=account.pk).last_error
