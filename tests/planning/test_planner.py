"""The week planner: proposals obey publishing's own checks, are deterministic, and become drafts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kopiena.planning import planner
from kopiena.planning.models import IdeaKind, Proposal, ProposalStatus
from kopiena.planning.services import (
    consent_create,
    idea_create,
    proposal_regenerate,
    proposals_accept,
    proposals_generate,
)
from kopiena.policy.selectors import policy_current
from kopiena.policy.services import policy_save
from kopiena.publishing import checks
from kopiena.publishing.models import Post, PostState

MONDAY = date(2027, 3, 1)  # far enough ahead that every slot is in the future
BEFORE = datetime(2027, 2, 20, 12, tzinfo=UTC)


def _set_policy(access, **cadence):
    document = policy_current(workspace=access.workspace)
    rule = document.publishing.cadence.default.model_copy(update=cadence)
    rule = type(rule).model_validate(rule.model_dump())
    publishing = document.publishing.model_copy(
        update={"cadence": document.publishing.cadence.model_copy(update={"default": rule})}
    )
    policy_save(access=access, document=document.model_copy(update={"publishing": publishing}))


def test_a_week_is_proposed_with_themes_days_and_ideas_and_accepted_as_drafts(manager_access, make_account):
    account = make_account("Mastodon", approval_required=False)
    idea = idea_create(access=manager_access, kind=IdeaKind.QUESTION, title="Kāda ir jūsu mīļākā kafija?")
    result = proposals_generate(access=manager_access, start=MONDAY + timedelta(days=2), moment=BEFORE)
    assert result.start == MONDAY
    proposals = list(Proposal.objects.filter(account=account).order_by("slot_at"))
    assert proposals and all(p.status == ProposalStatus.PROPOSED for p in proposals)
    assert any(p.idea_id == idea.pk for p in proposals)
    assert all(p.theme for p in proposals)  # the default policy has a theme for every day
    assert all(p.reasons for p in proposals)
    # 1 March: World Compliment Day / Zero Discrimination Day are in the data file
    assert any(p.kind == IdeaKind.HOLIDAY for p in proposals)
    assert all(h in p.text for p in proposals for h in p.hashtags)

    again = proposals_generate(access=manager_access, start=MONDAY, moment=BEFORE)  # deterministic
    assert [(p.slot_at, p.text, p.content_type) for p in again.proposals] == [
        (p.slot_at, p.text, p.content_type) for p in proposals
    ]

    posts = proposals_accept(access=manager_access, proposal_ids=[p.pk for p in again.proposals])
    assert {p.state for p in posts} == {PostState.DRAFT}
    assert all(p.scheduled_at is not None and p.theme for p in posts)
    # the planned drafts now take their slots: planning again proposes nothing on top of them
    assert proposals_generate(access=manager_access, start=MONDAY, moment=BEFORE).proposals == []


def test_regenerate_moves_one_slot_to_another_option(manager_access, make_account):
    make_account("Mastodon", approval_required=False)
    for n in range(3):
        idea_create(access=manager_access, kind=IdeaKind.QUESTION, title=f"Jautājums {n}?")
    first = proposals_generate(access=manager_access, start=MONDAY, moment=BEFORE).proposals[0]
    new = proposal_regenerate(access=manager_access, proposal_id=first.pk, moment=BEFORE)
    assert new is not None and new.slot_at == first.slot_at and new.text != first.text


def test_explanations_are_in_the_readers_language(manager_access, make_account):
    make_account("Mastodon", approval_required=False)
    proposal = proposals_generate(access=manager_access, start=MONDAY, moment=BEFORE).proposals[3]
    from django.utils.translation import override

    with override("en"):
        english = planner.explain(proposal.reasons)
    assert "Thursday" in english or "theme" in english


def test_a_policy_so_strict_no_slot_is_free_says_why(manager_access, make_account):
    make_account("Mastodon", approval_required=False)
    _set_policy(
        manager_access,
        quiet_hours=[{"start": "00:00", "end": "12:00"}, {"start": "12:00", "end": "00:00"}],
    )
    result = proposals_generate(access=manager_access, start=MONDAY, moment=BEFORE)
    assert result.proposals == []
    ((_account, reasons),) = result.empty
    assert reasons  # publishing's own words


def test_a_testimonial_is_proposed_only_with_valid_consent(manager_access, make_account):
    account = make_account("Mastodon", approval_required=False)
    other = make_account("Bluesky", approval_required=False)
    consent = consent_create(
        access=manager_access,
        person_name="Laura",
        purpose="Her review on our page",
        account_ids=[other.pk],
        evidence_url="https://example.lv/msg/1",
    )
    idea_create(
        access=manager_access, kind=IdeaKind.TESTIMONIAL, title="Labākā kafija", consent_id=consent.pk
    )
    proposals = proposals_generate(access=manager_access, start=MONDAY, moment=BEFORE).proposals
    kinds = {(p.account_id, p.kind) for p in proposals}
    assert (other.pk, IdeaKind.TESTIMONIAL) in kinds
    assert (account.pk, IdeaKind.TESTIMONIAL) not in kinds  # the consent does not cover this account


policies = st.fixed_dictionaries(
    {
        "max_per_day": st.one_of(st.none(), st.integers(1, 3)),
        "max_per_week": st.one_of(st.none(), st.integers(3, 10)),
        "min_gap_minutes": st.sampled_from([0, 60, 600, 1440, 2000]),
        "quiet_hours": st.lists(
            st.fixed_dictionaries(
                {
                    "days": st.just([]),
                    "start": st.sampled_from(["00:00", "08:00", "10:30", "20:00"]),
                    "end": st.sampled_from(["07:00", "11:30", "12:00", "23:00"]),
                }
            ),
            max_size=2,
        ),
    }
)


@pytest.mark.django_db(transaction=False)
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    cadence=policies, queue=st.lists(st.sampled_from([time(9), time(11), time(11, 30), time(18)]), max_size=3)
)
def test_the_planner_never_proposes_what_publishing_refuses(cadence, queue, manager_access, make_account):
    """Property: for random cadence rules and queues, every proposal — accepted, approved and scheduled
    through publishing's own services one by one — is scheduled without a refusal."""
    from django.db import transaction

    from kopiena.publishing.queues import queue_slot_add
    from kopiena.publishing.services import post_schedule

    if (
        cadence["max_per_day"]
        and cadence["max_per_week"]
        and cadence["max_per_week"] < cadence["max_per_day"]
    ):
        cadence["max_per_week"] = cadence["max_per_day"]
    sid = transaction.savepoint()
    try:
        account = make_account(f"Acc {len(queue)}", approval_required=False)
        for n, at in enumerate(queue):
            queue_slot_add(access=manager_access, account_id=account.pk, weekday=n * 2, local_time=at)
        _set_policy(manager_access, **cadence)
        moment = datetime.now(UTC)
        start = moment.date() + timedelta(days=7)
        result = proposals_generate(access=manager_access, start=start, account_ids=[account.pk])
        ids = [p.pk for p in result.proposals]
        posts = proposals_accept(access=manager_access, proposal_ids=ids) if ids else []
        for post in posts:
            found = checks.refusals_of(checks.schedule_problems(post=post, at=post.scheduled_at))
            assert found == [], (cadence, [p.message for p in found])
            post_schedule(access=manager_access, post_id=post.pk, at=post.scheduled_at)
        assert Post.objects.filter(pk__in=[p.pk for p in posts], state=PostState.SCHEDULED).count() == len(
            posts
        )
    finally:
        transaction.savepoint_rollback(sid)
