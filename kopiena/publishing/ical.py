"""iCal feeds of the publishing plan: one per workspace or per account, behind a secret URL.

Calendar apps cannot sign in, so the URL's token is the credential. Only its SHA-256 hash is stored
(like API tokens); the token is shown once when the feed is created or regenerated. Revoking keeps the
row (the audit log points at it) and the old URL answers 404 from then on.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import icalendar
from django.db import models, transaction
from django.utils.translation import gettext as _

from kopiena.audit.services import audit_record
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.core.models import WorkspaceScopedModel
from kopiena.core.zones import zone_name_of
from kopiena.integrations.models import ConnectedAccount
from kopiena.publishing.content_types import content_types
from kopiena.publishing.models import Post, PostState, Variant
from kopiena.teams.models import hash_token
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access

# Calendar apps show a post as a short event; the plan has no real duration.
EVENT_DURATION = timedelta(minutes=15)
# What a feed covers: recent history (so "what went out last week" is visible) and the plan ahead.
FEED_PAST = timedelta(days=31)
FEED_AHEAD = timedelta(days=366)
FEED_STATES = [s for s in PostState.values if s not in (PostState.CANCELLED, PostState.DRAFT)]


class CalendarFeed(WorkspaceScopedModel):
    """A secret iCal URL for the whole workspace (``account`` empty) or for one account."""

    account = models.ForeignKey(
        ConnectedAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey("teams.User", on_delete=models.SET_NULL, null=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "publishing"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"iCal feed {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def calendar_feeds(*, access: Access) -> models.QuerySet[CalendarFeed]:
    return CalendarFeed.objects.filter(workspace=access.workspace).select_related("account", "created_by")


def calendar_feed_by_token(*, token: str) -> CalendarFeed | None:
    """The active feed for a raw URL token, or None (unknown and revoked tokens look the same)."""
    return (
        CalendarFeed.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .select_related("workspace", "account")
        .first()
    )


# How often a feed's "last fetched" is written: calendar apps poll every few minutes.
FETCH_RECORD_INTERVAL = timedelta(minutes=5)


def calendar_feed_fetched(*, feed: CalendarFeed) -> None:
    """Note that the feed was read (shown beside it, so a leaked address still in use stands out)."""
    moment = now()
    if feed.last_fetched_at is None or moment - feed.last_fetched_at > FETCH_RECORD_INTERVAL:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=moment)


def _new_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw)


@transaction.atomic
def calendar_feed_create(*, access: Access, account_id: int | None = None) -> tuple[CalendarFeed, str]:
    """A new feed; returns it with the raw token (shown once, never stored). Needs ``post.schedule``."""
    access.require(Perm.POST_SCHEDULE)
    account = None
    if account_id is not None:
        account = ConnectedAccount.objects.filter(workspace=access.workspace, pk=account_id).first()
        if account is None:
            raise DomainError(_("No such account."), field="account")
    raw, digest = _new_token()
    feed = CalendarFeed.objects.create(
        workspace=access.workspace, account=account, token_hash=digest, created_by=access.user
    )
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="calendar_feed.create",
        obj=feed,
        after={"account": account_id},
    )
    return feed, raw


def _feed_for_update(access: Access, feed_id: int) -> CalendarFeed:
    feed = CalendarFeed.objects.select_for_update().filter(workspace=access.workspace, pk=feed_id).first()
    if feed is None:
        raise DomainError(_("No such calendar feed."))
    return feed


@transaction.atomic
def calendar_feed_revoke(*, access: Access, feed_id: int) -> CalendarFeed:
    """The feed's URL stops working at once."""
    access.require(Perm.POST_SCHEDULE)
    feed = _feed_for_update(access, feed_id)
    if feed.revoked_at is None:
        feed.revoked_at = now()
        feed.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=access.user, workspace=access.workspace, action="calendar_feed.revoke", obj=feed, after={}
        )
    return feed


@transaction.atomic
def calendar_feed_regenerate(*, access: Access, feed_id: int) -> tuple[CalendarFeed, str]:
    """A new secret for an active feed (the old URL stops working); returns the new raw token."""
    access.require(Perm.POST_SCHEDULE)
    feed = _feed_for_update(access, feed_id)
    if feed.revoked_at is not None:
        raise DomainError(_("This feed was revoked; create a new one."))
    raw, feed.token_hash = _new_token()
    feed.save(update_fields=["token_hash", "updated_at"])
    audit_record(
        actor=access.user, workspace=access.workspace, action="calendar_feed.regenerate", obj=feed, after={}
    )
    return feed, raw


def feed_posts(feed: CalendarFeed) -> models.QuerySet[Post]:
    moment = now()
    posts = Post.objects.filter(
        workspace=feed.workspace,
        scheduled_at__gte=moment - FEED_PAST,
        scheduled_at__lt=moment + FEED_AHEAD,
        state__in=FEED_STATES,
    )
    if feed.account_id:
        posts = posts.filter(pk__in=Variant.objects.filter(account_id=feed.account_id).values("post_id"))
    return posts.order_by("scheduled_at", "id").prefetch_related("variants__account")


def ical_document(feed: CalendarFeed, *, domain: str) -> bytes:
    """The feed as an RFC 5545 calendar (one VEVENT per post, UID stable across fetches)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Kopiena//Publishing plan//EN")
    calendar.add("version", "2.0")
    name = feed.workspace.name if feed.account is None else f"{feed.workspace.name} — {feed.account.name}"
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone_name_of(feed.workspace.timezone))
    stamp = now()
    labels = dict(content_types(feed.workspace))
    for post in feed_posts(feed):
        kind = labels.get(post.content_type, post.content_type)
        event = icalendar.Event()
        event.add("uid", f"post-{post.pk}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", post.scheduled_at)
        event.add("dtend", post.scheduled_at + EVENT_DURATION)
        accounts = ", ".join(v.account.name for v in post.variants.all())
        first_line = (post.text or kind).strip().split("\n", 1)[0][:80]
        event.add("summary", first_line)
        event.add(
            "description",
            "\n".join(
                part
                for part in [
                    post.text,
                    post.link,
                    f"{_('Accounts')}: {accounts}",
                    f"{_('Content type')}: {kind}",
                    f"{_('State')}: {post.get_state_display()}",
                ]
                if part
            ),
        )
        event.add("categories", [kind])
        event.add("last-modified", post.updated_at)
        calendar.add_component(event)
    return calendar.to_ical()
