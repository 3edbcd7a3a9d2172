"""Editorial writes: compose, review, schedule, reschedule and cancel posts.

Every function is keyword-only, atomic and audited. Permissions (``kopiena.teams.permissions``):

* ``post.draft`` (everyone who writes, contributors/freelancers included): create, edit own drafts, submit.
* ``post.approve`` (managers, owners): approve or send back with a comment, edit any unpublished post.
* ``post.schedule`` (managers, owners): schedule, reschedule, cancel.
* ``policy.override``: schedule against a cadence/mix/link rule, with a reason.

Delivery itself (claiming, sending, retrying, reconciling) is ``kopiena.publishing.engine``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from kopiena.audit.services import audit_record
from kopiena.core.clock import now
from kopiena.core.errors import DomainError, NotPermitted
from kopiena.core.params import check_moment, db_ids
from kopiena.core.zones import require_zone
from kopiena.integrations.models import AccountStatus, ConnectedAccount
from kopiena.notifications.services import notices_done, notify, post_target
from kopiena.publishing import checks, media_types, platform
from kopiena.publishing.content_types import check_content_type
from kopiena.publishing.models import (
    EDITABLE_POST_STATES,
    ApprovalDecision,
    ApprovalRequest,
    ContentType,
    Delivery,
    DeliveryState,
    MediaAsset,
    Post,
    PostComment,
    PostMedia,
    PostState,
    Variant,
)
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access, users_with_perm

# A post scheduled this far in the past is a mistake, not "publish now".
PAST_SCHEDULE_TOLERANCE = timedelta(minutes=1)


@dataclass(frozen=True)
class MediaInput:
    """A media item for ``post_create``/``post_update``: an uploaded file or a URL, with alt text."""

    url: str = ""
    file: object | None = None
    mime_type: str = ""
    alt_text: str = ""
    size_bytes: int | None = None
    asset_id: int | None = None  # a file of the workspace's media library, reused (its alt text unless given)


class ScheduleRefused(DomainError):
    """``post_schedule``/``post_reschedule`` refused: ``problems`` says which rules, ``proposed_at`` the
    nearest time at which every check passes (``checks.nearest_allowed_time``; None when no time would
    help, e.g. text too long)."""

    def __init__(
        self, problems: list[checks.Problem], *, timezone: str = "UTC", proposed_at: datetime | None = None
    ):
        self.problems = problems
        self.proposed_at = proposed_at
        self.overridable = all(p.overridable for p in problems)
        message = " ".join(p.message for p in problems)
        if self.proposed_at is not None:
            local = self.proposed_at.astimezone(ZoneInfo(timezone))
            message += " " + _("Nearest allowed time: %(at)s (%(zone)s).") % {
                "at": local.strftime("%Y-%m-%d %H:%M"),
                "zone": timezone,
            }
        super().__init__(message, field="scheduled_at", code=problems[0].rule)


# ---------------------------------------------------------------- helpers


def _post_for_update(access: Access, post_id: int) -> Post:
    post = Post.objects.select_for_update().filter(workspace=access.workspace, pk=post_id).first()
    if post is None:
        raise Http404
    return post


def _accounts(access: Access, account_ids: list[int]) -> list[ConnectedAccount]:
    ids = list(dict.fromkeys(account_ids))
    if len(db_ids(ids)) != len(ids):  # beyond the database's range: no such account (not an OverflowError)
        raise Http404
    accounts = list(ConnectedAccount.objects.filter(workspace=access.workspace, pk__in=ids))
    if len(accounts) != len(ids):
        raise Http404  # an account of another workspace does not exist for this actor
    if not accounts:
        raise DomainError(_("Choose at least one account to publish to."), field="accounts")
    return sorted(accounts, key=lambda a: ids.index(a.pk))


def _snapshot(post: Post) -> dict:
    return {
        "state": post.state,
        "content_type": post.content_type,
        "text": post.text,
        "theme": post.theme,
        "tags": post.tags,
        "campaign": post.campaign,
        "link": post.link,
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "accounts": sorted(post.variants.values_list("account_id", flat=True)),
        "policy_flags": post.policy_flags,
    }


def _audit(access: Access, action: str, post: Post, before: dict | None, **extra) -> None:
    after = {**_snapshot(post), **extra}
    audit_record(
        actor=access.user, workspace=access.workspace, action=action, obj=post, before=before, after=after
    )


def _require_can_edit(access: Access, post: Post) -> None:
    if post.state not in EDITABLE_POST_STATES:
        raise DomainError(_("This post is already being published and can no longer be edited."))
    if access.can(Perm.POST_APPROVE):
        return
    access.require(Perm.POST_DRAFT)
    if post.author_id != access.user.pk or post.state != PostState.DRAFT:
        raise NotPermitted(_("You can edit only your own drafts. Ask a manager to change this post."))


def _checked_upload(item: MediaInput) -> MediaInput:
    """An uploaded file is accepted only if its content is an image or a video platforms take; the type
    stored is the sniffed one, and the file name gets its extension (the client's type and name are not
    trusted: an ``evil.html`` sent as ``image/png`` would otherwise be served as HTML)."""
    if not item.file:
        return item
    sniffed = media_types.sniff_file(item.file)
    if sniffed is None:
        raise DomainError(
            _("Only JPEG, PNG, GIF or WebP images and MP4, MOV or WebM videos can be uploaded."),
            field="media_file",
        )
    item.file.name = media_types.safe_filename(getattr(item.file, "name", "") or "media", mime_type=sniffed)
    return replace(item, mime_type=sniffed)


def _from_library(post: Post, item: MediaInput) -> MediaInput:
    """A library file as a media input: the same stored file, its alt text unless the post gives one."""
    if item.asset_id is None:
        return item
    if not db_ids([item.asset_id]):
        raise Http404
    asset = MediaAsset.objects.filter(workspace_id=post.workspace_id, pk=item.asset_id).first()
    if asset is None:
        raise Http404  # another workspace's file does not exist for this actor
    return replace(
        item,
        file=asset.file.name,
        mime_type=asset.mime_type,
        alt_text=item.alt_text or asset.alt_text,
        size_bytes=asset.size_bytes,
    )


def _add_media(post: Post, media: list[MediaInput], *, user=None) -> list[PostMedia]:
    """Attach ``media`` after the post's files. Uploads are checked by content and kept in the workspace's
    media library (with their alt text); library files are reused, not copied."""
    start = post.media.count()
    media = [_checked_upload(item) if item.asset_id is None else _from_library(post, item) for item in media]
    created = []
    for n, item in enumerate(media):
        row = PostMedia.objects.create(
            post=post,
            position=start + n,
            url=item.url,
            file=item.file or "",
            mime_type=item.mime_type,
            alt_text=item.alt_text,
            size_bytes=item.size_bytes,
        )
        if item.asset_id is None and row.file:
            MediaAsset.objects.create(
                workspace_id=post.workspace_id,
                file=row.file.name,
                mime_type=row.mime_type,
                alt_text=row.alt_text,
                size_bytes=row.size_bytes,
                uploaded_by=user,
            )
        created.append(row)
    return created


def _sync_variants(post: Post, accounts: list[ConnectedAccount], texts: dict[int, str]) -> None:
    """One variant per target account; variants for dropped accounts go; problems are re-validated."""
    post.variants.exclude(account__in=accounts).delete()
    all_media = list(post.media.all())
    for account in accounts:
        variant, created = Variant.objects.get_or_create(
            post=post, account=account, defaults={"text": texts.get(account.pk, post.text)}
        )
        if account.pk in texts:
            variant.text = texts[account.pk]
        if created:
            variant.media.set(all_media)
        variant_validate(variant=variant)


def variant_validate(*, variant: Variant) -> Variant:
    """Run the connector's ``validate()`` and cache the problems on the variant (composer shows them)."""
    variant.problems = [
        {"code": p.rule.removeprefix("platform."), "field": p.field, "message": p.message}
        for p in checks.variant_problems(variant)
    ]
    variant.validated_at = now()
    variant.save(update_fields=["text", "problems", "validated_at", "updated_at"])
    return variant


