"""post_schedule refuses what the policy or the platform forbids, says which rule, proposes a slot,
and lets a manager override policy (never platform) rules with an audited reason. Rules that only flag
(mix worsened, link without context) never refuse: they are stored on the post and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kopiena.audit.models import AuditEvent
from kopiena.core.errors import NotPermitted
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current_data
from kopiena.policy.services import policy_save
from kopiena.publishing.models import PostState
from kopiena.publishing.services import (
    ScheduleRefused,
    post_create,
    post_reschedule,
    post_schedule,
    post_update,
)

from .conftest import daytime


@pytest.fixture
def account(make_account):
    return make_account("Grauzdētava", approval_required=False)


@pytest.fixture
def new_post(manager_access, account):
    def make(content_type: str = "text", **fields):
        return post_create(
            access=manager_access,
            account_ids=[account.pk],
            content_type=content_type,
            text=fields.pop("text", "Sveiki"),
            **fields,
        )

    return make


def _rules(exc: ScheduleRefused) -> list[str]:
    return [p.rule for p in exc.problems]


def test_min_gap_refused_with_nearest_slot_then_overridden(manager_access, new_post):
    noon = daytime(2, 12)
    post_schedule(access=manager_access, post_id=new_post("photo").pk, at=noon)
    second = new_post("video")
    with pytest.raises(ScheduleRefused) as refused:
        post_schedule(access=manager_access, post_id=second.pk, at=noon + timedelta(hours=1))
    assert _rules(refused.value) == ["cadence.min_gap"]
    assert refused.value.proposed_at == noon + timedelta(minutes=180)
    assert "Grauzdētava" in refused.value.message and "Nearest allowed time" in refused.value.message
    assert second.__class__.objects.get(pk=second.pk).state == PostState.DRAFT  # nothing changed

    post = post_schedule(
        access=manager_access, post_id=second.pk, at=noon + timedelta(hours=1), override_reason="Launch hour"
    )
    assert post.state == PostState.SCHEDULED and post.override_reason == "Launch hour"
    event = AuditEvent.objects.filter(action="post.schedule", object_id=str(post.pk)).get()
    assert event.after["override_reason"] == "Launch hour"
    assert event.after["overridden_rules"] == ["cadence.min_gap"]


def test_quiet_hours_propose_the_morning(manager_access, new_post):
    late_evening = daytime(2, 23)
    with pytest.raises(ScheduleRefused) as refused:
        post_schedule(access=manager_access, post_id=new_post().pk, at=late_evening)
    assert _rules(refused.value) == ["cadence.quiet_hours"]
    assert refused.value.proposed_at == daytime(3, 8)


def test_max_per_day(manager_access, new_post):
    post_schedule(access=manager_access, post_id=new_post("photo").pk, at=daytime(2, 9))
    post_schedule(access=manager_access, post_id=new_post("video").pk, at=daytime(2, 13))
    with pytest.raises(ScheduleRefused) as refused:
        post_schedule(access=manager_access, post_id=new_post("text").pk, at=daytime(2, 17))
    assert "cadence.max_per_day" in _rules(refused.value)
    assert refused.value.proposed_at == daytime(3, 8)


def _flag_codes(post) -> list[str]:
    post.refresh_from_db()
    return [flag["code"] for flag in post.policy_flags]


def test_content_mix_drift_is_flagged_not_refused(manager_access, new_post):
    monday = daytime(7 - daytime(0).weekday() + 7, 12)  # a Monday next week, clear of other posts
    post_schedule(access=manager_access, post_id=new_post("photo").pk, at=monday)
    second = post_schedule(access=manager_access, post_id=new_post("photo").pk, at=monday + timedelta(days=1))
    assert second.state == PostState.SCHEDULED and second.override_reason == ""
    assert _flag_codes(second) == ["mix.worsens"]
    flag = second.policy_flags[0]
    assert flag["path"].endswith(".targets") and "Grauzdētava" in flag["message"]
    event = AuditEvent.objects.filter(action="post.schedule", object_id=str(second.pk)).get()
    assert [f["code"] for f in event.after["policy_flags"]] == ["mix.worsens"]
    assert "overridden_rules" not in event.after  # a flag needs no override
    # a different type improves the mix and carries no flag
    third = post_schedule(access=manager_access, post_id=new_post("video").pk, at=monday + timedelta(days=2))
    assert _flag_codes(third) == []


def test_link_without_context_is_flagged_not_refused(manager_access, new_post):
    post = new_post("link", link="https://example.lv/katalogs")
    assert _flag_codes(post) == ["links.require_context"]  # already on the draft (composer, approvals)
    post = post_schedule(access=manager_access, post_id=post.pk, at=daytime(2, 12))
    assert post.state == PostState.SCHEDULED
    assert _flag_codes(post) == ["links.require_context"]
    assert "Say why the audience needs this link" in post.policy_flags[0]["message"]
    # stating the context clears the flag on the next edit, and the audit event shows both sides
    post_update(access=manager_access, post_id=post.pk, link_context="they asked for the catalogue")
    assert _flag_codes(post) == []
    event = AuditEvent.objects.filter(action="post.update", object_id=str(post.pk)).get()
    assert [f["code"] for f in event.before["policy_flags"]] == ["links.require_context"]
    assert event.after["policy_flags"] == []


def test_a_flag_does_not_hide_a_refusal(manager_access, new_post):
    post = new_post("link", link="https://example.lv/katalogs")
    with pytest.raises(ScheduleRefused) as refused:
        post_schedule(access=manager_access, post_id=post.pk, at=daytime(2, 23))
    assert _rules(refused.value) == ["cadence.quiet_hours"]  # the flag is not listed as a refusal
    post = post_schedule(
        access=manager_access, post_id=post.pk, at=daytime(2, 23), override_reason="Late news"
    )
    event = AuditEvent.objects.filter(action="post.schedule", object_id=str(post.pk)).get()
    assert event.after["overridden_rules"] == ["cadence.quiet_hours"]
    assert [f["code"] for f in event.after["policy_flags"]] == ["links.require_context"]


def test_own_link_share_is_still_refused(manager_access, new_post):
    data = policy_current_data(workspace=manager_access.workspace)
    data["publishing"]["links"]["own_domains"] = ["example.lv"]
    data["publishing"]["links"]["max_own_link_share_percent"] = 0
    policy_save(access=manager_access, document=PolicyDocument.model_validate(data))
    post = new_post("link", link="https://example.lv/katalogs", link_context="they asked for the catalogue")
    with pytest.raises(ScheduleRefused) as refused:
        post_schedule(access=manager_access, post_id=post.pk, at=daytime(2, 12))
    assert _rules(refused.value) == ["links.max_own_share"]
    post = post_schedule(access=manager_access, post_id=post.pk, at=daytime(2, 12), override_reason="Sale")
    event = AuditEvent.objects.filter(action="post.schedule", object_id=str(post.pk)).get()
    assert event.after["overridden_rules"] == ["links.max_own_share"]


def test_platform_limit_cannot_be_overridden(manager_access, new_post):
    post = new_post(text="x" * 501)  # the fake platform allows 500 characters
    with pytest.raises(ScheduleRefused) as refused:
        post_schedule(access=manager_access, post_id=post.pk, at=daytime(2, 12), override_reason="please")
    assert _rules(refused.value) == ["platform.too_long"]
    assert not refused.value.overridable
    assert post.variants.get().problems[0]["code"] == "too_long"  # cached for the composer


def test_reschedule_is_checked_too_and_ignores_its_own_old_slot(manager_access, new_post):
    first = new_post("photo")
    post_schedule(access=manager_access, post_id=first.pk, at=daytime(2, 12))
    post_reschedule(access=manager_access, post_id=first.pk, at=daytime(2, 13))  # its own old slot is no gap
    second = new_post("video")
    post_schedule(access=manager_access, post_id=second.pk, at=daytime(2, 17))
    with pytest.raises(ScheduleRefused):
        post_reschedule(access=manager_access, post_id=second.pk, at=daytime(2, 14))


def test_contributor_cannot_override(contributor_access, manager_access, account):
    post = post_create(access=contributor_access, account_ids=[account.pk], text="Mans")
    with pytest.raises(NotPermitted):
        post_schedule(
            access=contributor_access, post_id=post.pk, at=daytime(2, 23), override_reason="because"
        )


def test_editing_a_scheduled_post_is_checked_again(manager_access, new_post, make_account):
    post = new_post("text")
    post_schedule(access=manager_access, post_id=post.pk, at=daytime(2, 12))
    with pytest.raises(ScheduleRefused) as refused:
        post_update(access=manager_access, post_id=post.pk, text="x" * 501)
    assert _rules(refused.value) == ["platform.too_long"]
    post.refresh_from_db()
    assert post.text == "Sveiki"  # nothing changed
    extra = make_account("Second", approval_required=False)
    post_update(
        access=manager_access, post_id=post.pk, account_ids=[post.variants.get().account_id, extra.pk]
    )
    assert post.deliveries.filter(state="pending").count() == 2
