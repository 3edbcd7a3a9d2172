"""Issue 15 acceptance in a browser: open the planner on the demo, see the gap list and the days, propose
the week, accept it, and find the drafts in the calendar with their themes and holiday posts."""

from __future__ import annotations

import pytest

from kopiena.core import demo
from kopiena.planning.models import Proposal, ProposalStatus
from kopiena.publishing.models import Post, PostState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_propose_accept_and_find_the_week_in_the_calendar(logged_in_page, screenshot):
    ctx = demo.demo_load()
    slug = ctx.workspace.slug
    page = logged_in_page(ctx.owner)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/w/{slug}/calendar/week/")
    assert page.locator("#week-todo").is_visible()  # the gap list
    assert page.locator("[data-kp-day]").count() >= 7  # holidays, special days, name days, the event
    assert page.locator("[data-kp-day=observance]").count() >= 1

    page.get_by_test_id("generate-week").click()
    page.wait_for_selector("[data-kp-proposal=proposed]")
    proposed = page.locator("[data-kp-proposal=proposed]").count()
    assert proposed >= 1
    screenshot(page, "planning-proposed-week")
    page.get_by_test_id("accept-all").click()
    page.wait_for_selector("[data-kp-proposal=accepted]")
    assert page.locator("[data-kp-proposal=accepted]").count() == proposed

    drafts = list(Post.objects.filter(workspace=ctx.workspace, campaign="week-planner"))
    assert len(drafts) == proposed and {p.state for p in drafts} == {PostState.DRAFT}
    assert all(p.theme for p in drafts)
    kinds = set(Proposal.objects.filter(status=ProposalStatus.ACCEPTED).values_list("kind", flat=True))
    assert "holiday" in kinds

    first = min(drafts, key=lambda p: p.scheduled_at)
    page.goto(f"/w/{slug}/calendar/?week={first.scheduled_at.date().isoformat()}")
    page.wait_for_selector(f"[data-post-id='{first.pk}']", state="attached")
    page.wait_for_selector("[data-day]", state="attached")  # the days source shows in the calendar too
    screenshot(page, "planning-calendar")
    assert not errors