def _check_text_size(*texts: str | None) -> None:
    """Refuse at once a text far beyond every platform's limit (``platform.text_ceiling``): nothing would
    publish it, and checking it rule by rule would take seconds."""
    longest = max((len(t) for t in texts if t), default=0)
    if longest > platform.text_ceiling():
        raise DomainError(platform.text_ceiling_message(longest), field="text", code="text_too_long")


def _approval_needed(post: Post) -> bool:
    """Per-account setting or the policy's approval rules (author's role, link posts, listed accounts)."""
    return checks.policy_requires_approval(post=post)


# ---------------------------------------------------------------- compose


@transaction.atomic
def post_create(
    *,
    access: Access,
    account_ids: list[int],
    content_type: str = ContentType.TEXT,
    text: str = "",
    theme: str = "",
    tags: list[str] | None = None,
    campaign: str = "",
    link: str = "",
    link_context: str = "",
    first_comment: str = "",
    poll_options: list[str] | None = None,
    poll_duration_seconds: int | None = None,
    timezone: str = "",
    media: list[MediaInput] | None = None,
    variant_texts: dict[int, str] | None = None,
    planned_at: datetime | None = None,
) -> Post:
    """Draft a post for ``account_ids`` (one variant each, text copied unless ``variant_texts`` adapts it).

    Anyone with ``post.draft`` (contributors included). The post starts as a draft; ``planned_at`` (the
    week planner) puts the draft on the calendar at the time it is meant for, which scheduling proposes.
    """
    access.require(Perm.POST_DRAFT)
    _check_text_size(text, first_comment, *(variant_texts or {}).values())
    check_content_type(access.workspace, content_type)
    timezone = require_zone(timezone, allow_empty=True)
    accounts = _accounts(access, account_ids)
    post = Post.objects.create(
        workspace=access.workspace,
        author=access.user,
        content_type=content_type,
        text=text,
        theme=theme,
        tags=list(tags or []),
        campaign=campaign,
        link=link,
        link_context=link_context,
        first_comment=first_comment,
        poll_options=list(poll_options or []),
        poll_duration_seconds=poll_duration_seconds,
        timezone=timezone,
        scheduled_at=planned_at,
    )
    _add_media(post, media or [], user=access.user)
    _sync_variants(post, accounts, variant_texts or {})
    _save_flags(post, _unscheduled_flags(post))
    _audit(access, "post.create", post, None)
    return post


