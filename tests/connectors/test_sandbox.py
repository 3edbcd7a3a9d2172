"""The sandbox instance and its simulated audience, seen through the real Mastodon connector."""

from __future__ import annotations

import time
import uuid

import pytest

from kopiena.connectors.errors import OutcomeUnknown, RateLimited, TransientError
from kopiena.connectors.types import PostDraft
from kopiena.sandbox import start_sandbox
from kopiena.sandbox.audience import SimulatedAudience
from kopiena.sandbox.phrases import PHRASES
from tests.connectors.test_mastodon import connector_for


@pytest.fixture
def sandbox():
    sandbox = start_sandbox()
    yield sandbox
    sandbox.stop()


def draft(text="Labrīt! ☕"):
    return PostDraft(text=text, idempotency_key=str(uuid.uuid4()))


def test_audience_answers_our_post_in_three_languages(sandbox):
    mastodon = connector_for(sandbox)
    post = mastodon.publish(draft())
    audience = SimulatedAudience(sandbox, seed=7)
    actions = [audience.tick() for _ in range(60)]
    assert {a.kind for a in actions} == {"reply", "mention", "favourite", "reblog", "follow"}
    comments = mastodon.fetch_comments(post_id=post.remote_id).items
    mentions = mastodon.fetch_mentions().items
    assert comments and mentions
    known = {text: lang for lang, intents in PHRASES.items() for texts in intents.values() for text in texts}
    languages = {known[item.text.removeprefix("@kafija ")] for item in (*comments, *mentions)}
    assert languages == {"lv", "ru", "en"}
    metrics = mastodon.fetch_metrics([post.remote_id])[post.remote_id]
    assert metrics.likes and metrics.replies == len(comments)
    assert mastodon.verify().followers_count


def test_audience_runs_on_a_timer_and_stops(sandbox):
    sandbox.audience = SimulatedAudience(
        sandbox, interval_seconds=0.02, first_delay_seconds=0.0, seed=1
    ).start()
    deadline = time.monotonic() + 5
    while len(sandbox.audience.log) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    sandbox.audience.stop()
    done = len(sandbox.audience.log)
    assert done >= 5
    time.sleep(0.1)
    assert len(sandbox.audience.log) == done


def test_start_sandbox_with_audience_and_a_stored_token():
    sandbox = start_sandbox(
        access_token="stored-token-123", audience=True, audience_interval_seconds=60, seed=3
    )
    try:
        assert sandbox.access_token == "stored-token-123"
        assert connector_for(sandbox).verify().handle == "kafija"
        assert sandbox.audience is not None
    finally:
        sandbox.stop()
    assert not sandbox.audience._thread.is_alive()


def test_fault_hooks(sandbox):
    mastodon = connector_for(sandbox)
    sandbox.fail_next("POST", r"/api/v1/statuses", status=429, headers={"Retry-After": "5"})
    with pytest.raises(RateLimited):
        mastodon.publish(draft())
    mastodon = connector_for(sandbox)  # a fresh rate bucket
    sandbox.fail_next("POST", r"/api/v1/statuses", status=503)
    with pytest.raises(TransientError):
        mastodon.publish(draft())
    post = draft("Vai tas aizgāja?")
    sandbox.hang_next("POST", r"/api/v1/statuses", apply=True)
    with pytest.raises(OutcomeUnknown):
        mastodon.publish(post)
    assert mastodon.find_published(post) is not None
    assert len(sandbox.brand_statuses()) == 1


def test_a_new_post_gets_a_comment_on_the_next_tick(sandbox):
    mastodon = connector_for(sandbox)
    audience = SimulatedAudience(sandbox, seed=11)
    audience.tick()  # before any post: mentions or follows only
    post = mastodon.publish(draft("Jauns grauzdējums!"))
    action = audience.tick()
    assert action.kind == "reply"
    assert [i.external_id for i in mastodon.fetch_comments(post_id=post.remote_id).items] == [
        action.status_id
    ]


def test_state_survives_a_restart(tmp_path):
    path = tmp_path / "sandbox.json"
    first = start_sandbox(state_path=path, access_token="demo-token")
    try:
        mastodon = connector_for(first)
        post = mastodon.publish(draft("Pirms restarta"))
        SimulatedAudience(first, seed=5).tick()  # comments on the new post
        first.save()
    finally:
        first.stop()
    second = start_sandbox(state_path=path, access_token="demo-token")
    try:
        mastodon = connector_for(second)
        comments = mastodon.fetch_comments(post_id=post.remote_id).items
        assert len(comments) == 1
        newer = mastodon.publish(draft("Pēc restarta"))
        assert int(newer.remote_id) > int(comments[0].external_id)
        assert [s.text for s in second.brand_statuses()] == ["Pirms restarta", "Pēc restarta"]
    finally:
        second.stop()
