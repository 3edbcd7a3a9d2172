"""Issue 16 item 5 in a browser: month-view labels (account avatar with the platform's icon, type colour,
first words), week-view tiles that are not clipped, and "now" in the workspace's time zone even when the
browser is in another one (here UTC+14, so the browser's date is usually not Riga's)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client

from kopiena.integrations.models import ConnectedAccount
from kopiena.publishing.services import post_create, post_schedule
from kopiena.teams.models import Role
from tests.browser.conftest import ARTIFACTS
from tests.publishing.conftest import daytime

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RIGA = ZoneInfo("Europe/Riga")


@pytest.fixture
def far_away_page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        base_url=live_server.url,
        timezone_id="Pacific/Kiritimati",
    )
    yield context.new_page()
    context.close()


def _sign_in(page, user, live_server):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_month_labels_week_tiles_and_now_in_the_workspace_zone(
    far_away_page, live_server, member, owner_access, workspace
):
    account = ConnectedAccount.objects.create(
        workspace=workspace,
        platform="mastodon",
        name="Kafija LV",
        handle="kafija",
        base_url="http://127.0.0.1:9",
        approval_required=False,
    )
    long_text = "Jaunā Etiopijas kafija ir klāt mūsu grauzdētavā — nāciet nogaršot šo nedēļu"
    post = post_create(access=owner_access, account_ids=[account.pk], content_type="photo", text=long_text)
    post_schedule(access=owner_access, post_id=post.pk, at=daytime(1, 12))

    page = far_away_page
    _sign_in(page, member(Role.MANAGER), live_server)
    page.goto(f"/w/{workspace.slug}/calendar/")
    event = page.locator(f"#kp-calendar [data-post-id='{post.pk}']")
    event.wait_for()

    # now and today are Riga's, not the browser's (UTC+14)
    riga_now = datetime.now(RIGA)
    shown_now = datetime.fromisoformat(page.get_attribute("#kp-calendar", "data-workspace-now"))
    assert abs((shown_now - riga_now.replace(tzinfo=None)).total_seconds()) < 120
    assert page.get_attribute("#kp-calendar .fc-daygrid-day.fc-day-today", "data-date") == (
        shown_now.date().isoformat()
    )

    # month label: avatar with initials and the Mastodon icon, the type's colour, the first words
    avatar = event.locator("[data-testid=account-avatar]")
    assert avatar.inner_text().strip() == "KL" and avatar.locator("i.bi-mastodon").count() == 1
    month_title = event.locator(".kp-ev-title")
    assert month_title.inner_text() == "Jaunā Etiopijas kafija ir…"
    assert month_title.evaluate("e => e.scrollHeight <= e.clientHeight + 1")  # all of it visible
    assert event.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(47, 125, 91)"  # photo
    assert long_text in event.get_attribute("title")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calendar-month-labels.png"), full_page=True)

    # week view: the tile shows the whole first line of its text (wrapped, not clipped) and the now-line
    page.click("#kp-calendar .fc-timeGridWeek-button")
    if shown_now.weekday() == 6:  # Sunday: tomorrow's post is in next week
        page.click("#kp-calendar .fc-next-button")
    tile = page.locator(f"#kp-calendar .fc-timegrid-event-harness [data-post-id='{post.pk}']")
    tile.wait_for()
    title = tile.locator(".kp-ev-title")
    assert title.inner_text() == long_text  # the whole first line, not the month's first words
    # the text's first two lines lie inside the tile (the rest is cut with an ellipsis, never mid-line)
    box, text_box = tile.bounding_box(), title.bounding_box()
    assert text_box["height"] >= 2 * 12 and text_box["y"] + text_box["height"] <= box["y"] + box["height"] + 1
    assert title.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # nothing cut off sideways
    page.screenshot(path=str(ARTIFACTS / "calendar-week-tiles.png"), full_page=True)
    if shown_now.weekday() != 6:
        line = page.locator("#kp-calendar .fc-timegrid-now-indicator-line")
        line.wait_for()
        column = page.locator(f"#kp-calendar .fc-timegrid-col[data-date='{shown_now.date().isoformat()}']")
        assert column.locator(".fc-timegrid-now-indicator-line").count() == 1