@transaction.atomic
def post_update(
    *,
    access: Access,
    post_id: int,
    account_ids: list[int] | None = None,
    content_type: str | None = None,
    text: str | None = None,
    theme: str | None = None,
    tags: list[str] | None = None,
    campaign: str | None = None,
    link: str | None = None,
    link_context: str | None = None,
    first_comment: str | None = None,
    poll_options: list[str] | None = None,
    timezone: str | None = None,
    add_media: list[MediaInput] | None = None,
    variant_texts: dict[int, str] | None = None,
) -> Post:
    """Change the fields given (None = leave as is). Contributors: own drafts only; managers: any
    unpublished post. Editing an approved or scheduled post keeps its state; variants are re-validated."""
    _check_text_size(text, first_comment, *(variant_texts or {}).values())
    post = _post_for_update(access, post_id)
    _require_can_edit(access, post)
    if content_type is not None:
        check_content_type(access.workspace, content_type, current=post.content_type)
    if timezone is not None:
        timezone = require_zone(timezone, allow_empty=True)
    before = _snapshot(post)
    changes = {
        "content_type": content_type,
        "text": text,
        "theme": theme,
        "tags": tags,
        "campaign": campaign,
        "link": link,
        "link_context": link_context,
        "first_comment": first_comment,
        "poll_options": poll_options,
        "timezone": timezone,
    }
    for name, value in changes.items():
        if value is not None:
            setattr(post, name, value)
    post.save()
    if add_media:
        new_media = _add_media(post, add_media, user=access.user)
        for variant in post.variants.all():
            variant.media.add(*new_media)
    accounts = (
        _accounts(access, account_ids)
        if account_ids is not None
        else [v.account for v in post.variants.select_related("account")]
    )
    texts = dict(variant_texts or {})
    if text is not None:  # the master text changed: variants not adapted separately follow it
        for variant in post.variants.all():
            if variant.text == before["text"]:
                texts.setdefault(variant.account_id, text)
    _sync_variants(post, accounts, texts)
    if post.state == PostState.SCHEDULED:
        # A scheduled post stays on the calendar only if it still passes the checks in its slot (an
        # override given when it was scheduled still stands).
        _overridden, flags = _check_schedule(access, post, post.scheduled_at, post.override_reason or None)
        _sync_deliveries(post, post.scheduled_at)
    else:
        flags = _unscheduled_flags(post)
    _save_flags(post, flags)
    _audit(access, "post.update", post, before)
    return post


