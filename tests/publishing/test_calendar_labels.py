"""Issue 16 item 5: what the calendar's JSON gives each post so a month cell stays readable — the first
words, and per account an avatar (initials, a colour) with the platform's icon."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from kopiena.publishing.calendar_labels import GENERIC_ICON, account_badge, initials, short_title
from kopiena.publishing.services import post_create, post_schedule

from .conftest import daytime


def test_short_title_keeps_the_first_words_at_a_word_boundary():
    assert short_title("Jaunā Etiopijas kafija ir klāt mūsu grauzdētavā") == "Jaunā Etiopijas kafija ir…"
    assert short_title("Labrīt!") == "Labrīt!"
    assert short_title("Kafija, tēja, kakao, piens.", words=2) == "Kafija, tēja…"  # no trailing comma
    assert short_title("Supercalifragilisticexpialidocious-kafija", chars=10) == "Supercali…"
    assert short_title("") == ""
    assert len(short_title("vārds " * 50)) <= 27


def test_initials_and_badges():
    assert initials("Kafija LV") == "KL"
    assert initials("rigas_grauzdetava") == "RG"
    assert initials("") == "?"
    badge = account_badge(account_id=3, name="Kafija LV", platform="mastodon")
    assert badge["icon"] == "bi-mastodon" and badge["platform"] == "Mastodon" and badge["initials"] == "KL"
    assert badge["colour"].startswith("#")
    assert account_badge(account_id=3, name="Kafija LV", platform="mastodon") == badge  # stable colour
    assert account_badge(account_id=4, name="X", platform="x")["icon"] == "bi-twitter-x"
    assert account_badge(account_id=5, name="VK", platform="vk")["icon"] == GENERIC_ICON


@pytest.mark.django_db
def test_calendar_events_carry_short_titles_and_account_badges(
    member, login, workspace, manager_access, make_account
):
    account = make_account("Kafija LV", approval_required=False)
    post = post_create(
        access=manager_access,
        account_ids=[account.pk],
        text="Jaunā Etiopijas kafija ir klāt mūsu grauzdētavā",
    )
    post_schedule(access=manager_access, post_id=post.pk, at=daytime(2, 12))
    start = daytime(0, 0).date()
    response = login(member("manager")).get(
        reverse("calendar_events", kwargs={"ws": workspace.slug}),
        {"start": start.isoformat(), "end": (start + timedelta(days=7)).isoformat()},
    )
    [event] = json.loads(response.content)
    props = event["extendedProps"]
    assert event["title"] == "Jaunā Etiopijas kafija ir klāt mūsu grauzdētavā"  # the tooltip and week view
    assert props["shortTitle"] == "Jaunā Etiopijas kafija ir…"
    [badge] = props["accountBadges"]
    assert (
        badge["name"] == "Kafija LV" and badge["initials"] == "KL" and badge["icon"] == GENERIC_ICON
    )  # fake
    assert props["accounts"] == ["Kafija LV"]
    assert event["start"].endswith("T12:00:00")  # workspace wall clock, no offset


@pytest.mark.django_db
def test_the_calendar_page_names_the_workspace_zone_for_now(member, login, workspace, make_account):
    make_account("Kafija LV")
    page = login(member("manager")).get(reverse("calendar", kwargs={"ws": workspace.slug})).text
    # calendar.js works out "now" in this zone (Intl), not in the browser's
    assert '"timeZone": "Europe/Riga"' in page
