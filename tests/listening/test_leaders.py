"""Leaders (issue 11 item 8): ranking across inbox comments and mentions (activity, positivity, reach,
recency), the person page with their history, notes, "work with them" tasks (the assignee is notified),
merging handles by hand, REST, CSV, audit, tenant isolation."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse

from kopiena.audit.models import AuditEvent
from kopiena.connectors.types import AccountRef, ItemKind, RemoteItem
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.inbox.services import items_ingest
from kopiena.integrations.services import account_connect
from kopiena.listening import leaders as lead
from kopiena.listening.models import (
    AuthorStat,
    ListeningSource,
    Mention,
    Person,
    PersonHandle,
    PersonTask,
    SourceKind,
)
from kopiena.publishing.models import Notification
from kopiena.teams.models import Role

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


@pytest.fixture
def heard(owner_access, workspace):
    """ilze comments three times on Mastodon; janis mentions the brand once in a feed (10k followers);
    anna was heard a year ago."""
    account = account_connect(access=owner_access, platform="mastodon", name="Kafija", base_url="https://social.example",
                              credentials={"access_token": "t"}, external_id="100")  # fmt: skip
    texts = ["Paldies, lieliska kafija!", "Kad atvērsiet jauno kafejnīcu?", "Super, garšīgi!"]
    items_ingest(account=account, remote_items=[
        RemoteItem(external_id=f"c{n}", kind=ItemKind.COMMENT, text=text, created_at=now() - timedelta(hours=n),
                   author=AccountRef(id="1", handle="ilze", name="Ilze"), thread_id="p1", parent_id="p1")
        for n, text in enumerate(texts)
    ])  # fmt: skip
    source = ListeningSource.objects.create(workspace=workspace, kind=SourceKind.FEED, name="n",
                                            feed_url="https://n.example/f")  # fmt: skip
    Mention.objects.create(workspace=workspace, source=source, external_id="m1", platform="rss", author_handle="janis",
                           text="Kafijas Grauzdētava ir laba", sentiment="positive", published_at=now(),
                           fetched_at=now())  # fmt: skip
    AuthorStat.objects.create(workspace=workspace, platform="rss", handle="janis", name="Jānis", followers=10000,
                              mentions=1, positive=1, first_seen_at=now(), last_seen_at=now())  # fmt: skip
    AuthorStat.objects.create(workspace=workspace, platform="rss", handle="anna", mentions=1,
                              first_seen_at=now() - timedelta(days=400), last_seen_at=now() - timedelta(days=400))  # fmt: skip
    return account


def test_ranking_combines_comments_and_mentions(workspace, heard):
    ranked = lead.leaders_ranked(workspace=workspace)
    assert [x.handle for x in ranked] == ["ilze", "janis"]  # anna: outside the year
    ilze, janis = ranked
    assert ilze.comments == 3 and ilze.activity == 3 and ilze.positivity >= 0
    assert janis.mentions == 1 and janis.followers == 10000 and janis.positivity == 1.0
    assert ilze.score > janis.score


def test_merge_counts_a_person_once_and_moves_notes(owner_access, workspace, heard):
    ilze = lead.person_ensure(access=owner_access, platform="mastodon", handle="ilze", display_name="Ilze B.")
    assert lead.person_ensure(access=owner_access, platform="mastodon", handle="ILZE").pk == ilze.pk
    janis = lead.person_ensure(access=owner_access, platform="rss", handle="janis")
    lead.person_note_add(access=owner_access, person_id=janis.pk, body="Writes a coffee blog")
    with pytest.raises(DomainError):
        lead.person_merge(access=owner_access, person_id=ilze.pk, other_id=ilze.pk)
    lead.person_handle_add(access=owner_access, person_id=ilze.pk, platform="rss", handle="janis")
    assert not Person.objects.filter(pk=janis.pk).exists()
    assert PersonHandle.objects.filter(person=ilze).count() == 2
    assert ilze.notes.get().body == "Writes a coffee blog"
    ranked = lead.leaders_ranked(workspace=workspace)
    assert len(ranked) == 1 and ranked[0].name == "Ilze B." and ranked[0].activity == 4
    assert ranked[0].followers == 10000 and len(ranked[0].handles) == 2
    history = lead.person_history(workspace=workspace, handles=[(p, h) for p, h in ranked[0].handles])
    assert {row["kind"] for row in history} == {"item", "mention"} and len(history) == 4
    assert AuditEvent.objects.filter(action="listening.person_merge").exists()


def test_task_notifies_the_assignee_and_only_members(owner_access, workspace, other_workspace, member, heard):
    ilze = lead.person_ensure(access=owner_access, platform="mastodon", handle="ilze")
    manager = member(Role.MANAGER)
    stranger = other_workspace.memberships.get().user
    with pytest.raises(DomainError):
        lead.person_task_create(access=owner_access, person_id=ilze.pk, title="Invite", assignee_id=stranger.pk,
                                due_date=date.today())  # fmt: skip
    task = lead.person_task_create(access=owner_access, person_id=ilze.pk, title="Invite her to a cupping",
                                   assignee_id=manager.pk, due_date=date.today() + timedelta(days=7))  # fmt: skip
    note = Notification.objects.get(recipient=manager)
    assert "Invite her to a cupping" in note.body
    lead.person_task_done(access=owner_access, task_id=task.pk)
    assert PersonTask.objects.get().done


def test_pages(owner, owner_access, workspace, login, heard, member):
    client = login(owner)
    page = client.get(reverse("listening_leaders", kwargs={"ws": workspace.slug}))
    assert page.status_code == 200 and 'data-testid="leaders"' in page.text and "ilze" in page.text
    handle_url = reverse(
        "listening_handle", kwargs={"ws": workspace.slug, "platform": "mastodon", "handle": "ilze"}
    )
    page = client.get(handle_url)
    assert page.status_code == 200 and "Paldies, lieliska kafija!" in page.text
    assert (
        client.get(
            reverse("listening_handle", kwargs={"ws": workspace.slug, "platform": "x", "handle": "nobody"})
        ).status_code
        == 404
    )
    manager = member(Role.MANAGER)
    response = client.post(reverse("listening_person_task", kwargs={"ws": workspace.slug}), {
        "platform": "mastodon", "handle": "ilze", "title": "Send beans", "assignee": manager.pk,
        "due_date": date.today().isoformat(),
    })  # fmt: skip
    person = Person.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/people/{person.pk}/")
    assert client.get(handle_url).status_code == 302  # the handle now has a person
    page = client.get(response["Location"])
    assert "Send beans" in page.text


def test_rest_csv_and_isolation(owner, owner_access, workspace, other_workspace, api_client, heard):
    client = api_client(owner, workspace)
    rows = client.get("/listening/insights/leaders").json()
    assert rows[0]["handle"] == "ilze" and rows[0]["comments"] == 3
    made = client.request(
        "POST",
        "/listening/insights/people",
        {"platform": "rss", "handle": "janis", "display_name": "=HYPERLINK(1)"},
    ).json()
    assert (
        client.request("POST", f"/listening/insights/people/{made['id']}/notes", {"body": "=cmd"}).status_code
        == 201
    )
    exported = client.get("/listening/insights/leaders.csv")
    table = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode().lstrip("\ufeff"))))
    assert table[0][:2] == ["platform", "handle"]
    names = [row[3] for row in table[1:]]
    assert "'=HYPERLINK(1)" in names
    outsider = api_client(other_workspace.memberships.get().user, other_workspace)
    assert outsider.get(f"/listening/insights/people/{made['id']}").status_code == 404
    assert (
        outsider.request("POST", f"/listening/insights/people/{made['id']}/notes", {"body": "x"}).status_code
        == 404
    )
    assert outsider.get("/listening/insights/leaders").json() == []


def test_pages_speak_latvian_and_russian(owner, workspace, login, heard, settings):
    client = login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "lv"
    page = client.get(reverse("listening_leaders", kwargs={"ws": workspace.slug})).text
    assert "Pozitīvums" in page and "Konkurenti" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(reverse("listening_competitors", kwargs={"ws": workspace.slug})).text
    assert "Вы пока не отслеживаете конкурентов" in page and "Тренды" in page