# ---------------------------------------------------------------- review


@transaction.atomic
def post_submit(*, access: Access, post_id: int) -> Post:
    """Draft → in review (contributors and up). Opens an approval request for managers."""
    access.require(Perm.POST_DRAFT)
    post = _post_for_update(access, post_id)
    if post.state != PostState.DRAFT:
        raise DomainError(_("Only a draft can be submitted for review."))
    if post.author_id != access.user.pk and not access.can(Perm.POST_APPROVE):
        raise NotPermitted(_("You can submit only your own drafts."))
    before = _snapshot(post)
    post.state = PostState.IN_REVIEW
    post.submitted_at = now()
    post.save(update_fields=["state", "submitted_at", "updated_at"])
    ApprovalRequest.objects.create(post=post, requested_by=access.user)
    _audit(access, "post.submit", post, before)
    notify(
        workspace_id=access.workspace.pk,
        recipients=[
            u
            for u in users_with_perm(workspace=access.workspace, perm=Perm.POST_APPROVE)
            if u.pk != access.user.pk
        ],
        kind="publishing.review_requested",
        params={"author": _person(access.user), "excerpt": _excerpt(post)},
        target=post_target(post.pk),
        post=post,
    )
    return post


def _person(user) -> str:
    return user.get_full_name() or user.username


def _excerpt(post: Post) -> str:
    text = " ".join((post.text or "").split())
    return text if len(text) <= 80 else text[:79] + "…"


def _review_outcome(access: Access, post: Post, *, approved: bool, comment: str) -> None:
    """Whoever was asked to review is done; the author (when someone else) hears the outcome."""
    notices_done(
        workspace_id=access.workspace.pk, target=post_target(post.pk), kinds=["publishing.review_requested"]
    )
    if post.author_id == access.user.pk:
        return
    notify(
        workspace_id=access.workspace.pk,
        recipients=[post.author],
        kind="publishing.approved" if approved else "publishing.sent_back",
        params={
            "reviewer": _person(access.user),
            "excerpt": _excerpt(post),
            "comment": comment.strip()[:500],
        },
        target=post_target(post.pk),
        post=post,
    )


def _close_request(post: Post, access: Access, decision: str) -> ApprovalRequest | None:
    request = post.approval_requests.filter(decision=ApprovalDecision.PENDING).first()
    if request is not None:
        request.decision = decision
        request.decided_by = access.user
        request.decided_at = now()
        request.save(update_fields=["decision", "decided_by", "decided_at", "updated_at"])
    return request


@transaction.atomic
def post_approve(*, access: Access, post_id: int, comment: str = "") -> Post:
    """In review (or a manager's own draft) → approved. Managers and owners."""
    access.require(Perm.POST_APPROVE)
    post = _post_for_update(access, post_id)
    if post.state not in (PostState.IN_REVIEW, PostState.DRAFT):
        raise DomainError(_("Only a draft or a post in review can be approved."))
    before = _snapshot(post)
    request = _close_request(post, access, ApprovalDecision.APPROVED)
    if comment.strip():
        PostComment.objects.create(post=post, approval_request=request, author=access.user, body=comment)
    post.state = PostState.APPROVED
    post.approved_by = access.user
    post.approved_at = now()
    post.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
    _audit(access, "post.approve", post, before, comment=comment)
    _review_outcome(access, post, approved=True, comment=comment)
    return post


