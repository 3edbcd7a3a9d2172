"""M4 strictly and bad input: nothing is hidden automatically, a person in the policy's roles hides with a
reason from the policy's list (the text is kept, the hidden-items list shows it); a reply longer than the
platform allows or empty is refused in the reply box, nothing sent."""

from __future__ import annotations

import pytest

from kopiena.audit.models import AuditEvent
from kopiena.core.errors import DomainError
from kopiena.inbox.models import Item, Reply
from kopiena.inbox.services import item_hide, items_ingest, reply_problems
from kopiena.integrations.services import account_connect
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current_data
from kopiena.policy.services import policy_save
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.inbox.conftest import remote

pytestmark = pytest.mark.django_db
RUDE = "Jūs esat idioti un krāpnieki, briesmīgs serviss!"


@pytest.fixture
def page(owner_access):
    return account_connect(
        access=owner_access,
        platform="facebook",
        name="Kafija Page",
        credentials={"access_token": "tok-fb", "page_id": "55"},
        external_id="55",
    )


@pytest.fixture
def toxic_negative(page):
    items_ingest(account=page, remote_items=[remote("t1", RUDE)])
    item = Item.objects.get(external_id="t1")
    Item.objects.filter(pk=item.pk).update(sentiment="negative", toxic=True)  # whatever the model said
    item.refresh_from_db()
    return item


def _access(user, workspace):
    return access_workspace(actor=user, slug=workspace.slug)


def test_ingest_never_hides_even_a_toxic_negative_comment(page):
    items_ingest(
        account=page, remote_items=[remote("t1", RUDE), remote("s1", "BUY FOLLOWERS cheap!!!", author="b")]
    )
    assert not Item.objects.filter(hidden=True).exists()


def test_only_the_policys_roles_hide_and_only_with_the_policys_reasons(
    toxic_negative, member, workspace, owner_access, django_capture_on_commit_callbacks
):
    contributor, moderator = member(Role.CONTRIBUTOR), member(Role.MODERATOR)
    with pytest.raises(DomainError):
        item_hide(access=_access(contributor, workspace), item=toxic_negative, reason="insults")
    data = policy_current_data(workspace=workspace)
    data["engagement"]["moderation"]["hide_reasons"] = ["personal_data"]
    policy_save(access=owner_access, document=PolicyDocument.model_validate(data))
    moderator_access = _access(moderator, workspace)
    for reason in ("", "insults", "negative", "toxic"):
        with pytest.raises(DomainError):
            item_hide(access=moderator_access, item=toxic_negative, reason=reason)
    toxic_negative.refresh_from_db()
    assert toxic_negative.hidden is False

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item_hide(access=moderator_access, item=toxic_negative, reason="personal_data")
    assert len(callbacks) == 1  # the platform call is enqueued after commit
    toxic_negative.refresh_from_db()
    assert (toxic_negative.hidden, toxic_negative.hidden_reason, toxic_negative.hidden_by) == (
        True,
        "personal_data",
        moderator,
    )
    assert toxic_negative.text == RUDE and toxic_negative.hidden_at is not None  # the text is kept
    event = AuditEvent.objects.get(action="inbox.item_hide")
    assert event.after["reason"] == "personal_data" and event.after["toxic"] is True


def test_the_hidden_items_list_shows_who_why_and_the_text_to_its_workspace_only(
    toxic_negative, member, workspace, other_workspace, login, owner
):
    moderator = member(Role.MODERATOR)
    client = login(moderator)
    assert "Nothing has been hidden" in client.get(f"/w/{workspace.slug}/inbox/hidden/").text
    response = client.post(
        f"/w/{workspace.slug}/inbox/items/{toxic_negative.pk}/hide/", {"reason": "insults"}, follow=True
    )
    assert response.status_code == 200
    listing = client.get(f"/w/{workspace.slug}/inbox/hidden/").text
    assert "Insults to others" in listing and "idioti" in listing and moderator.username in listing
    stranger = other_workspace.memberships.get(role=Role.OWNER).user
    assert login(stranger).get(f"/w/{workspace.slug}/inbox/hidden/").status_code == 404
    assert "idioti" not in login(stranger).get(f"/w/{other_workspace.slug}/inbox/hidden/").text
    assert Item.objects.filter(pk=toxic_negative.pk).exists()


def test_there_is_no_delete_anywhere_in_the_inbox(toxic_negative, login, owner, workspace):
    from django.urls import get_resolver

    names = [
        name for name in get_resolver().reverse_dict if isinstance(name, str) and name.startswith("inbox")
    ]
    assert names and not [name for name in names if "delete" in name and "saved_reply" not in name]
    client = login(owner)
    assert client.post(f"/w/{workspace.slug}/inbox/items/{toxic_negative.pk}/delete/").status_code == 404


def test_a_reply_longer_than_the_platform_allows_is_refused_in_the_reply_box(
    account, login, owner, workspace
):
    items_ingest(account=account, remote_items=[remote("c1", "Kad būs kafija?")])
    item = Item.objects.get()
    client = login(owner)
    page = client.get(f"/w/{workspace.slug}/inbox/{item.thread_id}/").text
    assert "up to 500 characters" in page  # Mastodon
    response = client.post(
        f"/w/{workspace.slug}/inbox/items/{item.pk}/reply/", {"text": "Paldies! " * 60, "confirmed": "1"}
    )
    assert response.status_code == 422 and "this platform allows 500" in response.text
    for blank in ("", "   \n\t "):
        response = client.post(
            f"/w/{workspace.slug}/inbox/items/{item.pk}/reply/", {"text": blank, "confirmed": "1"}
        )
        assert response.status_code == 422 and "Write the answer first" in response.text
    assert not Reply.objects.exists()


def test_the_platform_counts_the_length(account, owner_access):
    items_ingest(account=account, remote_items=[remote("c1", "Kur ir izvēlne?")])
    item = Item.objects.get()
    link = "https://kafija.example/" + "a" * 600  # Mastodon counts any link as 23 characters
    codes = [p.code for p in reply_problems(access=owner_access, item=item, text=f"Lūk: {link}")]
    assert "too_long" not in codes
    codes = [p.code for p in reply_problems(access=owner_access, item=item, text="ā" * 501)]
    assert codes == ["too_long"]
