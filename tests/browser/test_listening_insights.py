"""Issue 11 acceptance in a browser: the Competitors and Leaders pages show data from the demo (the
competitor's posts with the weekly charts, share of voice and cadence; the leaders table, a person page
with history, a note and a task)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_competitors_and_leaders_show_the_demo(logged_in_page, screenshot):
    from kopiena.core import demo

    ctx = demo.demo_load()
    page = logged_in_page(ctx.owner)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    slug = ctx.workspace.slug

    page.goto(f"/w/{slug}/listening/")
    page.get_by_test_id("listening-tabs").get_by_role("link", name="Competitors").click()
    page.wait_for_selector("[data-testid=competitor]")
    assert "Melnā Pupiņa" in page.get_by_test_id("competitor").inner_text()
    assert page.get_by_test_id("competitor-posts").locator("tbody tr").count() == 5
    assert "Melnā Pupiņa" in page.get_by_test_id("competitor-cadence").inner_text()
    assert "Melnā Pupiņa" in page.get_by_test_id("competitor-share").inner_text()
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-kp-competitor-posts]'))"
    )
    posted = page.evaluate(
        "() => Chart.getChart(document.querySelector('canvas[data-kp-competitor-posts]')).data.datasets"
        ".map(d => d.data.reduce((a, b) => a + b, 0))"
    )
    assert posted[1] > 10  # theirs (ours is the first dataset)
    engagement = page.evaluate(
        "() => Chart.getChart(document.querySelector('canvas[data-kp-competitor-engagement]')).data.datasets[0]"
        ".data.reduce((a, b) => a + b, 0)"
    )
    assert engagement > 0
    screenshot(page, "listening-competitors")

    page.get_by_test_id("listening-tabs").get_by_role("link", name="Leaders").click()
    leaders = page.get_by_test_id("leaders")
    assert leaders.locator("tbody tr").count() >= 3
    leaders.locator("tbody tr").first.get_by_role("link").click()
    page.wait_for_selector("[data-testid=person-history]")
    assert page.get_by_test_id("person-history").locator("li").count() >= 1
    assert "Invite to the next cupping" in page.get_by_test_id("person-task").first.inner_text()
    assert page.get_by_test_id("person-note").count() == 1
    screenshot(page, "listening-person")
    assert errors == []
