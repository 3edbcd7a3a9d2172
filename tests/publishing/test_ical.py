"""iCal feeds: secret URL (hash stored), per workspace and per account, revoke and regenerate, 404s."""

from __future__ import annotations

import icalendar
import pytest
from django.urls import reverse

from kopiena.audit.models import AuditEvent
from kopiena.publishing.ical import (
    CalendarFeed,
    calendar_feed_create,
    calendar_feed_regenerate,
    calendar_feed_revoke,
)
from kopiena.publishing.services import post_create, post_schedule
from kopiena.teams.models import Role, hash_token

from .conftest import daytime


@pytest.fixture
def accounts(make_account):
    return [
        make_account("Mastodon", approval_required=False),
        make_account("Bluesky", approval_required=False),
    ]


@pytest.fixture
def plan(manager_access, accounts):
    """A scheduled post on each account, plus a draft (drafts are not in feeds)."""
    posts = []
    for n, account in enumerate(accounts):
        post = post_create(
            access=manager_access, account_ids=[account.pk], text=f"Plāns {account.name}\nOtrā rinda"
        )
        posts.append(post_schedule(access=manager_access, post_id=post.pk, at=daytime(2 + n, 12)))
    post_create(access=manager_access, account_ids=[accounts[0].pk], text="Melnraksts")
    return posts


def feed_url(workspace, token: str) -> str:
    return reverse("ical_feed", kwargs={"ws": workspace.slug, "token": token})


def events(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_workspace_feed_lists_the_plan_without_signing_in(client, workspace, manager_access, plan):
    feed, token = calendar_feed_create(access=manager_access)
    assert feed.token_hash == hash_token(token) and token not in str(CalendarFeed.objects.values_list())
    found = events(client.get(feed_url(workspace, token)))
    assert sorted(str(e["summary"]) for e in found) == ["Plāns Bluesky", "Plāns Mastodon"]
    first = next(e for e in found if str(e["summary"]) == "Plāns Mastodon")
    assert first.decoded("dtstart") == plan[0].scheduled_at
    assert str(first["uid"]).startswith(f"post-{plan[0].pk}@")
    assert CalendarFeed.objects.get().last_fetched_at is not None


def test_account_feed_has_only_that_account(client, workspace, manager_access, plan, accounts):
    _feed, token = calendar_feed_create(access=manager_access, account_id=accounts[1].pk)
    assert [str(e["summary"]) for e in events(client.get(feed_url(workspace, token)))] == ["Plāns Bluesky"]


def test_revoke_and_regenerate(client, workspace, manager_access, plan):
    feed, token = calendar_feed_create(access=manager_access)
    feed, new_token = calendar_feed_regenerate(access=manager_access, feed_id=feed.pk)
    assert client.get(feed_url(workspace, token)).status_code == 404
    assert client.get(feed_url(workspace, new_token)).status_code == 200
    calendar_feed_revoke(access=manager_access, feed_id=feed.pk)
    assert client.get(feed_url(workspace, new_token)).status_code == 404
    actions = set(
        AuditEvent.objects.filter(action__startswith="calendar_feed.").values_list("action", flat=True)
    )
    assert actions == {"calendar_feed.create", "calendar_feed.regenerate", "calendar_feed.revoke"}


def test_token_under_another_workspace_or_unknown_is_404(
    client, workspace, other_workspace, manager_access, plan
):
    _feed, token = calendar_feed_create(access=manager_access)
    assert client.get(feed_url(other_workspace, token)).status_code == 404
    assert client.get(feed_url(workspace, "not-a-token")).status_code == 404


def test_feeds_page_creates_shows_once_and_revokes(member, login, workspace, plan):
    manager = login(member(Role.MANAGER))
    page = manager.post(
        reverse("calendar_feeds", kwargs={"ws": workspace.slug}), {"action": "create", "account": ""}
    )
    html = page.content.decode()
    url = html.split('data-testid="feed-url"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert f"/w/{workspace.slug}/calendar/feeds/" in url
    assert url not in manager.get(reverse("calendar_feeds", kwargs={"ws": workspace.slug})).content.decode()
    feed = CalendarFeed.objects.get()
    manager.post(
        reverse("calendar_feeds", kwargs={"ws": workspace.slug}), {"action": "revoke", "feed": feed.pk}
    )
    assert CalendarFeed.objects.get().revoked_at is not None


def test_contributors_cannot_create_feeds(member, login, workspace):
    contributor = login(member(Role.CONTRIBUTOR))
    response = contributor.post(
        reverse("calendar_feeds", kwargs={"ws": workspace.slug}), {"action": "create"}
    )
    assert response.status_code == 403
    assert not CalendarFeed.objects.exists()
