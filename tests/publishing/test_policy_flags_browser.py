"""In a browser: a flagged post carries a badge in the calendar, and the post page lists the flag."""

# ruff: noqa: F811 - the shared Playwright fixtures are imported by name and then used as arguments

from __future__ import annotations

import pytest

from kopiena.publishing.services import post_create, post_schedule
from kopiena.teams.models import Role
from tests.browser.conftest import browser, logged_in_page, page, screenshot  # noqa: F401

from .conftest import daytime

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_calendar_badge_and_post_page_show_the_flag(
    logged_in_page,
    member,
    manager_access,
    make_account,
    workspace,
    screenshot,
):
    account = make_account("Grauzdētava", approval_required=False)
    flagged = post_create(
        access=manager_access,
        account_ids=[account.pk],
        content_type="link",
        text="Katalogs",
        link="https://example.lv/katalogs",
    )
    post_schedule(access=manager_access, post_id=flagged.pk, at=daytime(1, 12))
    clean = post_create(access=manager_access, account_ids=[account.pk], content_type="photo", text="Foto")
    post_schedule(access=manager_access, post_id=clean.pk, at=daytime(2, 12))

    page = logged_in_page(member(Role.MANAGER))
    page.goto(f"/w/{workspace.slug}/calendar/")
    event = page.locator(f"#kp-calendar [data-post-id='{flagged.pk}']")
    event.wait_for()
    assert event.get_by_test_id("policy-flag-badge").is_visible()
    assert "Say why the audience needs this link" in event.get_attribute("title")
    other = page.locator(f"#kp-calendar [data-post-id='{clean.pk}']")
    assert other.get_by_test_id("policy-flag-badge").count() == 0
    screenshot(page, "publishing-calendar-flag")

    page.goto(f"/w/{workspace.slug}/calendar/posts/{flagged.pk}/")
    flags = page.get_by_test_id("policy-flags")
    assert "Say why the audience needs this link" in flags.inner_text()
