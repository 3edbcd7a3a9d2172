"""Versions: every save is a new version with author, summary, audit event; refused imports change nothing."""

from __future__ import annotations

import pytest

from kopiena.audit.models import AuditEvent
from kopiena.core.errors import NotPermitted
from kopiena.policy.defaults import default_policy
from kopiena.policy.models import PolicyVersion
from kopiena.policy.selectors import (
    access_policy_version,
    policy_current,
    policy_diff,
    policy_export_yaml,
    policy_versions,
)
from kopiena.policy.services import policy_import_yaml, policy_save
from kopiena.policy.yaml_io import PolicyInvalid, parse_policy
from kopiena.teams.models import Role, Workspace
from kopiena.teams.selectors import access_workspace


def _with_max_per_day(text: str, value: int) -> str:
    assert "max_per_day: 2\n" in text
    return text.replace("max_per_day: 2\n", f"max_per_day: {value}\n", 1)


def test_without_a_saved_version_the_defaults_apply(workspace):
    assert policy_current(workspace=workspace) == default_policy()
    assert not PolicyVersion.objects.exists()


def test_every_save_is_a_new_numbered_version_with_an_audit_event(owner_access, workspace):
    text = policy_export_yaml(workspace=workspace)
    first = policy_import_yaml(access=owner_access, text=_with_max_per_day(text, 3), summary="three a day")
    second = policy_import_yaml(access=owner_access, text=_with_max_per_day(text, 4))
    assert (first.number, second.number) == (1, 2)
    assert first.author == owner_access.user
    assert first.summary == "three a day"
    assert second.summary == "Changed: publishing.cadence"
    assert PolicyVersion.objects.get(pk=first.pk).data["publishing"]["cadence"]["default"]["max_per_day"] == 3
    fresh = Workspace.objects.get(pk=workspace.pk)
    assert policy_current(workspace=fresh).publishing.cadence.default.max_per_day == 4
    events = AuditEvent.objects.filter(action="policy.save", workspace_id=workspace.pk).order_by("id")
    assert [e.after["version"] for e in events] == [1, 2]
    assert events[1].before == {"version": 1}
    assert events[1].after["changed"] == ["publishing.cadence"]


def test_round_trip_export_import_gives_an_identical_document(owner_access, workspace):
    edited = _with_max_per_day(policy_export_yaml(workspace=workspace), 5)
    policy_import_yaml(access=owner_access, text=edited)
    exported = policy_export_yaml(workspace=Workspace.objects.get(pk=workspace.pk))
    assert exported == edited
    again = policy_import_yaml(access=owner_access, text=exported)
    assert again.yaml == exported
    assert again.summary == "No changes"
    assert policy_diff(older=access_policy_version(access=owner_access, number=1), newer=again) == ""


def test_an_invalid_import_changes_nothing(owner_access, workspace):
    good = policy_import_yaml(access=owner_access, text=policy_export_yaml(workspace=workspace))
    events_before = AuditEvent.objects.count()
    bad = _with_max_per_day(good.yaml, 0).replace("tolerance_percent: 10", "tolerance_percent: 400")
    with pytest.raises(PolicyInvalid) as info:
        policy_import_yaml(access=owner_access, text=bad)
    assert {e.path for e in info.value.errors} == {
        "publishing.cadence.default.max_per_day",
        "publishing.content_mix.default.tolerance_percent",
    }
    assert all(e.line for e in info.value.errors)
    assert list(PolicyVersion.objects.values_list("number", flat=True)) == [1]
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.MODERATOR, Role.ANALYST])
def test_only_policy_editors_may_save(role, member, workspace):
    access = access_workspace(actor=member(role), slug=workspace.slug)
    with pytest.raises(NotPermitted):
        policy_save(access=access, document=default_policy())
    assert not PolicyVersion.objects.exists()


def test_manager_may_save(member, workspace):
    access = access_workspace(actor=member(Role.MANAGER), slug=workspace.slug)
    assert policy_save(access=access, document=default_policy()).number == 1


def test_versions_are_per_workspace_and_another_workspace_is_a_404(owner_access, workspace, other_workspace):
    from django.http import Http404

    policy_save(access=None, workspace=other_workspace, document=default_policy(), summary="theirs")
    policy_save(access=owner_access, document=default_policy())
    assert [v.number for v in policy_versions(access=owner_access)] == [1]
    assert policy_current(workspace=other_workspace) == default_policy()
    with pytest.raises(Http404):
        access_policy_version(access=owner_access, number=2)


def test_diff_between_versions_is_readable(owner_access, workspace):
    text = policy_export_yaml(workspace=workspace)
    first = policy_import_yaml(access=owner_access, text=text)
    second = policy_import_yaml(access=owner_access, text=_with_max_per_day(text, 3))
    diff = policy_diff(older=first, newer=second)
    assert "-      max_per_day: 2\n+      max_per_day: 3\n" in diff
    assert "version 1 by owner" in diff
    assert diff.count("\n-") == 1 and diff.count("\n+") == 1 + 1  # one change plus the +++ header
    assert "max_per_day: 3" in policy_diff(older=None, newer=second)


def test_policy_current_is_cached_on_the_request_workspace(
    owner_access, workspace, django_assert_num_queries
):
    policy_save(
        access=owner_access,
        document=parse_policy(_with_max_per_day(policy_export_yaml(workspace=workspace), 7)),
    )
    fresh = Workspace.objects.get(pk=workspace.pk)
    with django_assert_num_queries(1):
        policy_current(workspace=fresh)
        policy_current(workspace=fresh)
    assert policy_current(workspace=fresh).publishing.cadence.default.max_per_day == 7
