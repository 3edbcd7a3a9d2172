"""API client fixture for the policy REST tests (the same token client as tests/api)."""

from __future__ import annotations

import pytest

from kopiena.teams.selectors import access_workspace
from kopiena.teams.services import api_token_create
from tests.api.conftest import TokenClient


@pytest.fixture
def api_client():
    def make(user, workspace) -> TokenClient:
        _, raw = api_token_create(access=access_workspace(actor=user, slug=workspace.slug), name="tests")
        return TokenClient(raw)

    return make


# The shared Playwright fixtures (tests/browser/conftest.py) for test_browser.py here.
from tests.browser.conftest import browser, logged_in_page, page, screenshot  # noqa: E402, F401
