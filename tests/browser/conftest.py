"""Playwright fixtures for browser tests: Debian's /usr/bin/chromium, never `playwright install`.

Tests under tests/browser/ get them from this conftest. Elsewhere, import them into your conftest.py or test
module: ``from tests.browser.conftest import browser, logged_in_page, page, screenshot  # noqa: F401``
(every copy shares one chromium). Mark browser tests ``@pytest.mark.browser``::

    def test_inbox(logged_in_page, member, workspace, screenshot):
        page = logged_in_page(member("moderator"))
        page.goto(f"/w/{workspace.slug}/inbox/")  # relative to the live server
        screenshot(page, "inbox")

Pages resolve relative URLs against the live server. Screenshots go to ``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class _SharedChromium:
    """One Playwright and one chromium for the whole run, however many modules import these fixtures.

    Tests outside tests/browser/ import the fixtures into their own conftest or module, which makes pytest
    see several ``browser`` fixtures; a second Playwright sync API would refuse to start inside the first
    one's event loop, so every copy shares this instance and the last user closes it.
    """

    def __init__(self):
        self.users = 0
        self.playwright = None
        self.browser = None
        self.previous_async_unsafe = None

    def acquire(self):
        if self.users == 0:
            sync_api = pytest.importorskip("playwright.sync_api")
            if not Path(CHROMIUM).exists():
                pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make chromium)")
            # Playwright's sync API runs an event loop in this thread; Django would then refuse ORM calls
            # made by the test itself (creating users, reading rows). The test thread serves no async
            # requests, so allow them while browsers run — and only then, so the variable never leaks into
            # other tests' subprocesses.
            self.previous_async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            self.playwright = sync_api.sync_playwright().start()
            self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.users += 1
        return self.browser

    def release(self):
        self.users -= 1
        if self.users:
            return
        self.browser.close()
        self.playwright.stop()
        self.browser = self.playwright = None
        if self.previous_async_unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self.previous_async_unsafe


_CHROMIUM = _SharedChromium()


@pytest.fixture(scope="session")
def browser():
    yield _CHROMIUM.acquire()
    _CHROMIUM.release()


@pytest.fixture
def page(browser, live_server):
    """A fresh page (own cookies) in English at 1280×860; relative URLs go to the live server."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 860}, locale="en-GB", base_url=live_server.url
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def logged_in_page(page, live_server):
    """``logged_in_page(user)`` → the ``page`` with ``user``'s session cookie (no login form round trip)."""

    def sign_in(user):
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        return page

    return sign_in


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")`` → saves ``test-artifacts/<name>.png`` (full page) and returns its path."""

    def take(page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
