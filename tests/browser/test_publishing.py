"""Issue 5's acceptance in a browser: a contributor drafts a post for two accounts, a manager approves it,
schedules it, drags it to another day in the calendar, and the real worker + clock (threads, against the
live server's database) publish it to two local Mastodon sandboxes at the minute it is due.

To keep the test short the post is first scheduled for *tomorrow* at a time ~40 s from now, and the drag
moves it one day back to *today* at that time; so the drag both changes the day and makes it due within
the test. Publishing is asserted on the sandboxes (one status each, no duplicates) and on the delivery rows
(published no earlier than due, and within the same minute's grace).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from kopiena.core.tasks_runtime.clock import Clock
from kopiena.core.tasks_runtime.worker import Worker
from kopiena.integrations.platforms import account_label
from kopiena.integrations.services import account_connect
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current_data
from kopiena.policy.services import policy_save
from kopiena.publishing.models import Delivery, DeliveryState, Post, PostState
from kopiena.publishing.services import post_create, post_schedule
from kopiena.sandbox import start_sandbox
from kopiena.teams.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RIGA = ZoneInfo("Europe/Riga")
LEAD_SECONDS = 30


@pytest.fixture
def sandboxes():
    servers = [start_sandbox(username="kafija"), start_sandbox(username="kafija_lv")]
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def background():
    """The worker and the clock of `kopiena run`, in threads of this process."""
    stop = threading.Event()
    worker = Worker(
        queues=list(settings.TASKS["default"]["QUEUES"]), stop_event=stop, poll_interval_seconds=0.2
    )
    clock = Clock(stop_event=stop)
    threads = [
        threading.Thread(target=worker.run, daemon=True),
        threading.Thread(target=clock.run, daemon=True),
    ]
    yield lambda: [thread.start() for thread in threads]
    stop.set()
    for thread in threads:
        if thread.is_alive():
            thread.join(timeout=10)


def _any_time_of_day(owner_access):
    """The default policy's quiet hours (22:00–08:00) would refuse a run of this test at night."""
    data = policy_current_data(workspace=owner_access.workspace)
    data["publishing"]["cadence"]["default"]["quiet_hours"] = []
    policy_save(access=owner_access, document=PolicyDocument.model_validate(data))


def _drag(page, source, target):
    source.scroll_into_view_if_needed()
    source.hover(position={"x": 6, "y": 6})
    page.mouse.down()
    goal = target.bounding_box()
    # FullCalendar starts a drag only after real movement (several mousemove events)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] / 2, steps=15)
    page.wait_for_timeout(200)
    page.mouse.up()


def test_draft_approve_drag_and_publish_on_time(
    logged_in_page, member, owner_access, workspace, sandboxes, background, screenshot
):
    _any_time_of_day(owner_access)
    accounts = [
        account_connect(
            access=owner_access,
            platform="mastodon",
            name=name,
            handle=server.handle,
            base_url=server.base_url,
            credentials={"access_token": server.access_token},
            is_sandbox=True,
            approval_required=True,
        )
        for name, server in zip(["Mastodon kafija", "Mastodon kafija_lv"], sandboxes, strict=True)
    ]
    background()

    # A contributor drafts the post for both accounts and submits it.
    page = logged_in_page(member(Role.CONTRIBUTOR))
    page.goto(f"/w/{workspace.slug}/calendar/posts/new/")
    for account in accounts:
        page.get_by_label(account_label(account), exact=True).check()
    page.get_by_label("Text", exact=True).fill("Jaunā Etiopijas kafija ir klāt! Kas jums garšo labāk?")
    page.get_by_role("textbox", name="Theme").fill("Tuesday tip")
    # the live platform check (htmx) answers for both accounts once the text is in
    page.locator("[data-testid=problems] .text-success").nth(1).wait_for()
    screenshot(page, "publishing-composer")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_selector("text=Draft saved.")
    post = Post.objects.get()
    assert post.variants.count() == 2
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_selector("text=Submitted for review.")
    assert Post.objects.get().state == PostState.IN_REVIEW

    # A manager approves it from the approval queue and schedules it for tomorrow.
    page = logged_in_page(member(Role.MANAGER))
    page.goto(f"/w/{workspace.slug}/calendar/approvals/")
    screenshot(page, "publishing-approvals")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_selector("text=Approved.")
    assert Post.objects.get().state == PostState.APPROVED
    due_today = (datetime.now(RIGA) + timedelta(seconds=LEAD_SECONDS)).replace(microsecond=0)
    tomorrow = due_today + timedelta(days=1)
    page.goto(f"/w/{workspace.slug}/calendar/posts/{post.pk}/")
    page.locator("#kp-schedule input[name=at]").fill(tomorrow.strftime("%Y-%m-%dT%H:%M:%S"))
    page.locator("#kp-schedule").get_by_role("button", name="Schedule").click()
    page.wait_for_selector("text=Scheduled for")
    assert Post.objects.get().scheduled_at == tomorrow

    # In the calendar, the manager drags it from tomorrow to today.
    page.goto(f"/w/{workspace.slug}/calendar/")
    event = page.locator(f"#kp-calendar [data-post-id='{post.pk}']")
    event.wait_for()
    _drag(page, event, page.locator(f"#kp-calendar td.fc-daygrid-day[data-date='{due_today:%Y-%m-%d}']"))
    page.wait_for_selector("#kp-calendar[data-last-move]")
    assert page.locator("#kp-calendar").get_attribute("data-last-move") == "ok", page.inner_text(
        "#kp-calendar-message"
    )
    screenshot(page, "publishing-calendar-after-drag")
    moved = Post.objects.get()
    assert moved.scheduled_at == due_today
    assert {d.due_at for d in Delivery.objects.filter(post=moved)} == {due_today}

    # The worker publishes both deliveries once they are due, not before.
    deadline = time.monotonic() + LEAD_SECONDS + 25
    while time.monotonic() < deadline:
        if Delivery.objects.filter(post=moved, state=DeliveryState.PUBLISHED).count() == 2:
            break
        time.sleep(0.5)
    deliveries = list(Delivery.objects.filter(post=moved))
    assert [d.state for d in deliveries] == [DeliveryState.PUBLISHED] * 2, [
        (d.state, d.failure_message) for d in deliveries
    ]
    for delivery in deliveries:
        assert due_today <= delivery.published_at < due_today + timedelta(seconds=60)
    assert [len(server.brand_statuses()) for server in sandboxes] == [1, 1]
    assert sandboxes[0].brand_statuses()[0].text.startswith("Jaunā Etiopijas kafija")
    assert Post.objects.get().state == PostState.PUBLISHED
    page.goto(f"/w/{workspace.slug}/calendar/posts/{post.pk}/")
    assert page.locator("[data-testid=delivery-state]").all_inner_texts() == ["Published", "Published"]
    screenshot(page, "publishing-published")


