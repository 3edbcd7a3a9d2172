"""Issue 2 acceptance: log in, switch to Latvian, see the navigation translated, keep a screenshot."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_switch_to_latvian_and_see_translated_navigation(page, workspace, owner, screenshot):
    page.goto("/")
    assert re.search(r"/login/", page.url)
    page.get_by_label("Username").fill(owner.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url(f"**/w/{workspace.slug}/today/")
    nav = page.get_by_role("navigation", name="Main navigation")
    assert nav.get_by_role("link", name="Inbox").is_visible()
    screenshot(page, "shell-en-calendar")

    page.get_by_test_id("language-switcher").click()
    page.get_by_role("button", name="Latviešu").click()

    page.wait_for_url(f"**/w/{workspace.slug}/today/")
    assert page.locator("html").get_attribute("lang") == "lv"
    nav = page.get_by_role("navigation", name="Galvenā navigācija")
    for label in [
        "Kalendārs",
        "Iesūtne",
        "Klausīšanās",
        "Analītika",
        "Konkursi",
        "Komanda",
        "Audita žurnāls",
    ]:
        assert nav.get_by_role("link", name=label).is_visible(), label
    assert page.get_by_role("link", name="Sistēmas stāvoklis").is_visible()
    path = screenshot(page, "shell-lv-calendar")
    assert path.stat().st_size > 10_000


def test_pages_render_with_assets_and_no_console_errors(logged_in_page, workspace, owner, screenshot):
    """Every shell page loads its vendored CSS/JS under the CSP without a console error."""
    page = logged_in_page(owner)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for name, path in [
        ("team", "settings/team/"),
        ("audit-log", "settings/audit-log/"),
        ("api-tokens", "settings/api-tokens/"),
        ("settings", "settings/"),
        ("inbox", "inbox/"),
    ]:
        page.goto(f"/w/{workspace.slug}/{path}")
        # Bootstrap's CSS applied: the side navigation is a flex column.
        assert page.locator(".kp-nav").first.evaluate("el => getComputedStyle(el).display") == "flex"
        screenshot(page, f"shell-en-{name}")
    assert errors == []
