"""The policy's `listening` section (issue 11): defaults, YAML round trip, the two editor forms."""

from __future__ import annotations

import pytest
from django.urls import reverse
from pydantic import ValidationError

from kopiena.policy.defaults import default_policy
from kopiena.policy.models import PolicyVersion
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current
from kopiena.policy.yaml_io import check_policy
from kopiena.teams.models import Role, Workspace


def url(workspace, section: str) -> str:
    return reverse("policy_section", kwargs={"ws": workspace.slug, "section": section})


def test_defaults_bring_questions_complaints_and_acute_from_non_followers():
    inbox = default_policy().listening.inbox
    assert (inbox.enabled, inbox.intents, inbox.acute, inbox.only_non_followers, inbox.languages) == (
        True,
        ["question", "complaint"],
        True,
        True,
        [],
    )
    assert default_policy().listening.alerts.notify_roles == ["owner", "manager"]


def test_a_document_without_the_section_still_loads_with_defaults():
    data = default_policy().to_data()
    del data["listening"]
    assert PolicyDocument.model_validate(data).listening == default_policy().listening


def test_yaml_typo_in_the_section_is_an_error_with_its_path():
    text = "listening:\n  inbox:\n    intnets: [question]\n"
    errors = check_policy(text)
    assert any("intnets" in str(error) for error in errors)


def test_unknown_intent_is_refused():
    data = default_policy().to_data()
    data["listening"]["inbox"]["intents"] = ["gossip"]
    with pytest.raises(ValidationError, match=r"gossip|question"):
        PolicyDocument.model_validate(data)


@pytest.mark.django_db
def test_inbox_form_saves_a_new_version(login, owner, workspace):
    response = login(owner).post(
        url(workspace, "listening_inbox"),
        {
            "enabled": "on",
            "intents": ["question"],
            "acute": "",
            "only_non_followers": "on",
            "languages": "lv, ru",
        },
    )
    assert response.status_code == 302
    inbox = policy_current(workspace=Workspace.objects.get(pk=workspace.pk)).listening.inbox
    assert (inbox.intents, inbox.acute, inbox.languages) == (["question"], False, ["lv", "ru"])
    assert PolicyVersion.objects.count() == 1


@pytest.mark.django_db
def test_alerts_form_refuses_a_bad_language_code_and_a_moderator_cannot_edit(login, member, owner, workspace):
    response = login(owner).post(
        url(workspace, "listening_inbox"), {"enabled": "on", "intents": ["question"], "languages": "latvian!"}
    )
    assert response.status_code == 200 and not PolicyVersion.objects.exists()
    assert login(member(Role.MODERATOR)).get(url(workspace, "listening_alerts")).status_code == 403


@pytest.mark.django_db
def test_alerts_form_saves(login, owner, workspace):
    response = login(owner).post(
        url(workspace, "listening_alerts"),
        {
            "enabled": "on",
            "notify_roles": ["manager"],
            "baseline_weeks": 6,
            "threshold": 4,
            "min_mentions": 5,
        },
    )
    assert response.status_code == 302
    alerts = policy_current(workspace=Workspace.objects.get(pk=workspace.pk)).listening.alerts
    assert (alerts.notify_roles, alerts.baseline_weeks, alerts.threshold, alerts.min_mentions) == (
        ["manager"],
        6,
        4.0,
        5,
    )


@pytest.mark.django_db
def test_overview_shows_the_listening_card(login, owner, workspace):
    body = login(owner).get(reverse("policy", kwargs={"ws": workspace.slug})).content.decode()
    assert 'id="card-listening"' in body and url(workspace, "listening_alerts") in body
