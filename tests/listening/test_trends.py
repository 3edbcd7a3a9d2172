"""Trends (issue 11 item 7): rising topics, hashtags and words in mentions and inbox comments against the
previous period, with example texts; "make it a post idea" makes a draft whose origin is recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from kopiena.audit.models import AuditEvent
from kopiena.connectors.types import AccountRef, ItemKind, RemoteItem
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.inbox.services import items_ingest
from kopiena.integrations.services import account_connect
from kopiena.listening import trends
from kopiena.listening.models import ListeningSource, Mention, SourceKind, TrendIdea
from kopiena.publishing.models import Post, PostState

pytestmark = pytest.mark.django_db

NOW_TEXTS = [
    "Auzu piens latte ir lielisks #auzupiens",
    "Vai jums ir auzu piens latte? #auzupiens",
    "Auzu piens latte katru rītu #auzupiens",
    "Gribu auzu piens latte līdzņemšanai",
    "Kur nopirkt kafijas pupiņas Rīgā?",
    "Kafijas pupiņas dāvanā, iesakiet",
]
BEFORE_TEXTS = ["Kafijas pupiņas Rīgā dārgas", "Kafijas pupiņas no Etiopijas", "Laba kafija"]


@pytest.fixture
def texts(owner_access, workspace):
    source = ListeningSource.objects.create(workspace=workspace, kind=SourceKind.FEED, name="n",
                                            feed_url="https://n.example/f")  # fmt: skip
    for n, text in enumerate(NOW_TEXTS[:4]):
        Mention.objects.create(workspace=workspace, source=source, external_id=f"now{n}", platform="rss",
                               text=text, sentiment="positive", published_at=now() - timedelta(days=1, minutes=n),
                               fetched_at=now())  # fmt: skip
    for n, text in enumerate(BEFORE_TEXTS):
        Mention.objects.create(workspace=workspace, source=source, external_id=f"old{n}", platform="rss",
                               text=text, sentiment="neutral", published_at=now() - timedelta(days=9, minutes=n),
                               fetched_at=now())  # fmt: skip
    account = account_connect(access=owner_access, platform="mastodon", name="Kafija", base_url="https://social.example",
                              credentials={"access_token": "t"}, external_id="100")  # fmt: skip
    items_ingest(account=account, remote_items=[
        RemoteItem(external_id=f"c{n}", kind=ItemKind.COMMENT, text=text, created_at=now() - timedelta(hours=n + 1),
                   author=AccountRef(id=str(n), handle=f"p{n}", name=f"P{n}"), thread_id="p1", parent_id="p1")
        for n, text in enumerate(NOW_TEXTS[4:])
    ])  # fmt: skip
    return account


def test_rising_hashtags_words_and_topics_against_the_previous_period(workspace, texts):
    found = trends.trends_find(workspace=workspace, days=7)
    assert found["texts"] == 6 and found["previous_texts"] == 3
    hashtags = {t.label: t for t in found["hashtags"]}
    assert hashtags["#auzupiens"].count == 3 and hashtags["#auzupiens"].previous == 0
    assert hashtags["#auzupiens"].examples
    words = {t.label: t for t in found["terms"]}
    assert words["latte"].count == 4 and words["latte"].growth == 4.0
    # "pupiņas" (2 before, 2 now, both from inbox comments) is not rising.
    assert "pupiņas" not in words
    assert found["topics"], "find_topics groups the period's texts"
    assert all(t.examples for t in found["topics"])


def test_post_idea_is_a_draft_that_records_its_origin(owner_access, workspace, texts, member):
    idea = trends.trend_post_idea_create(access=owner_access, label="#auzupiens", terms=["auzupiens"],
                                         examples=["Auzu piens latte ir lielisks"], days=7, kind="hashtag")  # fmt: skip
    post = Post.objects.get()
    assert post.state == PostState.DRAFT and idea.post == post and "#auzupiens" in post.text
    assert post.variants.count() == 1
    assert TrendIdea.objects.get().examples == ["Auzu piens latte ir lielisks"]
    event = AuditEvent.objects.get(action="listening.trend_post_idea")
    assert event.after["trend"] == "#auzupiens"
    with pytest.raises(DomainError):
        trends.trend_post_idea_create(access=owner_access, label=" ")


def test_no_account_no_draft(owner_access, workspace):
    with pytest.raises(DomainError):
        trends.trend_post_idea_create(access=owner_access, label="x")
    assert not Post.objects.exists()


def test_page_and_one_click(owner, workspace, login, texts):
    client = login(owner)
    page = client.get(reverse("listening_trends", kwargs={"ws": workspace.slug}) + "?days=7")
    assert page.status_code == 200 and "#auzupiens" in page.text and "Auzu piens latte" in page.text
    response = client.post(reverse("listening_trend_idea", kwargs={"ws": workspace.slug}),
                           {"label": "#auzupiens", "kind": "hashtag", "terms": ["auzupiens"], "days": "7"})  # fmt: skip
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/calendar/posts/{post.pk}/")


def test_empty_state(owner, workspace, login):
    page = login(owner).get(reverse("listening_trends", kwargs={"ws": workspace.slug}))
    assert page.status_code == 200 and 'data-testid="trends-empty"' in page.text


def test_the_page_reads_what_the_clock_computed(
    owner, workspace, login, texts, django_assert_max_num_queries
):
    assert trends.trends_refresh_active() == 1
    client = login(owner)
    url = reverse("listening_trends", kwargs={"ws": workspace.slug}) + "?days=7"
    Mention.objects.filter(workspace=workspace).update(text="Nekas jauns")  # not seen until the next refresh
    with django_assert_max_num_queries(12):  # no mention or item is read: the stored trends are shown
        page = client.get(url)
    assert "#auzupiens" in page.text and 'data-testid="trends-refresh"' in page.text
    assert "#auzupiens" not in client.get(url + "&refresh=1").text.replace("Auzu piens latte", "")


def test_stale_trends_are_computed_again(workspace, texts, settings):
    first = trends.trends_current(workspace=workspace, days=7)
    Mention.objects.filter(workspace=workspace).delete()
    assert trends.trends_current(workspace=workspace, days=7) == first  # fresh: the stored answer
    stale = first | {"computed_at": first["computed_at"] - timedelta(seconds=trends.FRESH_SECONDS + 1)}
    trends.cache.set(trends._cache_key(workspace.pk, 7), stale)
    assert trends.trends_current(workspace=workspace, days=7)["previous_texts"] == 0
