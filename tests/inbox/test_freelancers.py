"""Issue 12 item 8 (R8): a member limited to the accounts granted to them sees only those in the inbox
and in publishing; direct messages only for the roles the policy allows."""

from __future__ import annotations

import pytest
from django.http import Http404

from kopiena.connectors.types import ItemKind
from kopiena.core.errors import DomainError
from kopiena.inbox.models import Thread
from kopiena.inbox.selectors import threads_for
from kopiena.inbox.services import items_ingest
from kopiena.integrations.selectors import accounts_of
from kopiena.integrations.services import account_connect, account_grants_set
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current
from kopiena.policy.services import policy_save
from kopiena.publishing.models import Post, Variant
from kopiena.publishing.selectors import access_post, posts_in_workspace
from kopiena.teams.models import Membership, Role
from kopiena.teams.selectors import access_workspace
from tests.inbox.conftest import remote

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(owner_access):
    return account_connect(
        access=owner_access,
        platform="mastodon",
        name="Second brand",
        credentials={"access_token": "tok-inbox-test-2"},
        base_url="https://social.example",
        external_id="200",
    )


@pytest.fixture
def freelancer(member, workspace, owner_access, account):
    user = member(Role.CONTRIBUTOR)
    membership = Membership.objects.get(workspace=workspace, user=user)
    account_grants_set(access=owner_access, membership=membership, account_ids=[account.pk])
    return user


def test_a_limited_freelancer_sees_only_granted_accounts_in_inbox_and_publishing(
    login, workspace, owner, account, second, freelancer
):
    items_ingest(account=account, remote_items=[remote("a1", "Kad atvērsiet?")])
    items_ingest(account=second, remote_items=[remote("b1", "Kur ir veikals?")])
    mine, hidden = Thread.objects.get(root_external_id="a1"), Thread.objects.get(root_external_id="b1")
    access = access_workspace(actor=freelancer, slug=workspace.slug)
    assert list(threads_for(access=access)) == [mine]
    assert list(accounts_of(access=access)) == [account]
    client = login(freelancer)
    assert client.get(f"/w/{workspace.slug}/inbox/{hidden.pk}/").status_code == 404
    assert client.get(f"/w/{workspace.slug}/inbox/{mine.pk}/").status_code == 200
    listing = client.get(f"/w/{workspace.slug}/inbox/").content.decode()
    assert f"/inbox/{mine.pk}/" in listing and f"/inbox/{hidden.pk}/" not in listing

    on_second = Post.objects.create(workspace=workspace, author=owner, text="Otrais zīmols")
    Variant.objects.create(post=on_second, account=second, text="Otrais zīmols")
    on_mine = Post.objects.create(workspace=workspace, author=owner, text="Mūsu zīmols")
    Variant.objects.create(post=on_mine, account=account, text="Mūsu zīmols")
    assert set(posts_in_workspace(access=access)) == {on_mine}
    with pytest.raises(Http404):
        access_post(access=access, post_id=on_second.pk)
    # Unlimited members (no grants) and owners see everything.
    owner_view = access_workspace(actor=owner, slug=workspace.slug)
    assert set(threads_for(access=owner_view)) == {mine, hidden}


def test_grants_are_for_this_workspaces_accounts_and_not_for_owners(
    owner_access, workspace, other_workspace, account
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
    owner_membership = Membership.objects.get(workspace=workspace, role=Role.OWNER)
    with pytest.raises(DomainError):
        account_grants_set(access=owner_access, membership=owner_membership, account_ids=[account.pk])
    contributor = Membership.objects.create(
        workspace=workspace, user=other_workspace.memberships.get().user, role=Role.CONTRIBUTOR
    )
    with pytest.raises(DomainError):
        account_grants_set(access=owner_access, membership=contributor, account_ids=[foreign.pk])
    assert not contributor.grants.exists()


def test_direct_messages_only_for_the_roles_the_policy_allows(
    login, member, owner_access, workspace, account
):
    items_ingest(
        account=account, remote_items=[remote("d1", "Mana adrese ir …", kind=ItemKind.MESSAGE, post="")]
    )
    dm = Thread.objects.get(root_external_id__startswith="dm:")
    assert dm.kind == "dm"
    contributor = member(Role.CONTRIBUTOR)
    moderator = member(Role.MODERATOR)
    assert login(contributor).get(f"/w/{workspace.slug}/inbox/{dm.pk}/").status_code == 404
    assert login(moderator).get(f"/w/{workspace.slug}/inbox/{dm.pk}/").status_code == 200
    contributor_access = access_workspace(actor=contributor, slug=workspace.slug)
    assert not threads_for(access=contributor_access).exists()

    data = policy_current(workspace=workspace).model_dump(mode="json")
    data["engagement"]["direct_messages"]["visible_to_roles"] = ["owner", "contributor"]
    policy_save(access=owner_access, document=PolicyDocument.model_validate(data))
    contributor_access = access_workspace(actor=contributor, slug=workspace.slug)  # a new request
    assert list(threads_for(access=contributor_access)) == [dm]
    assert login(moderator).get(f"/w/{workspace.slug}/inbox/{dm.pk}/").status_code == 404


def test_the_team_page_limits_a_member_to_accounts(login, owner, member, workspace, account, second):
    contributor = member(Role.CONTRIBUTOR)
    membership = Membership.objects.get(workspace=workspace, user=contributor)
    client = login(owner)
    url = f"/w/{workspace.slug}/settings/accounts/members/{membership.pk}/"
    assert "All accounts" in client.get(f"/w/{workspace.slug}/settings/team/").content.decode()
    assert client.post(url, {"account": [second.pk]}).status_code == 302
    assert list(membership.grants.values_list("account_id", flat=True)) == [second.pk]
    assert "Limited to some accounts" in client.get(f"/w/{workspace.slug}/settings/team/").content.decode()
    assert login(contributor).post(url, {"account": []}).status_code == 403
    assert membership.grants.count() == 1
