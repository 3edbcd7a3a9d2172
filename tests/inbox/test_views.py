"""Inbox pages: roles, another workspace's thread is a 404, user text rendered as text, reply checks."""

from __future__ import annotations

import pytest

from kopiena.audit.models import AuditEvent
from kopiena.inbox.models import Item, Reply, Thread, ThreadStatus
from kopiena.inbox.services import items_ingest
from kopiena.integrations.services import account_connect
from kopiena.teams.models import Role
from tests.inbox.conftest import remote

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def thread(account):
    items_ingest(account=account, remote_items=[remote("c1", f"Kad būs kafija? {XSS}")])
    return Thread.objects.get()


def _url(workspace, suffix=""):
    return f"/w/{workspace.slug}/inbox/{suffix}"


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.MODERATOR, Role.CONTRIBUTOR, Role.ANALYST])
def test_every_role_reads_the_inbox_and_the_thread(login, member, workspace, thread, role):
    client = login(member(role))
    listing = client.get(_url(workspace))
    assert listing.status_code == 200
    page = client.get(_url(workspace, f"{thread.pk}/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert XSS not in html and "&lt;script&gt;" in html  # text, never markup
    assert ("Send answer" in html) == (role in (Role.OWNER, Role.MANAGER, Role.MODERATOR))


def test_readers_without_reply_rights_cannot_post(login, member, workspace, thread):
    client = login(member(Role.ANALYST))
    item = thread.items.get()
    assert client.post(_url(workspace, f"items/{item.pk}/reply/"), {"text": "Sveiki"}).status_code == 403
    assert client.post(_url(workspace, f"{thread.pk}/status/"), {"status": "closed"}).status_code == 403
    assert client.post(_url(workspace, f"{thread.pk}/assign/"), {"assignee": "me"}).status_code == 403
    assert not Reply.objects.exists()


def test_another_workspaces_thread_and_item_are_404(login, other_workspace, workspace, thread):
    stranger = other_workspace.memberships.get().user
    client = login(stranger)
    item = thread.items.get()
    assert client.get(_url(workspace)).status_code == 404
    assert client.get(f"/w/{other_workspace.slug}/inbox/{thread.pk}/").status_code == 404
    assert (
        client.post(f"/w/{other_workspace.slug}/inbox/items/{item.pk}/reply/", {"text": "x"}).status_code
        == 404
    )
    assert (
        client.post(f"/w/{other_workspace.slug}/inbox/{thread.pk}/status/", {"status": "closed"}).status_code
        == 404
    )


def test_the_list_filters_and_shows_an_empty_state(login, owner, workspace, thread):
    client = login(owner)
    assert "Kad būs kafija?" in client.get(_url(workspace)).content.decode()
    assert "Kad būs kafija?" not in client.get(_url(workspace) + "?view=closed").content.decode()
    assert "Kad būs kafija?" not in client.get(_url(workspace) + "?view=mine").content.decode()
    assert "Kad būs kafija?" not in client.get(_url(workspace) + "?sentiment=nothing").content.decode()
    assert "Kad būs kafija?" in client.get(_url(workspace) + "?view=unassigned").content.decode()


def test_empty_inbox_says_to_connect_an_account(login, owner, workspace):
    html = login(owner).get(_url(workspace)).content.decode()
    assert "No conversations yet" in html and "Connect an account" in html


def test_a_reply_with_tone_problems_is_shown_first_then_sent_anyway_when_confirmed(
    login, owner, workspace, thread, django_capture_on_commit_callbacks
):
    client = login(owner)
    item = thread.items.get()
    url = _url(workspace, f"items/{item.pk}/reply/")
    shown = client.post(url, {"text": "SORRY, the order is LATE!!!"})
    assert shown.status_code == 422
    assert "send anyway" in shown.content.decode()
    assert not Reply.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sent = client.post(url, {"text": "SORRY, the order is LATE!!!", "confirmed": "1"})
    assert sent.status_code == 302
    reply = Reply.objects.get()
    assert reply.state == "queued" and len(callbacks) == 1  # the connector call is a task after commit
    assert AuditEvent.objects.filter(action="inbox.item_reply").exists()


def test_a_banned_phrase_blocks_even_when_confirmed(login, owner, workspace, thread):
    item = thread.items.get()
    response = login(owner).post(
        _url(workspace, f"items/{item.pk}/reply/"), {"text": "Calm down, it is fine.", "confirmed": "1"}
    )
    assert response.status_code == 422
    assert "cannot be sent yet" in response.content.decode()
    assert not Reply.objects.exists()


def test_a_link_outside_the_policys_contexts_needs_confirmation(login, owner, workspace, thread):
    client = login(owner)
    item = thread.items.get()
    response = client.post(
        _url(workspace, f"items/{item.pk}/reply/"), {"text": "Sveiki! Skatiet https://kafija.lv/faq"}
    )
    assert response.status_code == 422
    assert "A link in a reply needs a reason" in response.content.decode()


def test_acute_threads_are_answered_by_the_playbooks_roles(login, member, workspace, thread):
    Thread.objects.update(acute=True, acute_reasons=["legal_threat"])
    client = login(member(Role.MODERATOR))
    item = thread.items.get()
    response = client.post(
        _url(workspace, f"items/{item.pk}/reply/"),
        {"text": "Atvainojamies, mēs to pārbaudīsim.", "confirmed": "1"},
    )
    assert response.status_code == 422
    assert "cannot be sent yet" in response.content.decode()
    assert not Reply.objects.exists()


def test_assign_to_me_and_close(login, member, workspace, thread):
    moderator = member(Role.MODERATOR)
    client = login(moderator)
    client.post(_url(workspace, f"{thread.pk}/assign/"), {"assignee": "me"})
    client.post(
        _url(workspace, f"{thread.pk}/status/"),
        {"status": "closed", "resolution": "resolved", "reason": "Answered by phone"},
    )
    thread.refresh_from_db()
    assert thread.assignee == moderator and thread.status == ThreadStatus.CLOSED
    assert "Kad būs kafija?" in client.get(_url(workspace) + "?view=closed").content.decode()


def test_assigning_to_someone_who_may_not_reply_is_refused(login, owner, member, workspace, thread):
    analyst = member(Role.ANALYST)
    login(owner).post(_url(workspace, f"{thread.pk}/assign/"), {"assignee": str(analyst.pk)})
    thread.refresh_from_db()
    assert thread.assignee is None


def test_only_spam_or_abusive_items_can_be_hidden_never_negative_ones(login, owner, owner_access, workspace):
    page = account_connect(
        access=owner_access,
        platform="facebook",
        name="Kafija Page",
        credentials={"access_token": "tok-fb", "page_id": "55"},
        external_id="55",
    )
    items_ingest(
        account=page, remote_items=[remote("n1", "Briesmīgi, nekad vairs!"), remote("s1", "x", author="b")]
    )
    Item.objects.filter(external_id="n1").update(sentiment="negative", spam=False, toxic=False)
    Item.objects.filter(external_id="s1").update(spam=True)
    client = login(owner)
    negative, spam = Item.objects.get(external_id="n1"), Item.objects.get(external_id="s1")
    client.post(_url(workspace, f"items/{negative.pk}/hide/"))  # no reason: refused
    client.post(_url(workspace, f"items/{spam.pk}/hide/"), {"reason": "spam"})
    assert list(Item.objects.filter(hidden=True).values_list("external_id", flat=True)) == ["s1"]
    assert Item.objects.filter(external_id="n1").exists()  # M4: never deleted
    html = client.get(_url(workspace, f"{spam.thread_id}/")).content.decode()
    assert "Hidden on the platform" in html
