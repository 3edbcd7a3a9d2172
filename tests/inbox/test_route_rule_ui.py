"""Issue 12 item 6: routing rules edited as a form in the policy UI, with a preview of what a rule
would have matched in the last 30 days."""

from __future__ import annotations

import pytest

from kopiena.inbox.models import Item
from kopiena.inbox.services import items_ingest
from kopiena.policy.models import PolicyVersion
from kopiena.policy.selectors import policy_current
from kopiena.teams.models import Role, Workspace
from tests.inbox.conftest import remote

pytestmark = pytest.mark.django_db

RULE = {
    "name": "Sūdzības vadītājiem",
    "intents": ["complaint"],
    "sentiments": ["negative"],
    "acute": "",
    "role": "manager",
    "person": "",
    "priority": "high",
    "position": "1",
}


@pytest.fixture
def items(account):
    items_ingest(
        account=account,
        remote_items=[
            remote("c1", "Kad atvērsiet jauno kafejnīcu?"),
            remote("c2", "Cik maksā kafija?", author="b"),
        ],
    )
    # Labels as a person corrected them (the classifier's guesses are not what this test is about).
    Item.objects.filter(external_id="c1").update(sentiment="negative", intents=["complaint"])
    Item.objects.filter(external_id="c2").update(sentiment="neutral", intents=["question"])


def _rules(workspace):
    fresh = Workspace.objects.get(pk=workspace.pk)  # the current policy is cached on the instance
    return policy_current(workspace=fresh).engagement.routing.rules


def _url(workspace, suffix):
    return f"/w/{workspace.slug}/settings/policy/routing/{suffix}"


def test_a_rule_is_previewed_without_saving_then_saved_edited_and_removed(login, owner, workspace, items):
    client = login(owner)
    versions = PolicyVersion.objects.count()
    page = client.post(_url(workspace, "new/"), {**RULE, "preview": "1"}).content.decode()
    preview = page.split('data-testid="rule-preview"')[1]
    assert "1 of 2 items in the last 30 days meet its conditions." in preview
    assert "Kad atvērsiet jauno kafejnīcu?" in preview and "Cik maksā kafija?" not in preview
    assert PolicyVersion.objects.count() == versions  # a preview saves nothing

    assert client.post(_url(workspace, "new/"), RULE).status_code == 302
    rules = _rules(workspace)
    assert rules[0].name == "Sūdzības vadītājiem" and rules[0].assign_to.role == "manager"
    assert list(rules[0].when.intents) == ["complaint"] and rules[0].priority == "high"

    edit = client.get(_url(workspace, "0/")).content.decode()
    assert 'value="Sūdzības vadītājiem"' in edit and 'data-testid="rule-preview"' in edit
    client.post(_url(workspace, "0/"), {**RULE, "priority": "urgent"})
    assert _rules(workspace)[0].priority == "urgent"
    client.post(_url(workspace, "0/"), {**RULE, "remove": "on"})
    assert not any(r.name == RULE["name"] for r in _rules(workspace))


def test_a_rule_needs_exactly_one_of_role_and_person_and_bad_input_saves_nothing(login, owner, workspace):
    client = login(owner)
    versions = PolicyVersion.objects.count()
    for bad in ({"role": "", "person": ""}, {"role": "manager", "person": "anna"}, {"priority": "asap"}):
        response = client.post(_url(workspace, "new/"), {**RULE, **bad})
        assert response.status_code == 200
    assert PolicyVersion.objects.count() == versions
    assert client.get(_url(workspace, "99/")).status_code == 404


def test_only_policy_editors_edit_rules(login, member, workspace):
    client = login(member(Role.MODERATOR))
    assert client.get(_url(workspace, "new/")).status_code == 403
    assert client.post(_url(workspace, "new/"), RULE).status_code == 403
