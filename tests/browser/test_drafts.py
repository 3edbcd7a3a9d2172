"""Issue 16 item 2 in a browser: a draft without a date is found again — in the calendar's "Drafts without a
date" panel when the State filter is Draft (the dated draft is in the month grid), and on the Drafts list,
from which it opens in the composer."""

from __future__ import annotations

import pytest

from kopiena.integrations.models import ConnectedAccount
from kopiena.publishing.services import post_create
from kopiena.teams.models import Role
from tests.publishing.conftest import daytime

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_draft_without_a_date_is_found_in_the_calendar_and_the_drafts_list(
    logged_in_page, member, owner_access, workspace, screenshot
):
    account = ConnectedAccount.objects.create(
        workspace=workspace,
        platform="mastodon",
        name="Mastodon kafija",
        handle="kafija",
        base_url="http://127.0.0.1:9",
        approval_required=False,
    )
    undated = post_create(access=owner_access, account_ids=[account.pk], text="Bez datuma: jaunā kafija")
    dated = post_create(
        access=owner_access, account_ids=[account.pk], text="Ar datumu", planned_at=daytime(1)
    )

    page = logged_in_page(member(Role.MANAGER))
    page.goto(f"/w/{workspace.slug}/calendar/")
    page.select_option("#f-state", "draft")
    panel = page.locator("[data-testid=undated-drafts]")
    panel.get_by_text("Bez datuma: jaunā kafija").wait_for()
    # the dated draft (tomorrow: always in the month grid, which shows six weeks) is on the calendar
    event = page.locator(f"#kp-calendar [data-post-id='{dated.pk}']")
    event.wait_for()
    assert panel.get_by_text("Ar datumu").count() == 0  # the panel has only the drafts without a date
    screenshot(page, "calendar-undated-drafts")

    page.select_option("#f-state", "scheduled")
    panel.wait_for(state="detached")  # another state asked for: no drafts panel

    page.click("a.nav-link:has-text('Drafts')")
    table = page.locator("[data-testid=drafts-table]")
    table.wait_for()
    assert table.locator(f"tr[data-post-id='{undated.pk}']").get_by_text("No date").count() == 1
    assert table.locator(f"tr[data-post-id='{dated.pk}']").count() == 1
    screenshot(page, "drafts-list")
    page.click(f"tr[data-post-id='{undated.pk}'] a")
    page.wait_for_url(f"**/calendar/posts/{undated.pk}/")
    assert "Bez datuma: jaunā kafija" in page.locator("textarea").first.input_value()
