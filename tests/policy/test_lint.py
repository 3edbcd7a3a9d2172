"""Issue 16 item 13: warnings before saving a policy that is valid but cannot work — business hours that
end before they start by mistake, an acute playbook with nobody to respond, a cadence that leaves no slot."""

from __future__ import annotations

from datetime import time

import pytest
from django.urls import reverse

from kopiena.integrations.models import ConnectedAccount
from kopiena.policy.lint import new_warnings, policy_warnings
from kopiena.policy.models import PolicyVersion
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current, policy_current_data
from kopiena.policy.yaml_io import dump_yaml
from kopiena.publishing.queues import QueueSlot
from kopiena.teams.models import Role

pytestmark = pytest.mark.django_db


def _document(workspace, change) -> PolicyDocument:
    data = policy_current_data(workspace=workspace)
    change(data)
    return PolicyDocument.model_validate(data)


def _codes(document, workspace) -> list[tuple[str, str]]:
    return [(w.code, w.path) for w in policy_warnings(document, workspace=workspace)]


@pytest.fixture
def staffed(workspace, member):
    """The default playbook's roles (manager answers, owner is told) are held: no acute warning."""
    member(Role.MANAGER)
    return workspace


def _hours(**weekly):
    def change(data):
        data["engagement"]["business_hours"]["weekly"] = {
            day: [{"start": a, "end": b} for a, b in windows] for day, windows in weekly.items()
        }

    return change


def test_swapped_business_hours_are_warned_about_a_night_shift_is_not(staffed):
    swapped = _document(staffed, _hours(monday=[("17:00", "09:00")]))
    [warning] = policy_warnings(swapped, workspace=staffed)
    assert warning.code == "hours.overnight" and warning.path == "engagement.business_hours.weekly.monday.0"
    assert "17:00–09:00" in warning.message and "Tuesday" in warning.message and "16 hours" in warning.message
    for meant in ([("22:00", "02:00")], [("18:00", "00:00")], [("09:00", "17:00")]):
        assert _codes(_document(staffed, _hours(monday=meant)), staffed) == []
    # short, but it runs into Tuesday's own window: a mistake too
    into_next_day = _document(staffed, _hours(monday=[("20:00", "04:00")], tuesday=[("03:00", "10:00")]))
    assert _codes(into_next_day, staffed) == [
        ("hours.overnight", "engagement.business_hours.weekly.monday.0")
    ]


def test_an_acute_playbook_with_nobody_to_respond(workspace, member):
    def roles(responders, escalate):
        def change(data):
            data["engagement"]["acute_playbook"]["responder_roles"] = responders
            data["engagement"]["acute_playbook"]["responder_people"] = []
            data["engagement"]["acute_playbook"]["escalate_to_roles"] = escalate

        return _document(workspace, change)

    nobody = roles(["moderator"], ["manager"])  # only the owner is a member
    assert _codes(nobody, workspace) == [
        ("acute.nobody", "engagement.acute_playbook.responder_roles"),
        ("acute.nobody", "engagement.acute_playbook.escalate_to_roles"),
    ]
    assert "Moderator" in policy_warnings(nobody, workspace=workspace)[0].message  # a word, not the code
    assert _codes(roles(["owner"], ["owner"]), workspace) == []
    moderator = member(Role.MODERATOR)
    assert _codes(roles(["moderator"], ["owner"]), workspace) == []
    moderator.is_active = False
    moderator.save()
    assert len(_codes(roles(["moderator"], ["owner"]), workspace)) == 1

    # a person named in the playbook answers too
    def person(data):
        data["engagement"]["acute_playbook"].update(responder_roles=[], responder_people=["owner"])

    assert _codes(_document(workspace, person), workspace) == []


