"""The evaluators publishing and the inbox call: edge cases of time zones, weeks and midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kopiena.policy.defaults import DEFAULT_DATA, default_policy
from kopiena.policy.evaluators import (
    AccountSettings,
    apply_utm,
    approval_required,
    banned_phrases_in,
    can_delete,
    can_hide,
    check_cadence,
    check_links,
    check_mix,
    check_reply_links,
    has_own_link,
    nearest_allowed_slot,
    response_target_seconds,
    route,
    theme_for,
)
from kopiena.policy.schema import PolicyDocument

RIGA = ZoneInfo("Europe/Riga")
ACCOUNT = "mastodon:1"


def policy_with(**sections) -> PolicyDocument:
    """The defaults with some publishing/engagement sections replaced."""
    data = PolicyDocument.model_validate(DEFAULT_DATA).to_data()
    for dotted, value in sections.items():
        part, name = dotted.split("__")
        data[part][name] = value
    return PolicyDocument.model_validate(data)


def cadence(**rule) -> PolicyDocument:
    return policy_with(publishing__cadence={"default": rule, "accounts": {}})


def riga(*args) -> datetime:
    return datetime(*args, tzinfo=RIGA)


def codes(violations) -> list[str]:
    return sorted(v.code for v in violations)


# ---------------------------------------------------------------- cadence


def test_quiet_hours_crossing_midnight_cover_both_sides():
    policy = cadence(quiet_hours=[{"start": "22:00", "end": "07:00"}])
    assert codes(check_cadence(policy, ACCOUNT, [], riga(2026, 11, 27, 23, 30), "Europe/Riga")) == [
        "cadence.quiet_hours"
    ]
    assert codes(check_cadence(policy, ACCOUNT, [], riga(2026, 11, 28, 6, 59), RIGA)) == [
        "cadence.quiet_hours"
    ]
    assert check_cadence(policy, ACCOUNT, [], riga(2026, 11, 28, 7, 0), RIGA) == []
    assert check_cadence(policy, ACCOUNT, [], riga(2026, 11, 27, 21, 59), RIGA) == []


def test_quiet_hours_days_are_the_days_a_window_starts():
    policy = cadence(quiet_hours=[{"start": "20:00", "end": "10:00", "days": ["friday"]}])
    assert codes(check_cadence(policy, ACCOUNT, [], riga(2026, 11, 28, 9, 0), RIGA)) == [  # Saturday morning
        "cadence.quiet_hours"
    ]
    assert check_cadence(policy, ACCOUNT, [], riga(2026, 11, 27, 9, 0), RIGA) == []  # Friday morning
    assert check_cadence(policy, ACCOUNT, [], riga(2026, 11, 26, 21, 0), RIGA) == []  # Thursday evening


def test_quiet_hours_are_judged_on_the_accounts_wall_clock():
    policy = cadence(quiet_hours=[{"start": "22:00", "end": "07:00"}])
    moment = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)  # 23:00 in Riga, 16:00 in New York
    assert codes(check_cadence(policy, ACCOUNT, [], moment, "Europe/Riga")) == ["cadence.quiet_hours"]
    assert check_cadence(policy, ACCOUNT, [], moment, "America/New_York") == []


def test_max_per_day_counts_the_local_day():
    policy = cadence(max_per_day=2)
    # 23:30 UTC on the 26th is already the 27th in Riga.
    planned = [datetime(2026, 11, 26, 23, 30, tzinfo=UTC), riga(2026, 11, 27, 12, 0)]
    violations = check_cadence(policy, ACCOUNT, planned, riga(2026, 11, 27, 18, 0), RIGA)
    assert codes(violations) == ["cadence.max_per_day"]
    assert violations[0].path == "publishing.cadence.default.max_per_day"
    assert check_cadence(policy, ACCOUNT, planned, riga(2026, 11, 27, 18, 0), "UTC") == []


def test_max_per_week_starts_on_monday_local_time():
    policy = cadence(max_per_week=2)
    planned = [riga(2026, 11, 23, 0, 30), riga(2026, 11, 25, 12, 0)]  # Monday just after midnight, Wednesday
    assert codes(check_cadence(policy, ACCOUNT, planned, riga(2026, 11, 29, 23, 59), RIGA)) == [
        "cadence.max_per_week"
    ]
    assert check_cadence(policy, ACCOUNT, planned, riga(2026, 11, 30, 0, 0), RIGA) == []  # next Monday
    # In UTC the Monday-00:30 post falls on Sunday the 22nd, i.e. the previous week.
    assert check_cadence(policy, ACCOUNT, planned, riga(2026, 11, 29, 12, 0), "UTC") == []


def test_min_gap_both_directions_and_exactly_the_gap_is_fine():
    policy = cadence(min_gap_minutes=120)
    planned = [riga(2026, 11, 27, 12, 0)]
    assert codes(check_cadence(policy, ACCOUNT, planned, riga(2026, 11, 27, 10, 30), RIGA)) == [
        "cadence.min_gap"
    ]
    assert codes(check_cadence(policy, ACCOUNT, planned, riga(2026, 11, 27, 13, 59), RIGA)) == [
        "cadence.min_gap"
    ]
    assert check_cadence(policy, ACCOUNT, planned, riga(2026, 11, 27, 14, 0), RIGA) == []
    assert check_cadence(policy, ACCOUNT, planned, riga(2026, 11, 27, 10, 0), RIGA) == []


def test_account_override_inherits_what_it_leaves_out():
    policy = policy_with(
        publishing__cadence={
            "default": {"max_per_day": 1, "min_gap_minutes": 60, "manager_may_override": True},
            "accounts": {ACCOUNT: {"max_per_day": 3, "manager_may_override": False}},
        }
    )
    planned = [riga(2026, 11, 27, 9, 0)]
    assert check_cadence(policy, ACCOUNT, planned, riga(2026, 11, 27, 12, 0), RIGA) == []
    [gap] = check_cadence(policy, ACCOUNT, planned, riga(2026, 11, 27, 9, 30), RIGA)
    assert gap.path == "publishing.cadence.default.min_gap_minutes"
    assert (gap.overridable, gap.blocking) == (False, True)  # cadence always refuses
    [other] = check_cadence(policy, "vk:2", planned, riga(2026, 11, 27, 12, 0), RIGA)
    assert other.code == "cadence.max_per_day"
    assert other.overridable is True


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        check_cadence(default_policy(), ACCOUNT, [], datetime(2026, 11, 27, 12, 0), RIGA)


def test_nearest_slot_jumps_over_quiet_hours_full_days_and_gaps():
    policy = cadence(max_per_day=2, min_gap_minutes=180, quiet_hours=[{"start": "22:00", "end": "08:00"}])
    planned = [riga(2026, 11, 28, 8, 0), riga(2026, 11, 28, 11, 30)]
    # 23:00 Friday → quiet until 08:00 → gap after 08:00 → gap after 11:30 → day full → Sunday 00:00 is quiet
    slot = nearest_allowed_slot(policy, ACCOUNT, planned, riga(2026, 11, 27, 23, 0), RIGA)
    assert slot == riga(2026, 11, 29, 8, 0)
    assert slot.tzinfo is not None
    assert check_cadence(policy, ACCOUNT, planned, slot, RIGA) == []


def test_nearest_slot_is_the_candidate_when_allowed_and_none_when_impossible():
    assert nearest_allowed_slot(cadence(), ACCOUNT, [], riga(2026, 11, 27, 12, 0), RIGA) == riga(
        2026, 11, 27, 12, 0
    )
    never = cadence(quiet_hours=[{"start": "00:00", "end": "24:00"}])
    assert nearest_allowed_slot(never, ACCOUNT, [], riga(2026, 11, 27, 12, 0), RIGA, horizon_days=3) is None


def test_nearest_slot_moves_to_next_week_when_the_week_is_full():
    policy = cadence(max_per_week=1)
    slot = nearest_allowed_slot(policy, ACCOUNT, [riga(2026, 11, 24, 9, 0)], riga(2026, 11, 26, 9, 0), RIGA)
    assert slot == riga(2026, 11, 30, 0, 0)


def test_nearest_slot_across_a_dst_change():
    # Europe/Riga leaves summer time on 2026-10-25 (04:00 EEST → 03:00 EET).
    policy = cadence(quiet_hours=[{"start": "22:00", "end": "08:00"}])
    slot = nearest_allowed_slot(policy, ACCOUNT, [], riga(2026, 10, 24, 23, 0), RIGA)
    assert slot == riga(2026, 10, 25, 8, 0)
    assert slot.utcoffset() == timedelta(0)
    assert slot.astimezone(RIGA).utcoffset() == timedelta(hours=2)


# ---------------------------------------------------------------- mix


def test_mix_report_shows_planned_against_target():
    report = check_mix(default_policy(), ACCOUNT, {"photo": 2, "video": 2}, "text")
    rows = {r.content_type: r for r in report.rows}
    assert report.total == 4
    assert rows["photo"].planned_percent == 50.0
    assert rows["photo"].target_percent == 25
    assert rows["photo"].drift_percent == 25.0
    assert rows["audio"].planned == 0
    assert report.drifted is True
    assert report.worsens is False  # text is under its target: it helps
    assert report.violations == []


def test_mix_candidate_that_worsens_a_drifted_mix_is_flagged():
    report = check_mix(default_policy(), ACCOUNT, {"photo": 3}, "photo")
    assert report.worsens is True
    [violation] = report.violations
    assert violation.code == "mix.worsens"
    assert violation.path == "publishing.content_mix.default.targets"
    assert violation.blocking is False  # flagged, not refused (issue 5 item 4)


def test_mix_first_post_is_never_flagged_and_no_targets_means_no_drift():
    assert check_mix(default_policy(), ACCOUNT, {}, "photo").worsens is False
    no_targets = policy_with(publishing__content_mix={"types": {"photo": {"en": "Photo"}}})
    report = check_mix(no_targets, ACCOUNT, {"photo": 10}, "photo")
    assert (report.drifted, report.worsens) == (False, False)


def test_mix_within_tolerance_is_not_drifted_and_account_targets_win():
    policy = policy_with(
        publishing__content_mix={
            "types": {"photo": {"en": "Photo"}, "video": {"en": "Video"}},
            "default": {"targets": {"photo": 50, "video": 50}, "tolerance_percent": 10},
            "accounts": {ACCOUNT: {"targets": {"video": 100}, "tolerance_percent": 0}},
        }
    )
    assert check_mix(policy, "vk:9", {"photo": 11, "video": 9}, "photo").drifted is False
    report = check_mix(policy, ACCOUNT, {"photo": 1, "video": 9}, "photo")
    assert report.path == f"publishing.content_mix.accounts.{ACCOUNT}"
    assert report.worsens is True


def test_mix_unknown_type_counts_against_a_zero_target():
    report = check_mix(default_policy(), ACCOUNT, {"photo": 1, "hologram": 3}, "hologram")
    assert {r.content_type: r.target_percent for r in report.rows}["hologram"] == 0
    assert report.worsens is True


# ---------------------------------------------------------------- links


def links_policy(**links) -> PolicyDocument:
    base = {**DEFAULT_DATA["publishing"]["links"], "own_domains": ["kafija.lv"]}
    return policy_with(publishing__links={**base, **links})


def test_a_link_needs_a_stated_context():
    policy = links_policy()
    assert codes(check_links(policy, "Our menu", "https://example.org/menu", "", 0, 0)) == [
        "links.require_context"
    ]
    [flag] = check_links(policy, "Our menu", "https://example.org/menu", "", 0, 0)
    assert flag.blocking is False  # flagged, not refused (issue 5 item 5)
    assert check_links(policy, "Our menu", "https://example.org/menu", "they asked for the menu", 0, 0) == []
    assert check_links(policy, "No links here", None, None, 0, 0) == []
    # A link pasted into the text counts as well.
    assert codes(check_links(policy, "see https://example.org.", None, None, 0, 0)) == [
        "links.require_context"
    ]


def test_allowed_contexts_limit_the_reasons():
    policy = links_policy(allowed_contexts=["catalogue", "faq"])
    assert check_links(policy, "", "https://example.org", "faq", 0, 0) == []
    assert codes(check_links(policy, "", "https://example.org", "because", 0, 0)) == [
        "links.context_not_allowed"
    ]


def test_weekly_share_of_own_links():
    policy = links_policy()
    own = "https://shop.kafija.lv/katalogs"
    # 2 of 9 other posts already link home: a 3rd makes 3/10 = 30 %, allowed; a 4th would be 4/11.
    assert check_links(policy, "", own, "catalogue", 2, 9) == []
    [refusal] = check_links(policy, "", own, "catalogue", 3, 10)
    assert (refusal.code, refusal.blocking, refusal.overridable) == ("links.max_own_share", True, True)
    # The first own link of a week is allowed; a third-party link never counts toward the share (C4).
    assert check_links(policy, "", own, "catalogue", 0, 0) == []
    assert check_links(policy, "", "https://lsm.lv/raksts", "news", 5, 5) == []
    # A look-alike domain is not ours.
    assert check_links(policy, "", "https://kafija.lv.evil.example/x", "catalogue", 5, 5) == []
    assert has_own_link(policy, "order at https://www.kafija.lv/shop", None) is True
    assert has_own_link(policy, "no link", "https://example.org/") is False
    zero = links_policy(max_own_link_share_percent=0)
    assert codes(check_links(zero, "", own, "catalogue", 0, 0)) == ["links.max_own_share"]


def test_utm_parameters_are_added_to_own_links_only_and_never_overwrite():
    policy = links_policy()
    url = apply_utm(policy, "https://kafija.lv/menu?x=1#top", platform="mastodon", campaign="")
    assert url == "https://kafija.lv/menu?x=1&utm_source=mastodon&utm_medium=social#top"
    kept = apply_utm(policy, "https://kafija.lv/?utm_source=newsletter", platform="vk", campaign="ziema")
    assert kept == "https://kafija.lv/?utm_source=newsletter&utm_medium=social&utm_campaign=ziema"
    assert apply_utm(policy, "https://example.org/", platform="vk") == "https://example.org/"
    off = links_policy(utm={"enabled": False, "params": {"utm_medium": "social"}})
    assert apply_utm(off, "https://kafija.lv/", platform="vk") == "https://kafija.lv/"


# ---------------------------------------------------------------- approval and themes


def test_approval_rules():
    policy = default_policy()
    plain = AccountSettings(key=ACCOUNT, approval_required=False)
    assert approval_required(policy, "contributor", plain, has_link=False) is True
    assert approval_required(policy, "manager", plain, has_link=False) is False
    assert approval_required(policy, "manager", AccountSettings(ACCOUNT, True), has_link=False) is True
    assert approval_required(policy, "moderator", None, has_link=False) is False
    strict = policy_with(
        publishing__approval={"roles_needing_approval": [], "link_posts": True, "accounts": [ACCOUNT]}
    )
    assert approval_required(strict, "moderator", None, has_link=True) is True
    assert approval_required(strict, "contributor", plain, has_link=False) is True  # the account is listed
    assert approval_required(strict, "contributor", AccountSettings("vk:2"), has_link=False) is False


def test_themes_by_weekday_and_language_with_fallback():
    thursday = date(2026, 11, 26)
    names = [t.name for t in theme_for(default_policy(), thursday, "ru")]
    assert names == ["Ностальгический четверг", "Мысли четверга", "Четверг благодарности"]
    [tbt, *_rest] = theme_for(default_policy(), thursday, "de")
    assert (tbt.name, tbt.hashtags) == ("Throwback Thursday", ["#ThrowbackThursday", "#TBT"])
    assert theme_for(default_policy(), thursday, "lv-LV")[0].name == "Atmiņu ceturtdiena"
    disabled = policy_with(publishing__themes={"enabled": False, "weekdays": {}})
    assert theme_for(disabled, thursday, "en") == []


# ---------------------------------------------------------------- engagement


def test_routing_first_matching_rule_wins_and_fallback():
    policy = default_policy()
    acute = route(policy, {"intent": "complaint", "sentiment": "negative", "acute": True}, ACCOUNT)
    assert (acute.role, acute.priority) == ("manager", "urgent")
    question = route(policy, {"intent": ["question", "praise"], "sentiment": "neutral"}, ACCOUNT)
    assert (question.role, question.priority, question.path) == (
        "moderator",
        "normal",
        "engagement.routing.rules.3",
    )
    other = route(policy, {"intent": "praise", "sentiment": "positive"}, None)
    assert other.path == "engagement.routing.fallback"


def test_routing_to_a_person_by_language_and_account():
    policy = policy_with(
        engagement__routing={
            "rules": [
                {
                    "name": "Russian questions on VK",
                    "when": {"languages": ["ru"], "accounts": ["vk:2"]},
                    "assign_to": {"person": "anna"},
                    "priority": "high",
                }
            ]
        }
    )
    decision = route(policy, {"language": "ru"}, "vk:2")
    assert (decision.person, decision.role, decision.priority) == ("anna", None, "high")
    assert route(policy, {"language": "ru"}, ACCOUNT).path == "engagement.routing.fallback"


def test_response_targets_strictest_applicable_wins():
    policy = policy_with(
        engagement__response_targets={
            "first_response_seconds": 21600,
            "by_priority": {"urgent": 3600, "low": 86400},
            "by_kind": {"dm": 7200},
        }
    )
    assert response_target_seconds(policy) == 21600
    assert response_target_seconds(policy, kind="comment", priority="normal") == 21600
    assert response_target_seconds(policy, kind="dm", priority="urgent") == 3600
    assert response_target_seconds(policy, kind="dm", priority="low") == 7200
    assert response_target_seconds(policy, priority="low") == 86400


def test_negative_comments_are_never_deleted_and_hiding_is_for_spam_and_toxic():
    policy = policy_with(engagement__moderation={"delete_spam": True})
    assert can_delete(policy, {"sentiment": "negative", "spam": True}) is False
    assert can_delete(policy, {"sentiment": "neutral", "spam": True}) is True
    assert can_delete(default_policy(), {"sentiment": "neutral", "spam": True}) is False
    assert can_hide(policy, {"sentiment": "negative", "toxic": True}, "moderator") is True
    assert can_hide(policy, {"sentiment": "negative"}, "manager") is False
    assert can_hide(policy, {"spam": True}, "contributor") is False


def test_links_in_replies_only_in_context_and_banned_phrases():
    policy = default_policy()
    text = "Here is our catalogue: https://kafija.lv/katalogs"
    assert codes(check_reply_links(policy, text, None)) == ["reply_links.out_of_context"]
    assert check_reply_links(policy, text, "asked_for_catalogue") == []
    assert check_reply_links(policy, "Thank you!", None) == []
    assert banned_phrases_in(policy, "Lūdzu, NOMIERINIETIES!", "lv") == ["nomierinieties"]
    assert banned_phrases_in(policy, "Вы не правы", None) == ["вы не правы"]


def test_an_override_inconsistent_with_the_inherited_default_is_refused_up_front():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="together with the workspace's default"):
        policy_with(
            publishing__cadence={"default": {"max_per_week": 5}, "accounts": {ACCOUNT: {"max_per_day": 6}}}
        )
