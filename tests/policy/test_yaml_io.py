"""Schema validation and YAML in/out: every error with its field path and line; round trip is exact."""

from __future__ import annotations

import textwrap

import pytest
from pydantic import ValidationError

from kopiena.policy.defaults import default_policy
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.yaml_io import PolicyInvalid, check_policy, dump_yaml, parse_policy


def _errors(text: str) -> dict[str, int | None]:
    return {e.path: e.line for e in check_policy(textwrap.dedent(text))}


def test_defaults_are_valid_and_round_trip_exactly():
    text = dump_yaml(default_policy())
    document = parse_policy(text)
    assert document == default_policy()
    assert dump_yaml(document) == text


def test_defaults_carry_the_seed_rules():
    policy = default_policy()
    assert policy.engagement.response_targets.first_response_seconds == 6 * 3600  # M8
    assert policy.engagement.moderation.never_delete_negative is True  # M4
    assert set(policy.publishing.content_mix.types) == {
        "photo",
        "video",
        "text",
        "audio",
        "comic",
        "poll",
        "link",
        "story",
        "carousel",
    }
    monday = {t.key: t for t in policy.publishing.themes.weekdays["monday"]}
    assert monday["motivation_monday"].names == {
        "en": "Motivation Monday",
        "lv": "Motivācijas pirmdiena",
        "ru": "Мотивирующий понедельник",
    }
    assert len(policy.publishing.themes.weekdays) == 7  # C1: every weekday has themes


def test_every_error_is_reported_with_path_and_line():
    errors = _errors(
        """\
        schema_version: 1
        publishing:
          cadence:
            default:
              max_per_day: 0
              quiet_hours:
                - start: 22:00
                  end: 7am
              bogus: 1
          content_mix:
            types: {photo: {en: Photo}}
            default:
              targets: {photo: 50}
        engagement:
          moderation:
            never_delete_negative: false
        """
    )
    assert errors == {
        "publishing.cadence.default.max_per_day": 5,
        "publishing.cadence.default.quiet_hours.0.end": 8,
        "publishing.cadence.default.bogus": 9,
        "publishing.content_mix.default": 12,
        "engagement.moderation.never_delete_negative": 16,
    }


def test_clock_times_and_words_are_not_yaml_1_1_surprises():
    # 22:00 is not the base-60 number 1320, and "no" (Norwegian) is not a boolean.
    document = parse_policy(
        textwrap.dedent(
            """\
            publishing:
              cadence:
                default:
                  quiet_hours: [{start: 22:00, end: 06:30}]
              themes:
                weekdays:
                  monday: [{key: m, names: {no: Mandag}}]
            """
        )
    )
    assert document.publishing.cadence.default.quiet_hours[0].start == "22:00"
    assert document.publishing.themes.weekdays["monday"][0].names == {"no": "Mandag"}


def test_duplicate_keys_are_an_error_not_last_one_wins():
    errors = check_policy("engagement:\n  tone:\n    formality: formal\n  tone:\n    formality: informal\n")
    assert [(e.path, e.line) for e in errors] == [("engagement.tone", 4)]


def test_syntax_error_has_a_line():
    errors = check_policy("publishing:\n  cadence: [1,\n")
    assert len(errors) == 1
    assert errors[0].line == 3
    assert "YAML" in errors[0].message


@pytest.mark.parametrize("text", ["", "- a list\n", "just text\n"])
def test_a_document_must_be_a_mapping(text):
    with pytest.raises(PolicyInvalid):
        parse_policy(text)


def test_a_partial_document_fills_in_schema_defaults():
    document = parse_policy("engagement:\n  tone:\n    formality: formal\n")
    assert document.engagement.tone.formality == "formal"
    assert document.publishing.cadence.default.max_per_day is None


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"publishing": {"cadence": {"default": {"max_per_day": 5, "max_per_week": 3}}}}, "cadence.default"),
        (
            {"publishing": {"cadence": {"default": {"quiet_hours": [{"start": "08:00", "end": "08:00"}]}}}},
            "0",
        ),
        ({"publishing": {"links": {"own_domains": ["not a domain"]}}}, "own_domains.0"),
        ({"publishing": {"links": {"utm": {"params": {"utm_source": "{nope}"}}}}}, "params"),
        ({"publishing": {"approval": {"approver_roles": []}}}, "approval"),
        ({"engagement": {"routing": {"rules": [{"name": "x", "assign_to": {}}]}}}, "assign_to"),
        (
            {
                "engagement": {
                    "business_hours": {
                        "weekly": {
                            "monday": [{"start": "09:00", "end": "13:00"}, {"start": "12:00", "end": "18:00"}]
                        }
                    }
                }
            },
            "weekly",
        ),
        (
            {"engagement": {"business_hours": {"weekly": {"monday": [{"start": "18:00", "end": "18:00"}]}}}},
            "0",
        ),
        (
            {
                "engagement": {
                    "business_hours": {
                        "weekly": {
                            "friday": [{"start": "20:00", "end": "02:00"}, {"start": "21:00", "end": "22:00"}]
                        }
                    }
                }
            },
            "weekly",
        ),
        ({"engagement": {"business_hours": {"timezone": "Mars/Olympus"}}}, "timezone"),
        (
            {
                "publishing": {
                    "themes": {"weekdays": {"monday": [{"key": "a", "names": {}}, {"key": "a", "names": {}}]}}
                }
            },
            "weekdays",
        ),
        ({"engagement": {"moderation": {"hide_only": ["negative"]}}}, "hide_only.0"),
    ],
)
def test_schema_refuses_inconsistent_rules(data, path):
    with pytest.raises(ValidationError) as info:
        PolicyDocument.model_validate(data)
    assert any(".".join(map(str, e["loc"])).endswith(path) for e in info.value.errors())


def test_business_hours_allow_several_windows_a_day_and_24_00():
    document = PolicyDocument.model_validate(
        {
            "engagement": {
                "business_hours": {
                    "weekly": {
                        "monday": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "24:00"}]
                    },
                    "closed_dates": ["2026-12-24"],
                    "open_dates": [{"date": "2026-12-27", "windows": [{"start": "10:00", "end": "14:00"}]}],
                }
            }
        }
    )
    assert len(document.engagement.business_hours.weekly["monday"]) == 2
    assert parse_policy(dump_yaml(document)) == document


def test_a_business_hours_window_may_run_past_midnight():
    document = PolicyDocument.model_validate(
        {"engagement": {"business_hours": {"weekly": {"friday": [{"start": "20:00", "end": "02:00"}]}}}}
    )
    assert document.engagement.business_hours.weekly["friday"][0].end == "02:00"
