"""Issue 13 acceptance (items 3 and 5) in a browser, on the demo: the home page lists today's work; the
client report's PDF is generated and its first page, rendered to PNG by pdftoppm, shows the report's title
(its text) and a bar chart (columns of the brand colour); the share link opens signed out and stops
working once revoked."""

from __future__ import annotations

import shutil
import subprocess

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _bar_columns(png_path, colour: tuple[int, int, int], *, min_run: int, below: float) -> int:
    """How many pixel columns hold a vertical run of at least ``min_run`` pixels of ``colour`` under the
    top ``below`` share of the page (the header with the logo and title is above it; bars are below)."""
    from PIL import Image

    image = Image.open(png_path).convert("RGB")
    width, height = image.size
    pixels = image.load()
    columns = 0
    for x in range(width):
        run = best = 0
        for y in range(int(height * below), height):
            r, g, b = pixels[x, y]
            if abs(r - colour[0]) < 12 and abs(g - colour[1]) < 12 and abs(b - colour[2]) < 12:
                run += 1
                best = max(best, run)
            else:
                run = 0
        columns += best >= min_run
    return columns


def test_home_lists_today_and_the_client_report_pdf_and_share_link(
    logged_in_page, browser, live_server, screenshot, tmp_path
):
    from kopiena.core import demo
    from kopiena.reports.demo import DEMO_COLOUR, DEMO_REPORT_TITLE
    from kopiena.reports.models import ClientReport

    assert shutil.which("pdftoppm"), "pdftoppm is missing: make poppler"
    ctx = demo.demo_load()
    page = logged_in_page(ctx.people["manager"])
    slug = ctx.workspace.slug

    # Home: "/" leads to today's work; the demo's post waiting for approval is one click from the review.
    page.goto("/")
    assert page.url.endswith(f"/w/{slug}/today/")
    approvals = page.get_by_test_id("today-approvals")
    assert approvals.get_by_test_id("today-count").inner_text() == "1"
    assert "#FollowFriday" in approvals.inner_text()
    assert page.get_by_test_id("today-reconnect").get_by_test_id("today-card-empty").is_visible()
    screenshot(page, "home-today")
    approvals.get_by_role("link", name="#FollowFriday", exact=False).click()
    assert "/calendar/posts/" in page.url

    # The report page and its PDF.
    report = ClientReport.objects.get(workspace=ctx.workspace, title=DEMO_REPORT_TITLE)
    page.goto(f"/w/{slug}/reports/")
    page.get_by_role("link", name=DEMO_REPORT_TITLE).click()
    page.wait_for_selector("[data-testid=chart-posts] svg rect")
    screenshot(page, "client-report")
    pdf_url = page.get_by_test_id("report-pdf").get_attribute("href")
    answer = page.request.get(pdf_url)
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(answer.body())
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "100",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(tmp_path / "page1"),
        ],
        check=True,
    )
    first_page = tmp_path / "page1.png"
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert DEMO_REPORT_TITLE in " ".join(text.split())  # the title may wrap
    brand = tuple(int(DEMO_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
    assert _bar_columns(first_page, brand, min_run=20, below=0.15) >= 10  # the posts-per-day bars

    # Share with the client: works signed out, then not once revoked.
    page.get_by_test_id("share-form").get_by_role("button").click()
    url = page.get_by_test_id("share-url").first.input_value()
    client = browser.new_context(base_url=live_server.url)
    anonymous = client.new_page()
    shown = anonymous.goto(url)
    assert shown.status == 200
    assert anonymous.get_by_test_id("report-title").inner_text() == DEMO_REPORT_TITLE
    assert anonymous.locator("#kp-sidebar").count() == 0
    screenshot(anonymous, "client-report-shared")
    page.get_by_test_id("share-revoke").first.click()
    page.wait_for_selector("text=revoked")
    assert anonymous.goto(url).status == 404
    client.close()
    assert report.links.get().revoked_at is not None
