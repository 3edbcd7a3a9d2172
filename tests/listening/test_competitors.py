"""Competitors (issue 11 item 6): tracking, their feed fetched on the clock against a local feed server
(stored once, engagement snapshots appended only on change, failures recorded with backoff), the page's
comparisons (weekly posts vs ours, cadence and mix, share of voice), REST, CSV, audit, tenant isolation."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from kopiena.audit.models import AuditEvent, PendingAuditEvent
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.listening import competitors as comp
from kopiena.listening.models import (
    CompetitorAccount,
    CompetitorEngagement,
    CompetitorPost,
    ListeningSource,
    Mention,
    SourceKind,
)
from kopiena.teams.models import Role
from tests.listening.conftest import NOW, rss

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client():
    from kopiena.teams.selectors import access_workspace
    from kopiena.teams.services import api_token_create
    from tests.api.conftest import TokenClient

    def make(user, workspace) -> TokenClient:
        _, raw = api_token_create(access=access_workspace(actor=user, slug=workspace.slug), name="tests")
        return TokenClient(raw)

    return make


def _entries(n, start=0):
    return [
        {"title": f"Jaunā kafija {i}", "link": f"https://rival.example/p/{i}", "text": f"Mūsu jaunums {i}",
         "at": NOW - timedelta(days=i)}
        for i in range(start, start + n)
    ]  # fmt: skip


def test_create_validates_and_is_audited(owner_access, member, workspace):
    with pytest.raises(DomainError):
        comp.competitor_create(access=owner_access, name="  ")
    rival = comp.competitor_create(
        access=owner_access, name="Rival Roasters", aliases=["Rival", " rival ", ""]
    )
    assert rival.aliases == ["Rival"]
    with pytest.raises(DomainError):
        comp.competitor_create(access=owner_access, name="rival roasters")
    with pytest.raises(DomainError):
        comp.competitor_account_add(
            access=owner_access, competitor_id=rival.pk, platform="rss", feed_url="ftp://x"
        )
    assert AuditEvent.objects.filter(action="listening.competitor_create").count() == 1


def test_fetch_stores_each_post_once_and_failures_back_off(owner_access, feeds):
    rival = comp.competitor_create(access=owner_access, name="Rival")
    feeds.feeds["rival.xml"] = rss(_entries(3))
    account = comp.competitor_account_add(access=owner_access, competitor_id=rival.pk, platform="mastodon",
                                          handle="@rival", feed_url=feeds.url("/rival.xml"))  # fmt: skip
    assert account.handle == "rival"
    assert comp.competitors_fetch() == 3
    CompetitorAccount.objects.update(next_attempt_at=None)
    assert comp.competitors_fetch() == 0  # the same feed again: nothing new (304 or same ids)
    feeds.feeds["rival.xml"] = rss(_entries(4, start=-1))  # one newer entry
    CompetitorAccount.objects.update(next_attempt_at=None)
    assert comp.competitors_fetch() == 1
    assert CompetitorPost.objects.count() == 4
    assert set(CompetitorPost.objects.values_list("content_type", flat=True)) == {"link"}
    # A broken feed: recorded on the account with backoff; what was stored stays.
    feeds.feeds["rival.xml"] = b"\x00\x01<<<this is not &&& xml at all"
    CompetitorAccount.objects.update(next_attempt_at=None)
    assert comp.competitors_fetch() == 0
    account.refresh_from_db()
    assert account.last_error and account.consecutive_failures == 1
    assert account.next_attempt_at > now()
    assert CompetitorPost.objects.count() == 4


def test_engagement_snapshots_are_appended_only_on_change(owner_access):
    rival = comp.competitor_create(access=owner_access, name="Rival")
    account = comp.competitor_account_add(access=owner_access, competitor_id=rival.pk, platform="rss",
                                          feed_url="https://rival.example/feed")  # fmt: skip
    post = comp.CompetitorPostIn(external_id="1", published_at=now(), text="Hi", likes=3)
    assert comp.competitor_posts_store(account=account, posts=[post]) == 1
    assert comp.competitor_posts_store(account=account, posts=[post]) == 0
    assert CompetitorEngagement.objects.count() == 1
    more = comp.CompetitorPostIn(
        external_id="1", published_at=post.published_at, text="Hi", likes=5, shares=1
    )
    comp.competitor_posts_store(account=account, posts=[more])
    assert list(CompetitorEngagement.objects.values_list("likes", "shares")) == [(3, 0), (5, 1)]
    assert CompetitorPost.objects.get().engagement == 6


def test_comparisons_and_share_of_voice(owner_access, workspace):
    rival = comp.competitor_create(access=owner_access, name="Rival", aliases=["RivalCafe"])
    account = comp.competitor_account_add(access=owner_access, competitor_id=rival.pk, platform="rss",
                                          feed_url="https://rival.example/feed")  # fmt: skip
    comp.competitor_posts_store(account=account, posts=[
        comp.CompetitorPostIn(external_id=str(i), published_at=now() - timedelta(days=i), text="x", likes=i)
        for i in range(4)
    ])  # fmt: skip
    weekly = comp.weekly_comparison(workspace=workspace)
    assert sum(weekly["competitors"][0]["posts"]) == 4 and sum(weekly["competitors"][0]["engagement"]) == 6
    assert len(weekly["ours"]) == len(weekly["labels"])
    rows = comp.cadence_and_mix(workspace=workspace)
    assert rows[0]["ours"] and rows[1]["name"] == "Rival" and rows[1]["per_week"] == 1.0
    assert rows[1]["mix"][0]["share"] == 100
    source = ListeningSource.objects.create(workspace=workspace, kind=SourceKind.FEED, name="n",
                                            feed_url="https://n.example/f")  # fmt: skip
    for i, text in enumerate(["kafija pie rivalcafe", "mūsu kafija", "mūsu kafija labā", "Rival ir dārgs"]):
        Mention.objects.create(workspace=workspace, source=source, external_id=str(i), platform="rss",
                               text=text, published_at=now() - timedelta(hours=i), fetched_at=now())  # fmt: skip
    share = {row["name"]: row for row in comp.share_of_voice(workspace=workspace)}
    assert share["Rival"]["mentions"] == 2 and share["Rival"]["share"] == 50
    assert next(r for r in share.values() if r["ours"])["mentions"] == 2


def test_page_rest_csv_and_isolation(
    owner, owner_access, workspace, other_workspace, member, login, api_client
):
    page = login(owner).get(reverse("listening_competitors", kwargs={"ws": workspace.slug}))
    assert page.status_code == 200 and 'data-testid="competitors-empty"' in page.text
    assert 'data-testid="competitor-form"' in page.text
    analyst_page = login(member(Role.ANALYST)).get(
        reverse("listening_competitors", kwargs={"ws": workspace.slug})
    )
    assert analyst_page.status_code == 200 and 'data-testid="competitor-form"' not in analyst_page.text
    client = api_client(owner, workspace)
    made = client.request("POST", "/listening/insights/competitors", {
        "name": "Rival", "aliases": ["Rivāls"],
        "accounts": [{"platform": "mastodon", "handle": "rival", "feed_url": "https://rival.example/@rival.rss"}],
    })  # fmt: skip
    assert made.status_code == 201, made.content
    rival_id = made.json()["id"]
    account = CompetitorAccount.objects.get()
    comp.competitor_posts_store(account=account, posts=[
        comp.CompetitorPostIn(external_id="1", published_at=now(), text="=HYPERLINK(\"x\")", likes=2)
    ])  # fmt: skip
    assert client.get(f"/listening/insights/competitors/{rival_id}/posts").json()[0]["likes"] == 2
    exported = client.get("/listening/insights/competitors.csv")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode().lstrip("\ufeff"))))
    assert rows[1][0] == "Rival" and rows[1][5] == '\'=HYPERLINK("x")'
    assert (
        PendingAuditEvent.objects.filter(action="listening.competitors_export").exists()
        or AuditEvent.objects.filter(action="listening.competitors_export").exists()
    )
    page = login(owner).get(reverse("listening_competitors", kwargs={"ws": workspace.slug}))
    assert 'data-testid="competitor-posts"' in page.text and "kp-competitor-data" in page.text
    stranger = other_workspace.memberships.get().user
    outsider = api_client(stranger, other_workspace)
    assert outsider.get(f"/listening/insights/competitors/{rival_id}").status_code == 404
    assert outsider.get("/listening/insights/competitors").json() == []
    assert outsider.request("DELETE", f"/listening/insights/competitors/{rival_id}").status_code == 404
    analyst = api_client(member(Role.ANALYST), workspace)
    assert analyst.request("POST", "/listening/insights/competitors", {"name": "X"}).status_code == 403
    assert client.request("DELETE", f"/listening/insights/competitors/{rival_id}").status_code == 204
    assert AuditEvent.objects.filter(action="listening.competitor_delete").exists()


def test_demo_has_a_competitor_fed_by_the_sandbox_and_leaders(settings):
    from kopiena.core import demo
    from kopiena.listening.leaders import leaders_ranked
    from kopiena.listening.models import Competitor, Person
    from kopiena.sandbox import start_sandbox
    from kopiena.sandbox.competitor import FEED_PATH

    ctx = demo.demo_load()
    demo.demo_load()  # idempotent
    workspace = ctx.workspace
    competitor = Competitor.objects.get(workspace=workspace)
    backfill = CompetitorPost.objects.filter(competitor=competitor).count()
    assert (
        backfill > 25 and CompetitorEngagement.objects.filter(post__competitor=competitor).count() == backfill
    )
    assert sum(comp.weekly_comparison(workspace=workspace)["competitors"][0]["engagement"]) > 0
    assert leaders_ranked(workspace=workspace)
    share = {row["name"]: row["mentions"] for row in comp.share_of_voice(workspace=workspace)}
    assert share[competitor.name] >= 10  # the forum compares us with them
    person = Person.objects.get(workspace=workspace)
    assert person.notes.count() == 1 and person.tasks.count() == 1
    with start_sandbox(0) as sandbox:  # the sandbox serves the competitor's feed
        CompetitorAccount.objects.update(feed_url=sandbox.base_url + FEED_PATH, next_attempt_at=None)
        settings.OUTBOUND_ALLOW_PRIVATE = True
        assert comp.competitors_fetch() > 0
    account = CompetitorAccount.objects.get()
    assert account.last_error == "" and account.last_success_at is not None


def test_a_mastodon_account_is_read_through_the_api_with_engagement(owner_access, workspace, settings):
    from kopiena.integrations.services import account_connect
    from kopiena.sandbox import start_sandbox

    settings.OUTBOUND_ALLOW_PRIVATE = True  # the sandbox listens on 127.0.0.1
    rival = comp.competitor_create(access=owner_access, name="Rival")
    with pytest.raises(DomainError):  # RSS has no API for it: a feed address is needed
        comp.competitor_account_add(access=owner_access, competitor_id=rival.pk, platform="rss", handle="x",
                                    feed_url="")  # fmt: skip
    account = comp.competitor_account_add(access=owner_access, competitor_id=rival.pk, platform="mastodon",
                                          handle="@melnapupina", feed_url="")  # fmt: skip
    assert comp.competitors_fetch() == 0  # no connected Mastodon account yet: a clear error on the account
    account.refresh_from_db()
    assert "Connect an account" in account.last_error
    with start_sandbox(0) as sandbox:
        account_connect(access=owner_access, platform="mastodon", name="Kafija", base_url=sandbox.base_url,
                        credentials={"access_token": sandbox.access_token}, external_id="1")  # fmt: skip
        them = sandbox.add_person("melnapupina", "Melnā Pupiņa", "lv")
        fan = sandbox.add_person("fan", "Fan")
        status = sandbox.state.post(them.id, "Jaunā partija!")
        sandbox.state.favourite(fan.id, status.id)
        CompetitorAccount.objects.update(next_attempt_at=None)
        assert comp.competitors_fetch() == 1
        sandbox.state.reblog(fan.id, status.id)  # counts change: the next read appends a snapshot
        sandbox.state.post(them.id, "Latte art sestdien")
        CompetitorAccount.objects.update(next_attempt_at=None)
        assert comp.competitors_fetch() == 1
    account.refresh_from_db()
    assert account.last_error == "" and account.cursor
    post = CompetitorPost.objects.get(external_id=status.id)
    assert (post.likes, post.shares) == (1, 1)
    assert list(CompetitorEngagement.objects.filter(post=post).values_list("likes", "shares")) == [
        (1, 0),
        (1, 1),
    ]
