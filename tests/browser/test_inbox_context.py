"""Issue 12 item 3/4 in a real browser: open a thread, see the post it is under and what the classifier
saw, add a note that @mentions a teammate, tag it, filter the inbox by the tag, correct a label and see
the conversation move to another view (screenshots in test-artifacts/)."""

from __future__ import annotations

import re

import pytest

from kopiena.inbox.models import Thread
from kopiena.inbox.services import items_ingest
from kopiena.integrations.services import account_connect
from kopiena.publishing.models import Delivery, Notification, Post, Variant
from kopiena.teams.models import Role
from tests.inbox.conftest import BASE, remote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_context_note_tag_filter_and_correction(
    logged_in_page, owner, owner_access, member, workspace, screenshot
):
    account = account_connect(
        access=owner_access,
        platform="mastodon",
        name="Kafija on Mastodon",
        credentials={"access_token": "tok-inbox-browser"},
        base_url="https://social.example",
        external_id="100",
    )
    post = Post.objects.create(workspace=workspace, author=owner, text="Jaunā kafejnīca Tērbatas ielā")
    variant = Variant.objects.create(
        post=post, account=account, text="Jaunā kafejnīca Tērbatas ielā — nāciet!"
    )
    Delivery.objects.create(
        workspace=workspace,
        post=post,
        variant=variant,
        account=account,
        due_at=BASE,
        next_attempt_at=BASE,
        remote_id="p1",
        remote_url="https://social.example/@kafija/p1",
    )
    items_ingest(account=account, remote_items=[remote("c1", "Kad atvērsiet jauno kafejnīcu?")])
    thread = Thread.objects.get()
    assert thread.sentiment != "negative"
    moderator = member(Role.MODERATOR)
    tab = logged_in_page(owner)
    tab.goto(f"/w/{workspace.slug}/inbox/{thread.pk}/")
    assert (
        tab.get_by_test_id("post-context").get_by_text("Jaunā kafejnīca Tērbatas ielā — nāciet!").is_visible()
    )
    tab.get_by_text("What the classifier saw").first.click()
    assert tab.get_by_test_id("classification").first.get_by_role("rowheader", name="Negative").is_visible()

    tab.get_by_label("Note").fill(f"@{moderator.username} vai tu zini atvēršanas datumu? <b>svarīgi</b>")
    tab.get_by_role("button", name="Add note").click()
    tab.wait_for_load_state()
    assert tab.get_by_test_id("notes").get_by_text("<b>svarīgi</b>").is_visible()  # text, not markup
    assert Notification.objects.filter(kind="note_mention", recipient=moderator).count() == 1

    tab.get_by_test_id("thread-context").get_by_label("Tag").fill("atvēršana")
    tab.get_by_role("button", name="Add tag").click()
    tab.wait_for_load_state()
    assert tab.get_by_test_id("thread-tags").get_by_text("atvēršana").is_visible()
    screenshot(tab, "inbox-thread-context")

    tab.goto(f"/w/{workspace.slug}/inbox/")
    tab.get_by_label("Tag", exact=True).first.select_option(label="atvēršana")
    tab.wait_for_url(re.compile(r".*tag=\d+.*"))
    assert tab.locator("[data-kp-inbox-row]").count() == 1

    tab.goto(f"/w/{workspace.slug}/inbox/?view=negative")
    assert tab.locator("[data-kp-inbox-row]").count() == 0
    tab.goto(f"/w/{workspace.slug}/inbox/{thread.pk}/")
    tab.get_by_text("What the classifier saw").first.click()
    form = tab.get_by_test_id("correct-form").first
    form.get_by_label("Sentiment").select_option("negative")
    form.get_by_label("Complaint").check()
    form.get_by_role("button", name="Correct the labels").click()
    tab.wait_for_load_state()
    tab.goto(f"/w/{workspace.slug}/inbox/?view=negative")
    assert tab.locator("[data-kp-inbox-row]").count() == 1
    screenshot(tab, "inbox-negative-after-correction")
