"""Issue 16 in a browser, the composer: far-too-long text refused at once (item 6), one character count in
the header and the error (item 4), a refusal's proposed time that passes every rule and is used in one
click (item 3), and the composer's time, media and preview (item 1)."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

import pytest

from kopiena.core.clock import now
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.platforms import account_label
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current_data
from kopiena.policy.services import policy_save
from kopiena.publishing.fakeplatform import KEY, use_fake_platform
from kopiena.publishing.models import Post, PostState
from kopiena.publishing.queues import QueueSlot
from kopiena.publishing.services import post_create, post_schedule
from kopiena.teams.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fake_connector():
    with use_fake_platform():
        yield


def _account(workspace, name="Grauzdētava", platform=KEY, **extra):
    return ConnectedAccount.objects.create(
        workspace=workspace,
        platform=platform,
        name=name,
        handle=name.lower().replace(" ", "_"),
        base_url="http://127.0.0.1:9",
        approval_required=False,
        **extra,
    )


def test_far_too_long_text_is_refused_at_once(logged_in_page, member, workspace, screenshot):
    """Item 6: saving a 200,000-character draft took 7 s; now it is refused at once, nothing is saved."""
    _account(workspace)
    page = logged_in_page(member(Role.MANAGER))
    page.goto(f"/w/{workspace.slug}/calendar/posts/new/")
    page.get_by_label("Text", exact=True).fill("k" * 200_000)
    expect_live = page.get_by_test_id("text-too-long")
    expect_live.wait_for(timeout=5000)
    assert "no platform takes more than" in expect_live.inner_text()
    started = time.perf_counter()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    page.locator(".invalid-feedback", has_text="no platform takes more than").wait_for(timeout=5000)
    assert time.perf_counter() - started < 3
    assert Post.objects.count() == 0
    screenshot(page, "composer-too-long")


def test_header_count_and_error_count_agree(logged_in_page, member, workspace, screenshot):
    """Item 4: Mastodon counts the appended link (23 characters): the header said 480, the error 505."""
    account = _account(workspace, "Grauzdētava Mastodon", platform="mastodon")
    page = logged_in_page(member(Role.CONTRIBUTOR))
    page.goto(f"/w/{workspace.slug}/calendar/posts/new/")
    page.get_by_label("Text", exact=True).fill("k" * 480)
    page.get_by_label("Link", exact=True).fill("https://example.lv/katalogs")
    row = page.locator(f"[data-testid=problem-row][data-account-id='{account.pk}']")
    row.get_by_text("the limit is 500").wait_for(timeout=5000)
    header = re.search(r"(\d+) of 500 characters", row.get_by_test_id("char-count").inner_text())
    error = re.search(r"The text is (\d+) characters", row.inner_text())
    assert header and error
    assert header.group(1) == error.group(1) == "505"
    screenshot(page, "composer-count")


def test_refusal_proposes_a_time_every_rule_allows_and_uses_it_in_one_click(
    logged_in_page, member, workspace, owner_access, screenshot
):
    """Item 3: "nearest allowed 13:00" was then refused by the link-share rule; now the proposal passes
    every rule, and "Use this time" schedules the post at it."""
    data = policy_current_data(workspace=workspace)
    data["publishing"]["links"]["own_domains"] = ["grauzdetava.lv"]
    policy_save(access=owner_access, document=PolicyDocument.model_validate(data))
    account = _account(workspace)
    riga = ZoneInfo("Europe/Riga")
    day = now().astimezone(riga).date() + timedelta(days=2)
    noon = datetime.combine(day, datetime.min.time().replace(hour=12), tzinfo=riga)
    first, second = (
        post_create(
            access=owner_access,
            account_ids=[account.pk],
            content_type="link",
            text=text,
            link="https://grauzdetava.lv/katalogs",
            link_context="asked",
        )
        for text in ("Katalogs", "Vēlreiz katalogs")
    )
    post_schedule(access=owner_access, post_id=first.pk, at=noon)

    page = logged_in_page(member(Role.MANAGER))
    page.goto(f"/w/{workspace.slug}/calendar/posts/{second.pk}/")
    page.locator("#kp-schedule input[name=at]").fill((noon - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#kp-schedule").get_by_role("button", name="Schedule").click()
    proposal = page.get_by_test_id("proposed-time")
    proposal.wait_for()
    assert "Nearest allowed time" in page.content()
    screenshot(page, "composer-proposed-time")
    proposal.get_by_role("button", name="Use this time").click()
    page.locator(".alert-success", has_text="Scheduled for").wait_for()
    second.refresh_from_db()
    assert second.state == PostState.SCHEDULED
    local = second.scheduled_at.astimezone(riga)
    assert local.date() > day and local.weekday() == 0  # the next week: the link share allows it
    assert page.get_by_test_id("post-state").inner_text() == "Scheduled"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_composer_time_files_alt_text_and_preview(
    logged_in_page, member, workspace, settings, tmp_path, screenshot
):
    """Item 1: "Next free slot" fills the time field; two files need two alt-text lines, said live and
    enforced before sending (the chosen files stay chosen); the preview shows each network its way."""
    settings.MEDIA_ROOT = tmp_path
    account = _account(workspace)
    mastodon = _account(workspace, "Grauzdētava Mastodon", platform="mastodon")
    QueueSlot.objects.create(workspace=workspace, account=account, weekday=3, local_time=dt_time(9, 15))
    page = logged_in_page(member(Role.MANAGER))
    page.goto(f"/w/{workspace.slug}/calendar/posts/new/")
    page.get_by_label(account_label(account), exact=True).check()
    page.get_by_label(account_label(mastodon), exact=True).check()
    page.get_by_label("Text", exact=True).fill("Jaunā kafija")
    page.get_by_label("Link", exact=True).fill("https://grauzdetava.lv/katalogs")

    page.get_by_test_id("next-free-slot").click()
    time_input = page.get_by_label("Publish at")
    for _ in range(50):  # the page's CSP allows no evaluated predicate: poll the field
        if time_input.input_value():
            break
        page.wait_for_timeout(100)
    assert time_input.input_value().endswith("T09:15")
    planned = datetime.fromisoformat(time_input.input_value())
    assert planned.weekday() == 3

    page.locator("input[name=media_file]").set_input_files(
        [
            {"name": "kafija1.png", "mimeType": "image/png", "buffer": PNG},
            {"name": "kafija2.png", "mimeType": "image/png", "buffer": PNG},
        ]
    )
    page.get_by_label("Alt text for the files").fill("Krūze uz galda")
    # the live check answers each change; the last one (after the alt text) counts one line for two files
    page.get_by_test_id("missing-alt").filter(has_text="2 files, 1 lines").wait_for(timeout=5000)

    # The preview: Mastodon appends the link to the text; the other platform shows a link card.
    mastodon_row = page.locator(f"[data-testid=problem-row][data-account-id='{mastodon.pk}']")
    assert "https://grauzdetava.lv/katalogs" in mastodon_row.get_by_test_id("preview-text").inner_text()
    assert mastodon_row.get_by_test_id("link-card").count() == 0
    other_row = page.locator(f"[data-testid=problem-row][data-account-id='{account.pk}']")
    assert "grauzdetava.lv" in other_row.get_by_test_id("link-card").inner_text()
    screenshot(page, "composer-preview")

    page.get_by_role("button", name="Save draft").click()
    page.wait_for_timeout(300)
    assert Post.objects.count() == 0  # the browser held the form: one alt line for two files
    assert page.locator("input[name=media_file]").evaluate("input => input.files.length") == 2

    page.get_by_label("Alt text for the files").fill("Krūze uz galda\nPupiņas maisā")
    page.get_by_test_id("missing-alt").wait_for(state="detached", timeout=5000)
    page.get_by_role("button", name="Save draft").click()
    page.get_by_test_id("post-state").wait_for()
    post = Post.objects.get()
    assert [m.alt_text for m in post.media.order_by("position")] == ["Krūze uz galda", "Pupiņas maisā"]
    local = post.scheduled_at.astimezone(ZoneInfo("Europe/Riga"))
    assert local.strftime("%Y-%m-%dT%H:%M") == planned.strftime("%Y-%m-%dT%H:%M")
