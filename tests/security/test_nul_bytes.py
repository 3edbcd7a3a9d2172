"""Issue 9 item 9: NUL characters are removed at the edge, the same on SQLite and PostgreSQL (where a NUL
made the statement fail: an ingest batch lost its good comments, forms and the API answered 500)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopiena.inbox.models import Item, Reply, SavedReply
from kopiena.inbox.services import items_ingest
from kopiena.publishing.models import Post, PostComment
from kopiena.publishing.services import post_create
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.api.conftest import api_client  # noqa: F401 - the shared fixture
from tests.inbox.conftest import account, remote  # noqa: F401
from tests.publishing.conftest import _fake_connector, make_account  # noqa: F401

pytestmark = pytest.mark.django_db

NUL = "\x00"


def test_one_bad_item_does_not_cost_the_batch(account):  # noqa: F811
    bad = remote("c2", f"Slikts{NUL} komentārs", author=f"a{NUL}2")
    items_ingest(account=account, remote_items=[remote("c1", "Labs komentārs"), bad, remote("c3", "Vēl")])
    texts = dict(Item.objects.values_list("external_id", "text"))
    assert texts == {"c1": "Labs komentārs", "c2": "Slikts komentārs", "c3": "Vēl"}
    assert Item.objects.get(external_id="c2").author_handle == "@a2"


def test_saved_reply_form(login, owner, workspace):
    client = login(owner)
    response = client.post(
        reverse("inbox_saved_replies", kwargs={"ws": workspace.slug}),
        {"title": f"Sveiciens{NUL}", "text": f"Paldies{NUL}!", "language": "lv"},
    )
    assert response.status_code == 302
    saved = SavedReply.objects.get()
    assert (saved.title, saved.text) == ("Sveiciens", "Paldies!")


def test_post_comment_form(login, owner, workspace, make_account):  # noqa: F811
    access = access_workspace(actor=owner, slug=workspace.slug)
    post = post_create(access=access, account_ids=[make_account("Konts").pk], text="Teksts")
    response = login(owner).post(
        reverse("post_comment", kwargs={"ws": workspace.slug, "post_id": post.pk}),
        {"comment": f"Labs{NUL} teksts"},
    )
    assert response.status_code == 302
    assert PostComment.objects.get().body == "Labs teksts"


def test_inbox_reply_and_query_string(login, owner, workspace, account):  # noqa: F811
    items_ingest(account=account, remote_items=[remote("c1", "Jautājums?")])
    item = Item.objects.get()
    client = login(owner)
    response = client.post(
        reverse("inbox_item_reply", kwargs={"ws": workspace.slug, "item_id": item.pk}),
        {"text": f"Atbilde{NUL} jums", "confirmed": "1"},
    )
    assert response.status_code in (200, 302)
    assert Reply.objects.get().text == "Atbilde jums"
    assert client.get(f"/w/{workspace.slug}/inbox/?language=lv{NUL}&account=1%00").status_code == 200


def test_api_create_post(api_client, member, workspace, make_account):  # noqa: F811
    client = api_client(member(Role.MANAGER), workspace)
    target = make_account("Konts")
    response = client.request(
        "POST",
        "/posts",
        json={"account_ids": [target.pk], "text": f"Sveiki{NUL}!", "tags": [f"a{NUL}b"], "theme": NUL},
    )
    assert response.status_code == 201, response.content
    post = Post.objects.get()
    assert (post.text, post.tags, post.theme) == ("Sveiki!", ["ab"], "")
    assert post.variants.get().text == "Sveiki!"


def test_a_too_big_form_is_refused_as_before(login, owner, workspace, settings):
    """The middleware reads form fields first; a body over the limit still answers 400, not a CSRF 403."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = login(owner)
    response = client.post(
        reverse("inbox_saved_replies", kwargs={"ws": workspace.slug}), {"title": "x", "text": "y" * 5000}
    )
    assert response.status_code in (400, 413)
    assert SavedReply.objects.count() == 0
