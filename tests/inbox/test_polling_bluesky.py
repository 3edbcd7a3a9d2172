"""Bluesky through the product against the fake PDS (tests/connectors/bluesky_fake.py): connecting, a revoked
app password noticed by the next poll, and the first poll after connecting."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from kopiena.connectors.errors import AccountDisconnected
from kopiena.connectors.http import RATE_LIMITER
from kopiena.connectors.testing import LocalServer
from kopiena.core.errors import DomainError
from kopiena.inbox import polling
from kopiena.integrations.models import AccountStatus
from kopiena.integrations.selectors import credential_for
from kopiena.integrations.services import account_connect_checked
from tests.connectors.bluesky_fake import FakeBluesky

pytestmark = pytest.mark.django_db

PASSWORD = "abcd-efgh-ijkl-mnop"


@pytest.fixture(autouse=True)
def fresh_limits():
    RATE_LIMITER.reset()
    cache.clear()
    yield
    RATE_LIMITER.reset()


@pytest.fixture
def server(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the fake PDS listens on 127.0.0.1
    with LocalServer() as server:
        yield server


@pytest.fixture
def fake(server):
    return FakeBluesky(server, password=PASSWORD)


def connect(access, server, identifier="kafija.bsky.social", password=PASSWORD):
    return account_connect_checked(
        access=access,
        platform="bluesky",
        values={"base_url": server.base_url, "identifier": identifier, "app_password": password},
    )


def test_a_handle_with_an_at_sign_connects(owner_access, server, fake):
    account = connect(owner_access, server, identifier="@kafija.bsky.social")
    assert (account.handle, account.external_id) == ("kafija.bsky.social", fake.did)


def test_a_refusal_shows_what_bluesky_said(owner_access, server, fake):
    with pytest.raises(DomainError) as caught:
        connect(owner_access, server, password="wrong-pass-word-xxxx")
    assert "Invalid identifier or password" in caught.value.message


def test_a_revoked_app_password_is_noticed_by_the_next_poll(owner_access, server, fake):
    fake.token_age = 3600  # the session stored at connecting is an hour old by the time of the poll
    account = connect(owner_access, server)
    fake.revoke_app_password()  # its access token stays valid for another hour
    with pytest.raises(AccountDisconnected):
        polling.account_poll(account)
    account.refresh_from_db()
    assert account.status == AccountStatus.NEEDS_RECONNECT
    assert "Invalid identifier or password" in account.last_error


def test_a_live_session_is_checked_and_stored_again(owner_access, server, fake):
    fake.token_age = 3600
    account = connect(owner_access, server)
    fake.token_age = 0
    before = credential_for(account)["refresh_jwt"]
    refreshes = server.count("POST", r"/xrpc/com\.atproto\.server\.refreshSession")
    polling.account_poll(account)
    stored = credential_for(account)
    assert stored["refresh_jwt"] != before and stored["refresh_jwt"] in fake.refresh
    assert fake.sessions_created == 1
    assert server.count("POST", r"/xrpc/com\.atproto\.server\.refreshSession") == refreshes + 1


def test_the_first_poll_imports_older_mentions_as_history_without_deadlines(owner_access, server, fake):
    """The first poll reads notifications from before the account was connected: they are stored for the
    record, but they start no response clock (a fresh 6-hour deadline for a week-old mention, or an
    instant breach, would bury what is new) and their conversations are not left open."""
    from datetime import UTC, datetime, timedelta

    from kopiena.inbox.models import Item, Thread, ThreadStatus

    fake.mention("Vai jums ir auzu piens?")  # written days before Kopiena was connected
    account = connect(owner_access, server)
    fake.start = datetime.now(UTC) + timedelta(seconds=5)
    fake.mention("Kad atverat rīt?")  # written after connecting
    polling.account_poll(account)
    old = Thread.objects.get(items__text__contains="auzu piens")
    new = Thread.objects.get(items__text__contains="atverat")
    assert Item.objects.count() == 2
    assert (old.status, old.response_due_at, old.first_response_due_at) == (ThreadStatus.CLOSED, None, None)
    assert new.status == ThreadStatus.OPEN and new.response_due_at is not None
