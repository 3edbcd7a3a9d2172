"""Issue 16 items 8, 12, 15 and 16 in a browser: notices worded when shown and marked done, the sign-in
page's language kept, navigation by role, inviting a member refused, dates in the reader's format and the
workspace's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from kopiena.core.models import WorkerHeartbeat
from kopiena.core.tasks_runtime.health import forget_cached_worker_status
from kopiena.integrations.services import account_connect
from kopiena.publishing.services import post_approve, post_create, post_submit
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _switch_language(page, name: str) -> None:
    page.get_by_test_id("language-switcher").click()
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def test_a_notice_follows_the_readers_language_and_is_marked_done(
    logged_in_page, workspace, owner, member, screenshot
):
    """16.8: written while the manager reads English; shown in Latvian after the switch, its time in Riga;
    "Done" once the post is approved."""
    manager, contributor = member(Role.MANAGER), member(Role.CONTRIBUTOR)
    owner_access = access_workspace(actor=owner, slug=workspace.slug)
    account = account_connect(
        access=owner_access,
        platform="mastodon",
        name="Kafija",
        credentials={"access_token": "tok-people"},
        base_url="https://social.example",
        external_id="people-1",
    )
    writer = access_workspace(actor=contributor, slug=workspace.slug)
    post = post_create(access=writer, account_ids=[account.pk], text="Jauna kafija no Kolumbijas")
    post_submit(access=writer, post_id=post.pk)

    page = logged_in_page(manager)
    page.goto("/notifications/")
    item = page.locator("[data-kp-notification]").first
    assert "A post waits for your review" in item.inner_text()
    assert "Jauna kafija no Kolumbijas" in item.inner_text()  # the author's words as written
    when = item.locator("time").inner_text()
    assert re.fullmatch(r"\d{1,2} \w{3} \d{4} \d{2}:\d{2}", when), when
    assert item.locator("time").get_attribute("title") == "Europe/Riga"

    _switch_language(page, "Latviešu")
    item = page.locator("[data-kp-notification]").first
    assert "Ieraksts gaida jūsu pārbaudi" in item.inner_text()
    assert "A post waits" not in page.content()
    assert item.locator("[data-kp-done]").count() == 0

    post_approve(access=access_workspace(actor=manager, slug=workspace.slug), post_id=post.pk)
    page.reload()
    item = page.locator("[data-kp-notification]").first
    assert item.locator("[data-kp-done]").inner_text() == "Izdarīts"
    screenshot(page, "people-notice-done-lv")


def test_the_language_chosen_on_the_sign_in_page_is_kept(page, workspace, owner, screenshot):
    """16.12: the profile says Russian; Latvian chosen on the sign-in page stays after signing in."""
    owner.language = "ru"
    owner.save(update_fields=["language"])
    page.goto("/login/")
    _switch_language(page, "Latviešu")
    assert page.locator("html").get_attribute("lang") == "lv"
    page.locator("input[name=username]").fill(owner.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**/w/{workspace.slug}/today/")
    assert page.locator("html").get_attribute("lang") == "lv"
    assert (
        page.get_by_role("navigation", name="Galvenā navigācija")
        .get_by_role("link", name="Iesūtne")
        .is_visible()
    )
    screenshot(page, "people-login-lv-kept")
    page.goto(f"/w/{workspace.slug}/calendar/")
    assert page.locator("html").get_attribute("lang") == "lv"  # not only the first page


def test_navigation_shows_only_what_the_role_can_open(logged_in_page, workspace, member, screenshot):
    """16.15: a moderator sees no Analytics (it would answer 403); an analyst sees and opens it."""
    page = logged_in_page(member(Role.MODERATOR))
    page.goto(f"/w/{workspace.slug}/today/")
    nav = page.get_by_role("navigation", name="Main navigation")
    assert nav.get_by_role("link", name="Inbox").is_visible()
    for hidden in ("Analytics", "Client reports", "Audit log"):
        assert nav.get_by_role("link", name=hidden).count() == 0, hidden
    screenshot(page, "people-nav-moderator")
    for link in nav.get_by_role("link").all():
        href = link.get_attribute("href")
        assert page.request.get(href).status != 403, href
    page.context.clear_cookies()

    page = logged_in_page(member(Role.ANALYST))
    page.goto(f"/w/{workspace.slug}/today/")
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name="Analytics").click()
    page.wait_for_url(f"**/w/{workspace.slug}/analytics/")
    assert page.get_by_role("heading", name="Analytics").first.is_visible()


def test_inviting_a_member_says_so_and_dates_follow_the_reader(
    logged_in_page, workspace, owner, member, screenshot
):
    """16.16: inviting a current member is refused with a clear message; the health page shows the
    worker's start in the workspace's zone (Riga) and the reader's format."""
    moderator = member(Role.MODERATOR)
    page = logged_in_page(owner)
    page.goto(f"/w/{workspace.slug}/settings/team/")
    page.locator("input[name=email]").fill(moderator.email.upper())
    page.locator("select[name=role]").last.select_option(Role.ANALYST)
    page.get_by_role("button", name="Create invitation").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"{moderator.email} is already a member of this workspace").is_visible()
    assert page.locator("#invitation-link").count() == 0
    screenshot(page, "people-invite-member")

    forget_cached_worker_status()
    started = datetime(2026, 12, 5, 15, 30, tzinfo=UTC)  # 17:30 in Riga
    WorkerHeartbeat.objects.create(
        worker_id="w1", host="test", pid=1, queues=["default"], started_at=started, last_seen=started
    )
    page.goto(f"/w/{workspace.slug}/settings/health/")
    text = page.content()
    assert "05/12/2026 17:30" in text and "12/05/2026" not in text and "p.m." not in text
    _switch_language(page, "Latviešu")
    assert "5.12.2026 17:30" in page.content()
    screenshot(page, "people-health-lv")
    forget_cached_worker_status()
