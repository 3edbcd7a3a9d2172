"""The inbox in a real browser under our CSP: keyboard shortcuts, the thread view, reply problems shown
before sending (screenshots in test-artifacts/)."""

from __future__ import annotations

import pytest

from kopiena.connectors.types import ItemKind
from kopiena.inbox.models import Thread
from kopiena.inbox.services import items_ingest
from tests.browser.conftest import browser, logged_in_page, page, screenshot  # noqa: F401 - fixtures
from tests.inbox.conftest import remote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_keyboard_moves_opens_and_replies(logged_in_page, owner, workspace, account, screenshot):  # noqa: F811
    items_ingest(
        account=account,
        remote_items=[
            remote("c1", "Kad atvērsiet jauno kafejnīcu Teikā?", minutes=0),
            remote(
                "c2", "Jau nedēļu gaidu pasūtījumu, nauda paņemta, neviens neatbild!", author="b", minutes=1
            ),
            remote("m1", "@kafija labākā kafija Rīgā", kind=ItemKind.MENTION, post="", author="c", minutes=2),
        ],
    )
    tab = logged_in_page(owner)
    tab.goto(f"/w/{workspace.slug}/inbox/")
    rows = tab.locator("[data-kp-inbox-row]")
    assert rows.count() == 3
    screenshot(tab, "inbox-list")
    tab.keyboard.press("j")
    tab.keyboard.press("j")
    assert "kp-inbox-selected" in (rows.nth(1).get_attribute("class") or "")
    second = rows.nth(1).get_attribute("data-href")
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"**{second}")
    tab.keyboard.press("?")
    assert tab.locator("#kp-inbox-help").is_visible()
    tab.keyboard.press("Escape")
    tab.keyboard.press("r")
    assert tab.evaluate("document.activeElement.id") == "kp-inbox-reply"
    tab.keyboard.type("THIS IS NOT TRUE!!!")
    tab.get_by_role("button", name="Send answer").click()
    assert tab.get_by_text("Check this before sending:").is_visible()
    assert tab.get_by_label("I checked it: send anyway").is_visible()
    screenshot(tab, "inbox-thread-reply-problems")
    tab.get_by_role("button", name="Assign to me").click()
    tab.wait_for_load_state()
    assert Thread.objects.filter(assignee=owner).count() == 1


def test_a_saved_reply_goes_in_at_the_cursor_with_the_persons_name(
    logged_in_page,  # noqa: F811
    owner,
    owner_access,
    workspace,
    account,
    screenshot,  # noqa: F811
):
    from kopiena.inbox.saved_replies import saved_reply_create

    saved_reply_create(access=owner_access, title="Piegāde", text="Paldies, {name}! Piegāde 2–3 dienās.")
    items_ingest(account=account, remote_items=[remote("c1", "Kad būs piegāde?")])
    tab = logged_in_page(owner)
    tab.goto(f"/w/{workspace.slug}/inbox/{Thread.objects.get().pk}/")
    box = tab.locator("#kp-inbox-reply")
    box.fill("Labdien! ")
    tab.get_by_label("Insert a saved reply").select_option(label="Piegāde")
    assert box.input_value() == "Labdien! Paldies, Person a1! Piegāde 2–3 dienās."
    assert tab.evaluate("document.activeElement.id") == "kp-inbox-reply"
    screenshot(tab, "inbox-saved-reply")


def test_send_anyway_does_not_block_an_answer_whose_problem_is_gone(
    logged_in_page,  # noqa: F811
    owner,
    owner_access,
    workspace,
    account,
    screenshot,  # noqa: F811
):
    """Issue 16 item 7: after a saved reply replaced a shouting draft, or a link got its reason, the
    answer goes without the "send anyway" tick; a draft still shouting waits for it."""
    from kopiena.inbox.models import Reply
    from kopiena.inbox.saved_replies import saved_reply_create

    saved_reply_create(access=owner_access, title="Piegāde", text="Paldies, {name}! Piegāde 2–3 dienās.")
    items_ingest(
        account=account,
        remote_items=[
            remote("c1", "Kad būs piegāde?"),
            remote("c2", "Kur ir katalogs?", post="p2", author="b"),
        ],
    )
    first, second = Thread.objects.order_by("pk")
    tab = logged_in_page(owner)
    tab.goto(f"/w/{workspace.slug}/inbox/{first.pk}/")
    box = tab.locator("#kp-inbox-reply")
    box.fill("WHERE IS YOUR PATIENCE!!!")
    tab.get_by_role("button", name="Send answer").click()
    assert tab.get_by_text("Check this before sending:").is_visible()
    # Still shouting and not ticked: the server shows it again (the browser does not stop the form).
    tab.get_by_role("button", name="Send answer").click()
    tab.wait_for_load_state()
    assert tab.get_by_text("Check this before sending:").is_visible()
    assert not Reply.objects.exists()
    box.fill("")
    tab.get_by_label("Insert a saved reply").select_option(label="Piegāde")
    assert not tab.get_by_label("I checked it: send anyway").is_checked()
    tab.get_by_role("button", name="Send answer").click()
    tab.wait_for_load_state()
    assert tab.get_by_text("Your answer is on its way.").is_visible()
    assert Reply.objects.get(item__thread=first).text == "Paldies, Person a1! Piegāde 2–3 dienās."

    tab.goto(f"/w/{workspace.slug}/inbox/{second.pk}/")
    tab.locator("#kp-inbox-reply").fill("Katalogs: https://kafija.lv/katalogs")
    tab.get_by_role("button", name="Send answer").click()
    assert tab.get_by_text("A link in a reply needs a reason").is_visible()
    tab.get_by_label("Why a link").select_option(value="asked_for_catalogue")
    screenshot(tab, "inbox-send-anyway-link-reason")
    tab.get_by_role("button", name="Send answer").click()
    tab.wait_for_load_state()
    assert tab.get_by_text("Your answer is on its way.").is_visible()
    assert Reply.objects.get(item__thread=second).text == "Katalogs: https://kafija.lv/katalogs"
