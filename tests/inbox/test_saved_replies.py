"""Saved replies: managed by people who edit the policy, picked in the reply box by everyone who answers."""

from __future__ import annotations

import pytest

from kopiena.audit.models import AuditEvent
from kopiena.inbox.models import SavedReply, Thread
from kopiena.inbox.saved_replies import saved_replies_for, saved_reply_create
from kopiena.inbox.services import items_ingest
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.inbox.conftest import remote

pytestmark = pytest.mark.django_db


def _url(workspace, suffix=""):
    return f"/w/{workspace.slug}/inbox/saved-replies/{suffix}"


def test_a_manager_adds_one_and_a_moderator_sees_it_in_the_reply_box(login, member, workspace, account):
    manager = login(member(Role.MANAGER))
    response = manager.post(
        _url(workspace),
        {"title": "Piegāde", "text": "Paldies, {name}! Piegāde notiek 2–3 darba dienās.", "language": "lv"},
    )
    assert response.status_code == 302
    saved = SavedReply.objects.get()
    assert (saved.title, saved.language) == ("Piegāde", "lv")
    assert AuditEvent.objects.filter(action="saved_reply.create", object_id=str(saved.pk)).exists()

    items_ingest(account=account, remote_items=[remote("c1", "Kad būs piegāde?")])
    thread = Thread.objects.get()
    moderator = login(member(Role.MODERATOR))
    page = moderator.get(f"/w/{workspace.slug}/inbox/{thread.pk}/").text
    assert "data-kp-saved-reply" in page and 'data-kp-name="Person a1"' in page
    assert 'data-text="Paldies, {name}! Piegāde notiek 2–3 darba dienās."' in page
    listing = moderator.get(_url(workspace)).text
    assert "Piegāde" in listing and "Add a saved reply" not in listing  # may use, not manage


def test_only_policy_editors_manage_and_bad_input_writes_nothing(login, member, workspace):
    moderator = login(member(Role.MODERATOR))
    response = moderator.post(_url(workspace), {"title": "Mans", "text": "Sveiki"})
    assert response.status_code in (400, 403) and not SavedReply.objects.exists()

    manager = login(member(Role.MANAGER))
    response = manager.post(_url(workspace), {"title": "", "text": "Sveiki"})
    assert response.status_code == 400 and "title" in response.text and not SavedReply.objects.exists()
    response = manager.post(_url(workspace), {"title": "X", "text": "Y", "language": "de"})
    assert response.status_code == 400 and not SavedReply.objects.exists()


def test_languages_first_then_any_and_text_is_escaped(owner_access, owner, login, workspace):
    saved_reply_create(access=owner_access, title="B any", text="Thanks!")
    saved_reply_create(access=owner_access, title="Z latviski", text="Paldies!", language="lv")
    saved_reply_create(access=owner_access, title="A russian", text="Спасибо!", language="ru")
    saved_reply_create(access=owner_access, title="<b>bold</b>", text="<script>x</script>")
    lv = [r.title for r in saved_replies_for(access=owner_access, language="lv")]
    assert lv == ["Z latviski", "<b>bold</b>", "B any"]
    page = login(owner).get(_url(workspace)).text
    assert "<script>x</script>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


def test_removing_is_audited_and_another_workspaces_reply_is_404(
    owner_access, owner, login, workspace, other_workspace
):
    mine = saved_reply_create(access=owner_access, title="Mans", text="Sveiki")
    other_owner = other_workspace.memberships.get(role=Role.OWNER).user
    theirs = saved_reply_create(
        access=access_workspace(actor=other_owner, slug=other_workspace.slug), title="Cits", text="Hi"
    )
    client = login(owner)
    assert client.post(_url(workspace, f"{theirs.pk}/delete/")).status_code == 404
    assert client.post(_url(workspace, f"{mine.pk}/delete/")).status_code == 302
    assert list(SavedReply.objects.values_list("title", flat=True)) == ["Cits"]
    assert AuditEvent.objects.filter(action="saved_reply.delete", object_id=str(mine.pk)).exists()
