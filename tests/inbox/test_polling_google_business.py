"""Google Business Profile reviews through the product against the local fake (tests/connectors/gbp_fake.py):
connecting with a refresh token, reviews polled into the inbox with their stars, answered ones closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from kopiena.connectors.http import RATE_LIMITER
from kopiena.connectors.testing import LocalServer
from kopiena.inbox import polling
from kopiena.inbox.models import Item, Thread, ThreadStatus
from kopiena.integrations.selectors import credential_for
from kopiena.integrations.services import account_connect_checked
from tests.connectors.gbp_fake import LOCATION, FakeGoogleBusiness

pytestmark = pytest.mark.django_db

REFRESH = "1//0g-refresh-poll-2c2c"
CLIENT_ID = "777-kopiena.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-poll-secret-3d3d"


@pytest.fixture(autouse=True)
def fresh_limits():
    RATE_LIMITER.reset()
    cache.clear()
    yield
    RATE_LIMITER.reset()


@pytest.fixture
def server(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the fake listens on 127.0.0.1
    with LocalServer() as server:
        yield server


@pytest.fixture
def fake(server):
    return FakeGoogleBusiness(server, refresh_token=REFRESH, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)


def test_reviews_arrive_with_stars_and_an_answered_one_owes_nothing(owner_access, server, fake):
    account = account_connect_checked(
        access=owner_access,
        platform="google_business",
        values={
            "base_url": server.base_url,
            "location": LOCATION,
            "refresh_token": REFRESH,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    fake.now = datetime.now(UTC) + timedelta(minutes=1)  # written after connecting: not history
    fake.add_review("", stars=1, reviewer="Jānis")
    fake.add_review("Labākā kafija Rīgā", stars=5, reviewer="Anna")
    answered = fake.add_review("Jauka vieta", stars=4, reviewer="Olga")
    answered["reviewReply"] = {"comment": "Paldies, Olga!", "updateTime": answered["updateTime"]}
    fake.tokens.clear()  # the stored access token has expired by the time of the poll
    assert polling.account_poll(account) == 3
    items = {i.author_name: i for i in Item.objects.filter(account=account)}
    assert (items["Jānis"].sentiment, items["Anna"].sentiment) == ("negative", "positive")
    threads = {t.root_external_id: t for t in Thread.objects.filter(account=account)}
    one_star = threads[items["Jānis"].external_id]
    assert one_star.status == ThreadStatus.OPEN and one_star.response_due_at is not None
    assert one_star.subject.startswith("★☆☆☆☆")
    assert threads[answered["name"]].status == ThreadStatus.CLOSED
    assert credential_for(account)["access_token"] in fake.tokens  # the renewed token was stored
    assert polling.account_poll(account) == 0
