"""Issue 11 acceptance in a browser: create a query (a syntax error first, shown with its position), try it,
add a feed, and see the mentions arrive with the volume and sentiment charts."""

from __future__ import annotations

import pytest

from kopiena.listening import runner
from kopiena.listening.models import ListeningSource, Mention
from tests.listening.conftest import FeedServer, rss

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_query_and_see_mentions_arrive_with_the_charts(
    logged_in_page, workspace, owner, screenshot, settings
):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the feed server listens on 127.0.0.1
    page = logged_in_page(owner)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/w/{workspace.slug}/listening/")
    assert page.get_by_test_id("mentions-empty").is_visible()

    page.get_by_label("Name").fill("Kafija")
    page.get_by_role("textbox", name="Query", exact=True).fill('kafija OR "Rīgas grauzdētava')
    page.get_by_role("button", name="Save query").click()
    assert "character 11" in page.get_by_test_id("query-error").inner_text()
    page.get_by_role("textbox", name="Query", exact=True).fill('kafija OR "Rīgas grauzdētava"')
    page.get_by_role("button", name="Save query").click()
    page.wait_for_selector("[data-testid=queries]")

    with FeedServer() as feeds:
        feeds.feeds["news.xml"] = rss([
            {"title": "Rīgas grauzdētava atver jaunu kafejnīcu", "link": "https://news.example/1",
             "text": "Laba kafija vecpilsētā"},
            {"title": "Kafija kļūst dārgāka", "link": "https://news.example/2", "text": "Cenas aug, pircēji dusmīgi"},
            {"title": "Laikapstākļi", "link": "https://news.example/3", "text": "Lietus"},
        ])  # fmt: skip
        page.get_by_label("Feed address").fill(feeds.url("/news.xml"))
        page.get_by_role("button", name="Add feed").click()
        page.wait_for_selector("[data-testid=source-health]")
        ListeningSource.objects.update(next_attempt_at=None)
        runner.sources_run()  # what the clock's listening_run does every 15 s
    assert Mention.objects.count() == 2

    page.goto(f"/w/{workspace.slug}/listening/")
    mentions = page.get_by_test_id("mentions")
    assert "atver jaunu kafejnīcu" in mentions.inner_text()
    volume = page.locator("canvas[data-kp-listening-volume]")
    sentiment = page.locator("canvas[data-kp-listening-sentiment]")
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-kp-listening-volume]'))"
    )
    assert volume.bounding_box()["height"] > 50 and sentiment.bounding_box()["height"] > 50
    assert (
        page.evaluate(
            "() => Chart.getChart(document.querySelector('canvas[data-kp-listening-volume]')).data.datasets[0].data"
            ".reduce((a, b) => a + b, 0)"
        )
        == 2
    )

    page.get_by_role("textbox", name="Query", exact=True).fill("dārgāka")
    page.get_by_test_id("try-it").click()
    assert "matched 1" in page.get_by_test_id("try-result").inner_text()
    screenshot(page, "listening")
    # The refused query answers 422 on purpose (the browser logs that); anything else is a real error.
    assert [e for e in errors if "422" not in e] == []