@transaction.atomic
def post_send_back(*, access: Access, post_id: int, comment: str) -> Post:
    """In review → draft, with the manager's comment saying what to change (required)."""
    access.require(Perm.POST_APPROVE)
    if not comment.strip():
        raise DomainError(_("Say what should change before sending the post back."), field="comment")
    post = _post_for_update(access, post_id)
    if post.state != PostState.IN_REVIEW:
        raise DomainError(_("Only a post in review can be sent back."))
    before = _snapshot(post)
    request = _close_request(post, access, ApprovalDecision.SENT_BACK)
    PostComment.objects.create(post=post, approval_request=request, author=access.user, body=comment)
    post.state = PostState.DRAFT
    post.save(update_fields=["state", "updated_at"])
    _audit(access, "post.send_back", post, before, comment=comment)
    _review_outcome(access, post, approved=False, comment=comment)
    return post


@transaction.atomic
def post_comment_add(*, access: Access, post_id: int, body: str) -> PostComment:
    """A review comment by anyone who can draft (the author answering the manager, for example)."""
    access.require(Perm.POST_DRAFT)
    if not body.strip():
        raise DomainError(_("The comment is empty."), field="body")
    post = _post_for_update(access, post_id)
    comment = PostComment.objects.create(post=post, author=access.user, body=body)
    audit_record(
        actor=access.user, workspace=access.workspace, action="post.comment", obj=post, after={"body": body}
    )
    return comment


# ---------------------------------------------------------------- schedule


def _check_schedule(
    access: Access, post: Post, at: datetime, override_reason: str | None
) -> tuple[list[checks.Problem], list[dict]]:
    """Refuse (ScheduleRefused) unless every blocking check passes or a permitted override covers what
    failed. Non-blocking problems never refuse.

    Returns the overridden problems (for the audit event) and the flags to store on the post."""
    if at.tzinfo is None:
        raise DomainError(_("The time must include a time zone."), field="scheduled_at")
    check_moment(at, field="scheduled_at")  # year 9999 would overflow the cadence windows below
    if at < now() - PAST_SCHEDULE_TOLERANCE:
        raise DomainError(_("This time is in the past. Choose a future time."), field="scheduled_at")
    bad_accounts = [
        v.account.name
        for v in post.variants.select_related("account")
        if v.account.status != AccountStatus.ACTIVE
    ]
    if bad_accounts:
        raise DomainError(
            _("Reconnect these accounts before scheduling: %(names)s.") % {"names": ", ".join(bad_accounts)}
        )
    found = checks.schedule_problems(post=post, at=at)
    flags, problems = checks.flags_of(found), checks.refusals_of(found)
    if not problems:
        return [], flags
    reason = (override_reason or "").strip()
    if not reason or not all(p.overridable for p in problems):
        raise ScheduleRefused(
            problems,
            timezone=post.display_timezone,
            proposed_at=checks.schedule_proposal(post=post, at=at, problems=problems),
        )
    if not access.can(Perm.POLICY_OVERRIDE):
        raise NotPermitted(_("Only a manager can schedule against the communication policy."))
    return problems, flags


def _unscheduled_flags(post: Post) -> list[dict]:
    """Flags for a post not on the calendar: its mix and links judged in the current week."""
    accounts = [v.account for v in post.variants.select_related("account")]
    return checks.flags_of(
        checks.policy_problems(post=post, at=post.scheduled_at or now(), accounts=accounts)
    )


def _save_flags(post: Post, flags: list[dict]) -> None:
    if post.policy_flags != flags:
        post.policy_flags = flags
        post.save(update_fields=["policy_flags", "updated_at"])


def _sync_deliveries(post: Post, at: datetime) -> None:
    """One pending delivery per variant, due at ``at``. Only pending rows move; others are refused."""
    live = {
        d.variant_id: d
        for d in Delivery.objects.select_for_update()
        .filter(post=post)
        .exclude(state__in=[DeliveryState.FAILED, DeliveryState.CANCELLED])
    }
    busy = [d for d in live.values() if d.state != DeliveryState.PENDING]
    if busy:
        raise DomainError(_("This post is already being published; it can no longer be moved."))
    variants = list(post.variants.all())
    keep = {v.pk for v in variants}
    for variant_id, delivery in live.items():
        if variant_id not in keep:
            delivery.state = DeliveryState.CANCELLED
            delivery.save(update_fields=["state", "updated_at"])
    for variant in variants:
        delivery = live.get(variant.pk)
        if delivery is None:
            Delivery.objects.create(
                workspace=post.workspace,
                post=post,
                variant=variant,
                account_id=variant.account_id,
                due_at=at,
                next_attempt_at=at,
            )
        elif delivery.due_at != at:
            delivery.due_at = delivery.next_attempt_at = at
            delivery.save(update_fields=["due_at", "next_attempt_at", "updated_at"])


