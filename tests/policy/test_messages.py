"""Issue 16, item 10: a policy that does not validate is explained in plain sentences with the field's label,
in the reader's language — never a pydantic path with "Input should be…" or a raw regular expression."""

from django.utils import translation

from kopiena.audit.labels import action_label, object_type_label
from kopiena.core.words import platform_key, words
from kopiena.policy.yaml_io import check_policy

BAD = """publishing:
  cadence:
    default:
      min_gap_minutes: 20000
  links:
    own_domains: ["not a domain"]
engagement:
  response_targets:
    first_response_seconds: 5
"""


def _messages(language):
    with translation.override(language):
        return [(e.path, e.message) for e in check_policy(BAD)]


def test_errors_name_the_field_and_state_the_limit_in_words():
    assert _messages("en") == [
        ("publishing.cadence.default.min_gap_minutes", "Minimum gap must be at most 7 days."),
        ("publishing.links.own_domains.0", "Our domains must be a domain name such as example.com."),
        (
            "engagement.response_targets.first_response_seconds",
            "First response target must be at least 1 minute.",
        ),
    ]


def test_errors_are_in_the_readers_language():
    latvian = [message for _path, message in _messages("lv")]
    assert latvian[0] == "Mazākais starplaiks: ne vairāk kā 7 dienas."
    russian = [message for _path, message in _messages("ru")]
    assert russian[0] == "Минимальный интервал: максимум — 7 дней."
    assert not any("Input should" in m or "^" in m for m in latvian + russian)


def test_codes_become_words():
    with translation.override("lv"):
        assert words("acute", ["refund", "fraud"]) == "naudas atmaksa, krāpšana"
        assert object_type_label("listening.competitorpost") == "Konkurenta ieraksts"
        assert action_label("inbox.thread_assign") == "Saruna piešķirta"
    with translation.override("ru"):
        assert words("role", ["owner", "manager"]) != "owner, manager"
    assert platform_key("rss:Emily") == "RSS · Emily"


def test_a_stored_flag_is_read_in_the_readers_language():
    from django.utils.translation import gettext as _

    from kopiena.policy.evaluators import in_languages
    from kopiena.publishing.checks import Problem, flag_message, flags_of

    messages = in_languages(
        lambda: _("Say why the audience needs this link (for example: they asked for the catalogue).")
    )
    problem = Problem("links.require_context", messages["en"], True, blocking=False, messages=messages)
    [flag] = flags_of([problem])
    with translation.override("lv"):
        assert flag_message(flag) == messages["lv"] != messages["en"]
    with translation.override("ru"):
        assert flag_message(flag) == messages["ru"] != messages["en"]


def test_a_connectors_refusal_reads_in_the_readers_language():
    from kopiena.connectors.types import ValidationProblem
    from kopiena.publishing.platform import _translated

    with translation.override("lv"):
        assert (
            _translated(ValidationProblem("text", "empty", "The post is empty."), None)
            == "Ieraksts ir tukšs."
        )
    with translation.override("ru"):
        long = ValidationProblem("text", "too_long", "The text is 600 characters; the limit is 500.", 500)
        assert _translated(long, 600) == "В тексте 600 символов; предел — 500."
