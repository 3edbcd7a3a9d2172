"""ACCOUNT_POSTS on Mastodon against the local sandbox: another account's own statuses (looked up by
name), newer than the cursor, with their counters — what Competitors reads."""

from __future__ import annotations

import pytest

from kopiena.connectors.capabilities import Capability
from kopiena.connectors.mastodon import MastodonConnector
from kopiena.sandbox import start_sandbox
from tests.connectors.test_mastodon import connector_for


@pytest.fixture
def sandbox():
    sandbox = start_sandbox()
    yield sandbox
    sandbox.stop()


def test_a_rivals_posts_with_counts_and_a_cursor(sandbox):
    assert Capability.ACCOUNT_POSTS in MastodonConnector.capabilities
    rival = sandbox.add_person("melnapupina", "Melnā Pupiņa", "lv")
    fan = sandbox.add_person("fan", "Fan")
    first = sandbox.state.post(rival.id, "Jaunā Etiopijas partija!")
    sandbox.state.favourite(fan.id, first.id)
    sandbox.state.reblog(fan.id, first.id)
    sandbox.state.post(fan.id, "not the rival's")
    connector = connector_for(sandbox)
    got = connector.fetch_account_posts("@melnapupina")
    assert [i.text for i in got.page.items] == ["Jaunā Etiopijas partija!"]
    counts = got.metrics[first.id]
    assert (counts.likes, counts.reposts, counts.replies) == (1, 1, 0)
    second = sandbox.state.post(rival.id, "Latte art sestdien")
    newer = connector.fetch_account_posts(rival.id, cursor=got.page.cursor)  # by id, after the cursor
    assert [i.external_id for i in newer.page.items] == [second.id]
    assert connector.fetch_account_posts(rival.id, cursor=newer.page.cursor).page.items == ()
