"""Issue 13 acceptance in a browser: the demo's analytics pages render charts with data (engagement over
time, by content type, followers, mix, response times, sentiment), the weekday × hour heat map with post
counts, the best times, one account's page, a CSV export, and "Suggest a time" in the composer."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("engagement-time", "engagement-type", "followers", "mix", "response-trend", "sentiment")


def _total(page, name: str) -> float:
    return page.evaluate(
        "(name) => Chart.getChart(document.querySelector(`canvas[data-kp-chart='${name}']`)).data.datasets[0]"
        ".data.reduce((a, b) => a + (b || 0), 0)",
        name,
    )


def test_analytics_pages_show_the_demo(logged_in_page, screenshot):
    from kopiena.core import demo
    from kopiena.publishing.models import Post, PostState
    from kopiena.teams.models import Role

    ctx = demo.demo_load()
    page = logged_in_page(ctx.people[Role.ANALYST])
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    slug = ctx.workspace.slug

    page.goto(f"/w/{slug}/calendar/")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Analytics").click()
    page.get_by_role("link", name="90 days").click()
    page.wait_for_selector("canvas[data-kp-chart='sentiment'][data-kp-drawn]")
    for name in CHARTS:
        assert _total(page, name) > 0, name
    assert int(page.get_by_test_id("figure-posts").locator(".fs-3").inner_text()) > 0
    assert " h" in page.get_by_test_id("response-headline").inner_text()
    assert page.get_by_test_id("best-times").locator(".badge").count() >= 1
    assert (
        page.get_by_test_id("cell-posts").count() >= 5
    )  # each heat-map cell says how many posts it rests on
    screenshot(page, "analytics-workspace")

    filters = page.get_by_test_id("analytics-filters")
    filters.get_by_label("Account", exact=True).select_option(index=1)
    filters.get_by_role("button", name="Show").click()
    page.wait_for_selector("canvas[data-kp-chart='engagement-time'][data-kp-drawn]")
    assert "account=" in page.url and _total(page, "engagement-time") > 0
    with page.expect_download() as download:
        page.get_by_test_id("export-mix-csv").click()
    assert download.value.suggested_filename.startswith("mix-")

    manager = logged_in_page(ctx.people[Role.MANAGER])
    draft = (
        Post.objects.filter(workspace=ctx.workspace, state=PostState.APPROVED).first()
        or Post.objects.filter(workspace=ctx.workspace, state=PostState.SCHEDULED).first()
    )
    manager.goto(f"/w/{slug}/calendar/posts/{draft.pk}/")
    manager.get_by_test_id("suggest-time").click()
    manager.wait_for_function(
        "() => document.querySelector('[data-kp-suggest-reason]').textContent.length > 0"
    )
    assert manager.locator("#kp-schedule input[type=datetime-local]").input_value()
    assert errors == []
