"""In a browser: read the policy, fix a YAML error found by its line number, save, see the diff."""

from __future__ import annotations

import pytest

from kopiena.policy.models import PolicyVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_edit_the_policy_as_yaml_fixing_an_error_by_line(logged_in_page, owner, workspace, screenshot):
    page = logged_in_page(owner)
    page.goto(f"/w/{workspace.slug}/settings/policy/")
    assert page.locator("#card-cadence").is_visible()
    screenshot(page, "policy-overview")

    page.get_by_role("link", name="Edit as YAML").click()
    editor = page.locator("#id_text")
    text = editor.input_value()
    editor.fill(text.replace("max_per_day: 2", "max_per_day: lots"))
    page.get_by_role("button", name="Check", exact=True).click()
    errors = page.get_by_test_id("policy-errors")
    line = text.splitlines().index("      max_per_day: 2") + 1
    assert f"Line {line}" in errors.inner_text()
    screenshot(page, "policy-yaml-error")

    # The error link selects the offending line in the editor.
    errors.get_by_role("link", name=f"Line {line}").click()
    assert (
        page.evaluate(
            "() => { const e = document.getElementById('id_text'); "
            "return e.value.substring(e.selectionStart, e.selectionEnd); }"
        )
        == "      max_per_day: lots"
    )
    assert not PolicyVersion.objects.exists()

    editor.fill(editor.input_value().replace("max_per_day: lots", "max_per_day: 3"))
    page.get_by_label("What changed and why (optional)").fill("one more a day")
    page.get_by_role("button", name="Check and save").click()
    page.wait_for_url(f"**/w/{workspace.slug}/settings/policy/")
    assert "Version 1" in page.get_by_test_id("policy-version").inner_text()

    page.goto(f"/w/{workspace.slug}/settings/policy/versions/1/diff/")
    diff = page.get_by_test_id("policy-diff").inner_text()
    assert "+      max_per_day: 3" in diff
    screenshot(page, "policy-diff")


def test_section_forms_render(logged_in_page, owner, workspace, screenshot):
    page = logged_in_page(owner)
    for section in (
        "cadence",
        "content_mix",
        "themes",
        "business_hours",
        "account_cadence",
        "acute_playbook",
        "tone",
    ):
        page.goto(f"/w/{workspace.slug}/settings/policy/edit/{section}/")
        assert page.get_by_role("heading", level=1).is_visible()
        screenshot(page, f"policy-edit-{section}")
    page.goto(f"/w/{workspace.slug}/settings/policy/edit/themes/")
    page.get_by_label("Music Monday").uncheck()
    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_url(f"**/w/{workspace.slug}/settings/policy/")
    assert "Music Monday" not in page.locator("#card-themes").inner_text()