def test_a_refused_drag_shows_the_rule_and_the_nearest_slot_and_reverts(
    logged_in_page, member, owner_access, workspace, sandboxes, screenshot
):
    from tests.publishing.conftest import daytime

    account = account_connect(
        access=owner_access,
        platform="mastodon",
        name="Mastodon kafija",
        base_url=sandboxes[0].base_url,
        credentials={"access_token": sandboxes[0].access_token},
        is_sandbox=True,
        approval_required=False,
    )
    first = post_create(access=owner_access, account_ids=[account.pk], text="Pirmais", content_type="photo")
    post_schedule(access=owner_access, post_id=first.pk, at=daytime(1, 12))
    second = post_create(access=owner_access, account_ids=[account.pk], text="Otrais", content_type="video")
    second = post_schedule(access=owner_access, post_id=second.pk, at=daytime(2, 13))

    page = logged_in_page(member(Role.MANAGER))
    page.goto(f"/w/{workspace.slug}/calendar/")
    event = page.locator(f"#kp-calendar [data-post-id='{second.pk}']")
    event.wait_for()
    tomorrow = daytime(1, 12).astimezone(RIGA).date()
    _drag(page, event, page.locator(f"#kp-calendar td.fc-daygrid-day[data-date='{tomorrow:%Y-%m-%d}']"))
    page.wait_for_selector("#kp-calendar[data-last-move]")
    assert page.locator("#kp-calendar").get_attribute("data-last-move") == "refused"
    message = page.inner_text("#kp-calendar-message")
    assert "The post was not moved." in message and "Nearest allowed time: " in message
    assert "minutes apart" in message  # which rule
    assert f"{tomorrow:%Y-%m-%d} 15:00" in message  # 180 minutes after the 12:00 post
    day_after = daytime(2, 13).astimezone(RIGA).date()
    cell = page.locator(f"#kp-calendar td.fc-daygrid-day[data-date='{day_after:%Y-%m-%d}']")
    assert cell.locator(f"[data-post-id='{second.pk}']").count() == 1  # the drag was reverted
    assert Post.objects.get(pk=second.pk).scheduled_at == second.scheduled_at
    screenshot(page, "publishing-calendar-refused")


def test_planning_pages_render_cleanly(
    logged_in_page, member, owner_access, workspace, sandboxes, screenshot
):
    """Queues, content mix, import preview and iCal feeds in a browser (screenshots for review)."""
    from tests.publishing.conftest import daytime

    account = account_connect(
        access=owner_access,
        platform="mastodon",
        name="Mastodon kafija",
        base_url=sandboxes[0].base_url,
        credentials={"access_token": sandboxes[0].access_token},
        is_sandbox=True,
        approval_required=False,
    )
    for n, kind in enumerate(["photo", "video", "text"]):
        post = post_create(
            access=owner_access, account_ids=[account.pk], text=f"Plāns {n}", content_type=kind
        )
        post_schedule(access=owner_access, post_id=post.pk, at=daytime(n + 1, 12))
    page = logged_in_page(member(Role.MANAGER))

    page.goto(f"/w/{workspace.slug}/calendar/queues/")
    page.get_by_label("Weekday").select_option("1")
    page.get_by_label("Time").fill("09:30")
    page.get_by_role("button", name="Add").click()
    page.wait_for_selector("text=Time slot added.")
    assert page.get_by_text("Tuesday 09:30").is_visible()
    screenshot(page, "publishing-queues")

    page.goto(f"/w/{workspace.slug}/calendar/mix/")
    page.locator("canvas[data-kp-mix-chart=month]").wait_for()
    page.wait_for_timeout(300)  # Chart.js animation
    screenshot(page, "publishing-mix")

    page.goto(f"/w/{workspace.slug}/calendar/import/")
    page.set_input_files(
        "input[name=file]",
        files=[
            {"name": "plan.csv", "mimeType": "text/csv", "buffer": b"scheduled_at,account,text\nsoon,Nav,x\n"}
        ],
    )
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("[data-testid=import-problems]")
    screenshot(page, "publishing-import-problems")

    page.goto(f"/w/{workspace.slug}/calendar/feeds/")
    page.get_by_role("button", name="Create feed").click()
    feed_url = page.locator("[data-testid=feed-url]").input_value()
    screenshot(page, "publishing-feeds")
    response = page.request.get(feed_url)
    assert response.ok and b"BEGIN:VEVENT" in response.body()

    page.goto(f"/w/{workspace.slug}/calendar/")
    page.get_by_role("button", name="list").click()
    page.wait_for_selector(".fc-list-event")
    screenshot(page, "publishing-calendar-list")