@transaction.atomic
def post_schedule(*, access: Access, post_id: int, at: datetime, override_reason: str | None = None) -> Post:
    """Put an approved post (or a draft, when none of its accounts needs approval) on the calendar at ``at``.

    Checks the platform limits (connector ``validate()``, never overridable) and the policy's cadence, mix
    and link rules; a refusal is ``ScheduleRefused`` naming each rule and the nearest allowed time. A
    manager (``policy.override``) may pass ``override_reason`` to schedule anyway; the override is audited.
    """
    access.require(Perm.POST_SCHEDULE)
    post = _post_for_update(access, post_id)
    if post.state in (PostState.DRAFT, PostState.IN_REVIEW) and _approval_needed(post):
        raise DomainError(_("This post needs a manager's approval before it can be scheduled."))
    if post.state not in (PostState.DRAFT, PostState.IN_REVIEW, PostState.APPROVED):
        raise DomainError(_("This post is already scheduled or published."))
    overridden, flags = _check_schedule(access, post, at, override_reason)
    before = _snapshot(post)
    post.state = PostState.SCHEDULED
    post.scheduled_at = at
    post.override_reason = (override_reason or "").strip() if overridden else ""
    post.policy_flags = flags
    post.save(update_fields=["state", "scheduled_at", "override_reason", "policy_flags", "updated_at"])
    _sync_deliveries(post, at)
    _audit(access, "post.schedule", post, before, **_override_details(overridden, post))
    return post


def _override_details(overridden: list, post: Post) -> dict:
    if not overridden:
        return {}
    return {"override_reason": post.override_reason, "overridden_rules": [p.rule for p in overridden]}


@transaction.atomic
def post_reschedule(
    *, access: Access, post_id: int, at: datetime, override_reason: str | None = None
) -> Post:
    """Move a scheduled post to ``at`` (the calendar's drag and drop). Same checks as ``post_schedule``;
    refused once any delivery has been claimed by a worker."""
    access.require(Perm.POST_SCHEDULE)
    post = _post_for_update(access, post_id)
    if post.state != PostState.SCHEDULED:
        raise DomainError(_("Only a scheduled post can be moved."))
    overridden, flags = _check_schedule(access, post, at, override_reason)
    before = _snapshot(post)
    _sync_deliveries(post, at)
    post.scheduled_at = at
    post.override_reason = (override_reason or "").strip() if overridden else ""
    post.policy_flags = flags
    post.save(update_fields=["scheduled_at", "override_reason", "policy_flags", "updated_at"])
    _audit(access, "post.reschedule", post, before, **_override_details(overridden, post))
    return post


@transaction.atomic
def post_cancel(*, access: Access, post_id: int, reason: str = "") -> Post:
    """Take a post off the calendar: pending deliveries are cancelled. Refused once a worker has claimed
    one (the platform may already have it)."""
    access.require(Perm.POST_SCHEDULE)
    post = _post_for_update(access, post_id)
    if post.state in (PostState.PUBLISHED, PostState.CANCELLED, PostState.PUBLISHING, PostState.UNCONFIRMED):
        raise DomainError(_("This post can no longer be cancelled."))
    deliveries = Delivery.objects.select_for_update().filter(post=post)
    if deliveries.exclude(
        state__in=[DeliveryState.PENDING, DeliveryState.CANCELLED, DeliveryState.FAILED]
    ).exists():
        raise DomainError(_("This post is already being published; it can no longer be cancelled."))
    before = _snapshot(post)
    deliveries.filter(state=DeliveryState.PENDING).update(state=DeliveryState.CANCELLED, updated_at=now())
    post.state = PostState.CANCELLED
    post.save(update_fields=["state", "updated_at"])
    _audit(access, "post.cancel", post, before, reason=reason)
    return post
