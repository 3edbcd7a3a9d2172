"""The Swagger UI at /api/v1/docs renders in a real browser under our CSP, with no CDN (no network here)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_every_operation_without_csp_violations(page, screenshot):
    violations: list[str] = []
    failed: list[str] = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    page.on("requestfailed", lambda request: failed.append(request.url))

    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15_000)  # operations appear only after openapi.json loaded

    text = page.inner_text("#swagger-ui")
    for path in ["/api/v1/me", "/api/v1/workspace", "/api/v1/members", "/api/v1/accounts"]:
        assert path in text
    assert page.locator("button.authorize").is_visible()  # where a person pastes their kop_ token
    assert violations == []
    assert failed == []
    screenshot(page, "api-docs")
