"""The editorial state machine and who may move a post through it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404

from kopiena.audit.models import AuditEvent
from kopiena.core.clock import now
from kopiena.core.errors import DomainError, NotPermitted
from kopiena.publishing.models import Delivery, DeliveryState, PostState
from kopiena.publishing.selectors import access_post
from kopiena.publishing.services import (
    post_approve,
    post_cancel,
    post_create,
    post_reschedule,
    post_schedule,
    post_send_back,
    post_submit,
    post_update,
)
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace


def test_contributor_drafts_manager_approves_and_schedules(
    contributor_access, manager_access, make_account, soon
):
    first, second = make_account("Mastodon"), make_account("Bluesky")
    post = post_create(
        access=contributor_access, account_ids=[first.pk, second.pk], content_type="photo", text="Labrīt!"
    )
    assert post.state == PostState.DRAFT
    assert sorted(post.variants.values_list("account_id", flat=True)) == [first.pk, second.pk]

    with pytest.raises(NotPermitted):
        post_approve(access=contributor_access, post_id=post.pk)
    with pytest.raises(NotPermitted):
        post_schedule(access=contributor_access, post_id=post.pk, at=soon)

    post_submit(access=contributor_access, post_id=post.pk)
    with pytest.raises(DomainError, match="approval"):
        post_schedule(access=manager_access, post_id=post.pk, at=soon)
    post = post_approve(access=manager_access, post_id=post.pk)
    assert post.state == PostState.APPROVED
    post = post_schedule(access=manager_access, post_id=post.pk, at=soon)
    assert post.state == PostState.SCHEDULED
    deliveries = list(Delivery.objects.filter(post=post))
    assert len(deliveries) == 2
    assert {d.state for d in deliveries} == {DeliveryState.PENDING}
    assert {d.due_at for d in deliveries} == {soon}
    assert len({d.idempotency_key for d in deliveries}) == 2

    actions = list(
        AuditEvent.objects.filter(object_type="publishing.post", object_id=str(post.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["post.create", "post.submit", "post.approve", "post.schedule"]


def test_send_back_needs_comment_and_returns_to_draft(contributor_access, manager_access, make_account):
    post = post_create(access=contributor_access, account_ids=[make_account().pk], text="x")
    post_submit(access=contributor_access, post_id=post.pk)
    with pytest.raises(DomainError, match="change"):
        post_send_back(access=manager_access, post_id=post.pk, comment="  ")
    post = post_send_back(access=manager_access, post_id=post.pk, comment="Add a photo, please")
    assert post.state == PostState.DRAFT
    assert post.comments.get().body == "Add a photo, please"
    assert post.approval_requests.get().decision == "sent_back"


def test_contributor_edits_only_own_drafts(
    contributor_access, member, access_for, manager_access, make_account
):
    account = make_account()
    post = post_create(access=contributor_access, account_ids=[account.pk], text="mine")
    post_update(access=contributor_access, post_id=post.pk, text="mine, better")
    other = access_for(member(Role.CONTRIBUTOR))
    with pytest.raises(NotPermitted):
        post_update(access=other, post_id=post.pk, text="hijack")
    post_submit(access=contributor_access, post_id=post.pk)
    with pytest.raises(NotPermitted):
        post_update(access=contributor_access, post_id=post.pk, text="after submit")
    post = post_update(access=manager_access, post_id=post.pk, text="manager fix")
    assert post.variants.get().text == "manager fix"


def test_no_approval_needed_when_accounts_do_not_require_it(manager_access, make_account, soon):
    account = make_account(approval_required=False)
    post = post_create(access=manager_access, account_ids=[account.pk], text="quick")
    post = post_schedule(access=manager_access, post_id=post.pk, at=soon)
    assert post.state == PostState.SCHEDULED


def test_reschedule_moves_pending_deliveries_and_cancel(manager_access, make_account, soon):
    account = make_account(approval_required=False)
    post = post_create(access=manager_access, account_ids=[account.pk], text="move me")
    post_schedule(access=manager_access, post_id=post.pk, at=soon)
    later = soon + timedelta(days=1)
    post = post_reschedule(access=manager_access, post_id=post.pk, at=later)
    delivery = Delivery.objects.get(post=post)
    assert (delivery.due_at, delivery.next_attempt_at, post.scheduled_at) == (later, later, later)
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.CLAIMED)
    with pytest.raises(DomainError, match="already being published"):
        post_reschedule(access=manager_access, post_id=post.pk, at=soon)
    with pytest.raises(DomainError):
        post_cancel(access=manager_access, post_id=post.pk)
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.PENDING)
    post = post_cancel(access=manager_access, post_id=post.pk, reason="event moved")
    assert post.state == PostState.CANCELLED
    assert Delivery.objects.get(pk=delivery.pk).state == DeliveryState.CANCELLED


def test_past_time_refused(manager_access, make_account):
    post = post_create(
        access=manager_access, account_ids=[make_account(approval_required=False).pk], text="x"
    )
    with pytest.raises(DomainError, match="past"):
        post_schedule(access=manager_access, post_id=post.pk, at=now() - timedelta(hours=1))


def test_other_workspace_post_and_account_are_404(manager_access, other_workspace, make_account):
    foreign_account = make_account("Foreign", ws=other_workspace)
    with pytest.raises(Http404):
        post_create(access=manager_access, account_ids=[foreign_account.pk], text="x")
    stranger_access = access_workspace(
        actor=other_workspace.memberships.get().user, slug=other_workspace.slug
    )
    theirs = post_create(access=stranger_access, account_ids=[foreign_account.pk], text="theirs")
    with pytest.raises(Http404):
        access_post(access=manager_access, post_id=theirs.pk)
    with pytest.raises(Http404):
        post_approve(access=manager_access, post_id=theirs.pk)


def test_analyst_cannot_draft(member, access_for, make_account):
    analyst = access_for(member(Role.ANALYST))
    with pytest.raises(NotPermitted):
        post_create(access=analyst, account_ids=[make_account().pk], text="x")
