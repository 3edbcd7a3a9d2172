"""Settings → Accounts in a browser: connect with the token form, land on the account page (screenshots)."""

from __future__ import annotations

import pytest

from tests.integrations.fakes import GOOD_TOKEN, fake_registry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def connectors(monkeypatch):
    with fake_registry(monkeypatch) as registry:
        yield registry


def test_connect_an_account_through_the_form(logged_in_page, owner, workspace, screenshot):
    page = logged_in_page(owner)
    page.goto(f"/w/{workspace.slug}/settings/accounts/")
    screenshot(page, "accounts-empty")
    page.get_by_role("link", name="Connect an account").first.click()
    page.get_by_role("link", name="Connect Fakebook").click()
    page.get_by_label("Access token").fill(GOOD_TOKEN)
    page.get_by_label("Channel or group").fill("-1001")
    screenshot(page, "accounts-connect-form")
    page.get_by_role("button", name="Check and connect").click()

    page.wait_for_selector("text=Kafija Rīga is connected.")
    assert page.get_by_text("Publish posts").is_visible()
    assert GOOD_TOKEN not in page.content()
    screenshot(page, "accounts-detail")

    page.goto(f"/w/{workspace.slug}/settings/accounts/")
    assert page.get_by_role("link", name="Kafija Rīga").is_visible()
    screenshot(page, "accounts-list")
