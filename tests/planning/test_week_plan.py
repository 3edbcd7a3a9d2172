"""C9: next week's plan and the to-do list that closes its gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse

from kopiena.planning.selectors import next_week_start, week_plan
from kopiena.publishing.models import Post, PostState
from kopiena.publishing.queues import queue_slot_add
from kopiena.publishing.services import post_approve, post_create, post_submit
from tests.api.conftest import api_client  # noqa: F401 - the shared fixture

RIGA = ZoneInfo("Europe/Riga")
MONDAY = date(2027, 3, 1)  # weeks are given explicitly: the test does not depend on today


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=RIGA).astimezone(UTC)


def _planned(access, account, at: datetime, *, theme: str = "", state=PostState.SCHEDULED) -> Post:
    post = post_create(access=access, account_ids=[account.pk], text=f"Plāns {at:%a %H:%M}", theme=theme)
    Post.objects.filter(pk=post.pk).update(scheduled_at=at, state=state)
    return post


def test_empty_slots_quiet_accounts_and_themes_make_the_to_do_list(manager_access, make_account):
    queued = make_account("Mastodon", approval_required=False)
    make_account("Bluesky", approval_required=False)
    for weekday in (0, 2):  # Monday and Wednesday at 09:00
        queue_slot_add(access=manager_access, account_id=queued.pk, weekday=weekday, local_time=time(9, 0))
    _planned(manager_access, queued, _at(MONDAY, 9), theme="Motivation Monday")
    _planned(manager_access, queued, _at(MONDAY + timedelta(days=3), 14))  # Thursday, no theme
    _planned(manager_access, queued, _at(MONDAY + timedelta(days=7), 9))  # the following week
    _planned(manager_access, queued, _at(MONDAY + timedelta(days=2), 12), state=PostState.CANCELLED)

    plan = week_plan(access=manager_access, start=MONDAY + timedelta(days=3))  # any day picks its week
    assert plan.start == MONDAY and plan.end == MONDAY + timedelta(days=6)
    weeks = {w.account.name: w for w in plan.accounts}
    assert weeks["Mastodon"].planned == 2
    assert [(d.day.weekday(), d.empty_slots) for d in weeks["Mastodon"].days if d.empty_slots] == [
        (2, [time(9, 0)])
    ]
    assert (weeks["Mastodon"].gaps, weeks["Bluesky"].gaps) == (1, 1)  # Bluesky: no slots, nothing planned
    monday_post = weeks["Mastodon"].days[0].posts[0]
    assert monday_post.at.hour == 9 and monday_post.colour.startswith("#")

    missing = {h.day.weekday() for h in plan.missing_themes}
    assert 0 not in missing  # Monday's post carries Motivation Monday
    assert missing == {1, 2, 3, 4, 5, 6}  # the default policy has a theme for every other day
    # Two text posts against the default targets: the mix drifts (text 100 % against 10 %, photo 0 % …).
    drifts = {d.content_type: (d.planned_percent, d.target_percent) for d in plan.mix_drifts}
    assert drifts["text"] == (100.0, 10) and drifts["photo"][0] == 0.0
    assert plan.todo_count == plan.gaps + len(plan.missing_themes) + len(plan.mix_drifts)


def test_a_theme_in_another_language_counts_and_waiting_posts_are_listed(
    manager_access, contributor_access, make_account
):
    account = make_account("Mastodon", approval_required=True)
    _planned(manager_access, account, _at(MONDAY + timedelta(days=1), 10), theme="otrdienas padoms")
    waiting = post_create(access=contributor_access, account_ids=[account.pk], text="Melnraksts")
    post_submit(access=contributor_access, post_id=waiting.pk)
    approved = post_create(access=manager_access, account_ids=[account.pk], text="Gatavs")
    post_approve(access=manager_access, post_id=approved.pk)

    plan = week_plan(access=manager_access, start=MONDAY)
    assert 1 not in {h.day.weekday() for h in plan.missing_themes}  # "Tuesday tip" in Latvian
    assert (plan.in_review, plan.approved_unscheduled) == (1, 1)


def test_the_page_shows_the_week_and_links_each_gap_to_the_composer(
    manager_access, make_account, login, workspace
):
    account = make_account("Mastodon", approval_required=False)
    queue_slot_add(access=manager_access, account_id=account.pk, weekday=4, local_time=time(18, 30))
    _planned(manager_access, account, _at(MONDAY, 9), theme="<b>Motivation Monday</b>")
    client = login(manager_access.user)
    url = reverse("week_plan", kwargs={"ws": workspace.slug})

    page = client.get(url, {"week": MONDAY.isoformat()}).text
    assert "18:30" in page and f"?account={account.pk}" in page  # Friday's empty slot → composer
    assert 'data-kp-todo="slot"' in page and 'data-kp-todo="theme"' in page
    assert f"?week={(MONDAY - timedelta(days=7)).isoformat()}" in page
    assert "<b>Motivation Monday</b>" not in page  # a post's text and theme are shown as text

    assert client.get(url, {"week": "not-a-date"}).status_code == 200  # falls back to next week
    composer = client.get(reverse("post_new", kwargs={"ws": workspace.slug}), {"theme": "Follow Friday"})
    assert 'value="Follow Friday"' in composer.text


def test_next_week_starts_on_the_coming_monday():
    assert next_week_start(RIGA, date(2027, 3, 3)) == date(2027, 3, 8)  # from a Wednesday
    assert next_week_start(RIGA, date(2027, 3, 7)) == date(2027, 3, 8)  # from a Sunday
    assert next_week_start(RIGA, date(2027, 3, 8)) == date(2027, 3, 15)  # a Monday looks a week ahead


def test_the_api_lists_the_same_gaps(manager_access, make_account, api_client, workspace):  # noqa: F811
    account = make_account("Mastodon", approval_required=False)
    queue_slot_add(access=manager_access, account_id=account.pk, weekday=2, local_time=time(9, 0))
    quiet = make_account("Bluesky", approval_required=False)
    body = api_client(manager_access.user, workspace).get("/planning/week?week=2027-03-03").json()
    assert body["start"] == "2027-03-01"
    assert {(g["account_id"], g["day"], g["slot"]) for g in body["gaps"]} == {
        (account.pk, "2027-03-03", "09:00"),
        (quiet.pk, "2027-03-01", None),
    }
    assert len(body["missing_themes"]) == 7 and body["todo_count"] >= 9
