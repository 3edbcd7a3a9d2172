"""Spike alerts (issue 11 item 5): same hour of the week as the baseline, robust to an earlier storm,
notified once to the people the policy names, with the top examples kept for the page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kopiena.listening.models import (
    HourlyVolume,
    ListeningQuery,
    ListeningSource,
    Mention,
    MentionMatch,
    SourceKind,
    Spike,
    SpikeKind,
)
from kopiena.listening.spikes import (
    negative_verdict,
    recent_spikes,
    spikes_detect,
    volume_verdict,
)
from kopiena.policy.defaults import default_policy
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.services import policy_save
from kopiena.publishing.models import Notification
from kopiena.teams.models import Role

NOW = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)  # a Monday, 10:30
HOUR = datetime(2026, 12, 7, 10, tzinfo=UTC)

pytestmark = pytest.mark.django_db  # tests/listening/conftest.py's autouse fixture clears the DB cache


def test_volume_verdict_uses_median_and_mad_so_one_old_storm_does_not_hide_the_next():
    # Four weeks at about 5 an hour, one of them an earlier storm of 200.
    assert volume_verdict(60, [5, 4, 200, 6], threshold=3, min_mentions=10).is_spike
    assert not volume_verdict(9, [5, 4, 6, 5], threshold=3, min_mentions=10).is_spike  # quieter than min
    assert not volume_verdict(12, [10, 9, 11, 10], threshold=3, min_mentions=10).is_spike  # normal wobble


def test_small_counts_are_noise_even_with_a_flat_baseline():
    # MAD is 0 when every week had exactly 2, but 2 → 6 is not a storm (spread ≥ √median, ≥ 1).
    assert not volume_verdict(6, [2, 2, 2, 2], threshold=3, min_mentions=1).is_spike


def test_negative_share_needs_enough_mentions_and_a_real_jump():
    history = [(20, 2), (30, 3), (25, 2), (0, 0)]  # about 10 % negative; an empty hour has no share
    assert negative_verdict(
        mentions=20, negative=12, history=history, threshold=3, min_mentions=10, min_points=20
    ).is_spike
    assert (
        negative_verdict(mentions=5, negative=5, history=history, threshold=3, min_mentions=10, min_points=20)
        is None
    )
    assert not negative_verdict(
        mentions=20, negative=4, history=history, threshold=3, min_mentions=10, min_points=20
    ).is_spike


@pytest.fixture
def query(workspace, owner):
    query = ListeningQuery.objects.create(
        workspace=workspace, name="Roastery", expression='"rīgas grauzdētava"'
    )
    ListeningQuery.objects.filter(pk=query.pk).update(created_at=NOW - timedelta(weeks=6))
    return ListeningQuery.objects.get(pk=query.pk)


def volume(query, hour, mentions, negative=0):
    HourlyVolume.objects.create(
        workspace=query.workspace, query_key=query.pk, hour=hour, mentions=mentions, negative=negative
    )


def mention(query, source, n, *, followers, sentiment="neutral"):
    stored = Mention.objects.create(
        workspace=query.workspace,
        source=source,
        external_id=f"m{n}",
        platform="mastodon",
        author_handle=f"person{n}",
        author_followers=followers,
        text=f"mention {n}",
        sentiment=sentiment,
        published_at=HOUR + timedelta(minutes=n % 30),
        fetched_at=NOW,
    )
    MentionMatch.objects.create(
        mention=stored, query=query, published_at=stored.published_at, sentiment=sentiment
    )
    return stored


def test_a_storm_is_recorded_once_with_examples_and_the_policy_roles_are_told(
    query, workspace, owner, member
):
    manager, moderator = member(Role.MANAGER), member(Role.MODERATOR)
    source = ListeningSource.objects.create(
        workspace=workspace, kind=SourceKind.FEED, name="News", feed_url="https://news.example/feed"
    )
    for weeks in range(1, 5):
        volume(query, HOUR - timedelta(weeks=weeks), 5)
        volume(query, HOUR - timedelta(hours=1) - timedelta(weeks=weeks), 5)
    # A busy hour at a DIFFERENT hour of the week is not the baseline of Monday 10:00.
    volume(query, HOUR - timedelta(days=1), 80)
    volume(query, HOUR, 40, negative=4)
    loud = [mention(query, source, n, followers=n * 100) for n in range(1, 9)]

    assert spikes_detect(at=NOW) == 1
    spike = Spike.objects.get()
    assert (spike.kind, spike.hour, spike.observed, spike.baseline, spike.mentions) == (
        SpikeKind.VOLUME,
        HOUR,
        40,
        5,
        40,
    )
    assert spike.example_ids == [m.pk for m in reversed(loud)][:5]  # the widest reach first
    told = Notification.objects.filter(kind="listening.spike")
    assert {n.recipient for n in told} == {owner, manager}  # default policy: owners and managers
    assert moderator not in {n.recipient for n in told}
    assert "Roastery" in told.first().title and spike.notified_at is not None

    # The next run (the storm goes on) updates the figures but tells nobody again.
    HourlyVolume.objects.filter(query_key=query.pk, hour=HOUR).update(mentions=70)
    assert spikes_detect(at=NOW + timedelta(minutes=10)) == 0
    assert Spike.objects.get().observed == 70 and told.count() == 2

    storms = recent_spikes(workspace=workspace, at=NOW)
    assert [s["spike"] for s in storms] == [spike]
    assert [m.pk for m in storms[0]["examples"]] == spike.example_ids


def test_no_alert_without_a_week_of_history_or_when_the_policy_turns_alerts_off(query, owner_access):
    volume(query, HOUR, 500)
    ListeningQuery.objects.filter(pk=query.pk).update(created_at=NOW - timedelta(days=2))
    assert spikes_detect(at=NOW) == 0
    ListeningQuery.objects.filter(pk=query.pk).update(created_at=NOW - timedelta(weeks=6))
    data = default_policy().to_data()
    data["listening"]["alerts"]["enabled"] = False
    policy_save(access=owner_access, document=PolicyDocument.model_validate(data), summary="quiet")
    assert spikes_detect(at=NOW) == 0
    assert not Spike.objects.exists()


def test_a_negative_storm_notifies_the_people_named_in_the_policy(query, owner_access, member):
    analyst = member(Role.ANALYST)
    data = default_policy().to_data()
    data["listening"]["alerts"].update(notify_roles=[], notify_people=[analyst.username, "nobody-here"])
    policy_save(access=owner_access, document=PolicyDocument.model_validate(data), summary="analyst")
    for weeks in range(1, 5):
        volume(query, HOUR - timedelta(weeks=weeks), 30, negative=3)
    volume(query, HOUR, 30, negative=20)
    assert spikes_detect(at=NOW) == 1
    assert Spike.objects.get().kind == SpikeKind.NEGATIVE
    assert [n.recipient for n in Notification.objects.filter(kind="listening.spike")] == [analyst]
