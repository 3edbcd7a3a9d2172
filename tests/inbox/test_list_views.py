"""The inbox list (M2): the views teams work from, sorted by the answer's deadline, filters, full-text
search in en/lv/ru on SQLite (FTS5) and PostgreSQL, keyset pagination, and the htmx refresh."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kopiena.connectors.types import ItemKind as RemoteKind
from kopiena.core.clock import now
from kopiena.inbox.models import Thread, ThreadStatus
from kopiena.inbox.selectors import InboxFilter, threads_for, threads_page
from kopiena.inbox.services import items_ingest
from kopiena.integrations.services import account_connect
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.inbox.conftest import remote

pytestmark = pytest.mark.django_db


def _ids(access, **filters):
    return {t.root_external_id for t in threads_for(access=access, filters=InboxFilter(**filters))}


@pytest.fixture
def inbox(account, member, workspace):
    """A small inbox: a question, a complaint, a mention, a DM, a closed thread, one each overdue/soon."""
    items_ingest(
        account=account,
        remote_items=[
            remote("q1", "Kad atvērsiet jauno kafejnīcu?", author="a1"),
            remote("n1", "Kafija bija auksta un pretīga, ļoti slikti.", author="a2", post="p2"),
            remote(
                "m1",
                "Say hi to @kafija, the best coffee in Riga",
                kind=RemoteKind.MENTION,
                author="a3",
                post="",
            ),
            remote(
                "d1", "Привет! Есть ли у вас овсяное молоко?", kind=RemoteKind.MESSAGE, author="a4", post=""
            ),
            remote("c1", "Paldies par kafiju!", author="a5", post="p3"),
        ],
    )
    moderator = member(Role.MODERATOR)
    at = now()
    Thread.objects.filter(root_external_id="c1").update(status=ThreadStatus.CLOSED, response_due_at=None)
    Thread.objects.filter(root_external_id="q1").update(response_due_at=at - timedelta(minutes=5))
    Thread.objects.filter(root_external_id="n1").update(response_due_at=at + timedelta(minutes=30))
    Thread.objects.filter(root_external_id="m1").update(response_due_at=at + timedelta(hours=5))
    Thread.objects.filter(root_external_id="dm:a4").update(assignee=moderator, response_due_at=None)
    return moderator


def test_every_view_shows_what_its_name_says(inbox, owner_access, workspace):
    moderator_access = access_workspace(actor=inbox, slug=workspace.slug)
    assert _ids(owner_access) == {"q1", "n1", "m1", "dm:a4"}  # open: everything not closed
    assert _ids(owner_access, view="all") == {"q1", "n1", "m1", "dm:a4", "c1"}
    assert _ids(owner_access, view="closed") == {"c1"}
    assert _ids(moderator_access, view="mine") == {"dm:a4"}
    assert _ids(owner_access, view="unassigned") == {"q1", "n1", "m1"}
    assert _ids(owner_access, view="overdue") == {"q1"}
    assert _ids(owner_access, view="due_soon") == {"n1"}
    assert _ids(owner_access, view="negative") == {"n1"}
    assert _ids(owner_access, view="questions") >= {"q1"} and "m1" not in _ids(owner_access, view="questions")
    assert _ids(owner_access, view="mentions") == {"m1"}
    assert _ids(owner_access, view="dms") == {"dm:a4"}
    assert _ids(owner_access, view="non_followers") == {"q1", "n1", "m1", "dm:a4"}  # remote(): not followers
    routed = {
        t.root_external_id for t in Thread.objects.filter(assigned_role="moderator", assignee__isnull=True)
    }
    assert routed and _ids(moderator_access, view="role") == routed - {"c1"}


def test_sorted_by_deadline_and_filters_combine(inbox, owner_access, account):
    order = [t.root_external_id for t in threads_for(access=owner_access)]
    assert order == ["q1", "n1", "m1", "dm:a4"]  # the earliest deadline first; nothing owed last
    assert _ids(owner_access, intent="question") >= {"q1"}
    assert _ids(owner_access, assignee=inbox.pk) == {"dm:a4"}
    assert _ids(owner_access, account=account.pk + 999) == set()
    assert _ids(owner_access, language="ru") == {"dm:a4"}
    assert _ids(owner_access, sentiment="negative", view="all") == {"n1"}


@pytest.fixture(params=["by_matches", "thread_by_thread"])
def search_way(request, monkeypatch):
    """Both ways a search runs: a rare word by its list of matches, a common one thread by thread."""
    from kopiena.inbox import selectors

    monkeypatch.setattr(selectors, "COMMON_WORD_MATCHES", 10**6 if request.param == "by_matches" else 0)
    return request.param


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("kafejnīcu", {"q1"}),  # lv
        ("KAFEJNĪCU jauno", {"q1"}),  # any case, every word must match
        ("молоко", {"dm:a4"}),  # ru
        ("coffee riga", {"m1"}),  # en
        ("kafija pretīga", {"n1"}),
        ("tea", set()),
        ("%_'\";--", set()),  # punctuation only: nothing, and no error
    ],
)
def test_full_text_search_in_three_languages(inbox, owner_access, words, found, search_way):
    assert _ids(owner_access, view="all", q=words) == found


def test_search_never_crosses_workspaces(inbox, other_workspace, owner_access, search_way):
    stranger = access_workspace(actor=other_workspace.memberships.get().user, slug=other_workspace.slug)
    foreign = account_connect(
        access=stranger,
        platform="mastodon",
        name="Other",
        credentials={"access_token": "tok-other"},
        base_url="https://other.example",
        external_id="7",
    )
    items_ingest(account=foreign, remote_items=[remote("z1", "Kad atvērsiet jauno kafejnīcu?")])
    assert _ids(stranger, view="all", q="kafejnīcu") == {"z1"}
    assert _ids(owner_access, view="all", q="kafejnīcu") == {"q1"}


def test_keyset_pages_cover_every_thread_once_in_order(account, owner_access):
    items_ingest(
        account=account, remote_items=[remote(f"k{i}", f"Jautājums {i}?", post=f"p{i}") for i in range(9)]
    )
    at = now()
    for i, thread in enumerate(Thread.objects.order_by("pk")):
        # Two share a deadline (the id breaks the tie); three owe nothing and come last.
        due = None if i >= 6 else at + timedelta(minutes=10 * (i // 2 if i < 4 else i))
        Thread.objects.filter(pk=thread.pk).update(response_due_at=due)
    expected = [t.pk for t in threads_for(access=owner_access, filters=InboxFilter(view="all"))]
    seen, cursor, pages = [], "", 0
    while True:
        page = threads_page(access=owner_access, filters=InboxFilter(view="all"), cursor=cursor, size=2)
        seen += [t.pk for t in page.threads]
        pages += 1
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == expected and len(seen) == 9 and pages == 5
    assert threads_page(access=owner_access, cursor="garbage", size=2).threads  # a bad cursor: from the start


def test_the_list_page_has_every_view_and_refreshes_itself(inbox, login, owner, workspace):
    client = login(owner)
    html = client.get(f"/w/{workspace.slug}/inbox/?view=overdue").text
    for label in ("My role&#x27;s queue", "Due soon", "Non-followers", "Direct messages", "Questions"):
        assert label in html
    assert 'hx-trigger="every 30s"' in html and "partial=1" in html
    assert "kafejnīcu" in html and "Paldies par kafiju" not in html
    items_ingest(
        account=Thread.objects.get(root_external_id="q1").account,
        remote_items=[remote("new1", "Vai jums ir bezlaktozes piens?", post="p9")],
    )
    Thread.objects.filter(root_external_id="new1").update(response_due_at=now() - timedelta(minutes=1))
    partial = client.get(f"/w/{workspace.slug}/inbox/?view=overdue&partial=1").text
    assert "bezlaktozes" in partial and "<html" not in partial and 'id="kp-inbox-list-wrap"' in partial
    assert client.get(f"/w/{workspace.slug}/inbox/?view=nope&q=kafejn%C4%ABcu").status_code == 200
    deep = client.get(f"/w/{workspace.slug}/inbox/?after=d1.1").text
    assert "hx-trigger" not in deep  # only the first page refreshes itself


def test_bulk_assign_and_resolve_and_another_workspaces_thread_is_a_404_with_nothing_changed(
    inbox, login, owner, workspace, other_workspace
):
    stranger = access_workspace(actor=other_workspace.memberships.get().user, slug=other_workspace.slug)
    foreign = account_connect(
        access=stranger,
        platform="mastodon",
        name="Other",
        credentials={"access_token": "tok-other"},
        base_url="https://other.example",
        external_id="7",
    )
    items_ingest(account=foreign, remote_items=[remote("z1", "Sveiki!")])
    theirs = Thread.objects.get(root_external_id="z1")
    mine = [Thread.objects.get(root_external_id=r).pk for r in ("q1", "n1")]
    client = login(owner)
    url = f"/w/{workspace.slug}/inbox/bulk/"
    response = client.post(url, {"thread": [*mine, theirs.pk], "action": "assign", "assignee": "me"})
    assert response.status_code == 404
    assert not Thread.objects.filter(assignee=owner).exists()
    assert client.post(url, {"thread": ["x"], "action": "assign"}).status_code == 404

    client.post(url, {"thread": mine, "action": "assign", "assignee": "me"})
    assert set(Thread.objects.filter(assignee=owner).values_list("pk", flat=True)) == set(mine)
    client.post(url, {"thread": mine, "action": "resolve", "resolution": "resolved", "reason": ""})
    assert not Thread.objects.filter(pk__in=mine, status=ThreadStatus.CLOSED).exists()  # a reason is needed
    client.post(
        url, {"thread": mine, "action": "resolve", "resolution": "resolved", "reason": "Answered by phone"}
    )
    assert Thread.objects.filter(pk__in=mine, status=ThreadStatus.CLOSED).count() == 2
    theirs.refresh_from_db()
    assert theirs.status == ThreadStatus.OPEN and theirs.assignee is None


def test_the_language_filter_offers_the_workspaces_languages_only(inbox, owner_access, other_workspace):
    from kopiena.inbox.selectors import languages_in_inbox

    found = set(Thread.objects.filter(workspace=owner_access.workspace).values_list("language", flat=True))
    assert languages_in_inbox(access=owner_access) == sorted(found - {""})
    theirs = Thread.objects.first()
    theirs.pk, theirs.workspace, theirs.language, theirs.root_external_id = None, other_workspace, "de", "x"
    theirs.save()
    Thread.objects.filter(workspace=owner_access.workspace).update(language="")
    assert languages_in_inbox(access=owner_access) == []