def test_quiet_hours_that_cover_the_week_leave_no_slot(staffed):
    def quiet(*windows):
        def change(data):
            data["publishing"]["cadence"]["default"]["quiet_hours"] = [
                {"start": a, "end": b, "days": days} for a, b, days in windows
            ]

        return _document(staffed, change)

    whole = quiet(("08:00", "22:00", []), ("22:00", "08:00", []))
    assert _codes(whole, staffed) == [("cadence.no_slot", "publishing.cadence.default.quiet_hours")]
    assert _codes(quiet(("22:00", "08:00", [])), staffed) == []
    # every day but Sunday is quiet all day: Sunday is still free
    weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    assert _codes(quiet(("00:00", "24:00", weekdays)), staffed) == []
    assert _codes(quiet(("00:00", "24:00", [*weekdays, "sunday"])), staffed) != []


def test_queue_slots_that_all_fall_in_quiet_hours(staffed):
    account = ConnectedAccount.objects.create(
        workspace=staffed, platform="mastodon", name="Kafija", handle="kafija", base_url="http://127.0.0.1:9"
    )
    for weekday in (0, 3):
        QueueSlot.objects.create(workspace=staffed, account=account, weekday=weekday, local_time=time(23, 0))

    def quiet(data):
        data["publishing"]["cadence"]["default"]["quiet_hours"] = [{"start": "22:00", "end": "08:00"}]

    [warning] = policy_warnings(_document(staffed, quiet), workspace=staffed)
    assert warning.code == "cadence.no_slot" and "Kafija" in warning.message
    QueueSlot.objects.create(workspace=staffed, account=account, weekday=1, local_time=time(12, 0))
    assert policy_warnings(_document(staffed, quiet), workspace=staffed) == []


def test_the_form_asks_before_saving_and_saves_when_confirmed(login, owner, staffed):
    client = login(owner)
    path = reverse("policy_section", kwargs={"ws": staffed.slug, "section": "business_hours"})
    hours = {"country": "LV", "timezone": "", "closed_dates": "", "monday": "17:00-09:00"}
    before = PolicyVersion.objects.count()
    response = client.post(path, hours)
    assert response.status_code == 200
    assert 'data-testid="policy-warnings"' in response.text and "swap the times" in response.text
    assert PolicyVersion.objects.count() == before  # nothing saved yet
    assert client.post(path, {**hours, "confirm_warnings": "1"}).status_code == 302
    assert PolicyVersion.objects.count() == before + 1
    assert policy_current(workspace=staffed).engagement.business_hours.weekly["monday"][0].start == "17:00"
    # saved on purpose: saving the section again does not ask again
    assert client.post(path, {**hours, "saturday": "10:00-14:00"}).status_code == 302


def test_the_yaml_editor_warns_on_check_and_before_saving(login, owner, staffed):
    client = login(owner)
    path = reverse("policy_yaml", kwargs={"ws": staffed.slug})
    text = dump_yaml(_document(staffed, _hours(friday=[("18:00", "10:00")])))
    checked = client.post(path, {"text": text, "action": "check"})
    assert "No problems found" in checked.text and 'data-testid="policy-warnings"' in checked.text
    before = PolicyVersion.objects.count()
    asked = client.post(path, {"text": text, "action": "save"})
    assert asked.status_code == 200 and 'data-testid="save-anyway"' in asked.text
    assert PolicyVersion.objects.count() == before
    assert client.post(path, {"text": text, "action": "save_anyway"}).status_code == 302
    assert PolicyVersion.objects.count() == before + 1


def test_only_new_warnings_are_asked_about(staffed):
    current = _document(staffed, _hours(monday=[("17:00", "09:00")]))
    same = _document(staffed, _hours(monday=[("17:00", "09:00")], saturday=[("10:00", "14:00")]))
    assert new_warnings(same, current=current, workspace=staffed) == []
    worse = _document(staffed, _hours(monday=[("17:00", "09:00")], friday=[("18:00", "10:00")]))
    assert [w.path for w in new_warnings(worse, current=current, workspace=staffed)] == [
        "engagement.business_hours.weekly.friday.0"
    ]
