"""Reads for publishing. Tenant rows only through an ``Access`` (another workspace's post is a 404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Aggregate, CharField, Exists, OuterRef, Prefetch, QuerySet

from kopiena.core.params import db_ids
from kopiena.publishing.models import Delivery, Notification, Post, PostState, Variant
from kopiena.teams.models import Membership, User
from kopiena.teams.selectors import Access, access_scoped


def access_post(*, access: Access, post_id: int) -> Post:
    """One post of the access's workspace with its variants, accounts, media and deliveries; else 404."""
    queryset = Post.objects.select_related("author", "approved_by").prefetch_related(
        "media",
        Prefetch("variants", queryset=Variant.objects.select_related("account").prefetch_related("media")),
        Prefetch("deliveries", queryset=Delivery.objects.select_related("account").order_by("id")),
        "comments__author",
    )
    return access_scoped(access=access, queryset=queryset, pk=post_id)


def posts_in_workspace(*, access: Access) -> QuerySet[Post]:
    return Post.objects.filter(workspace=access.workspace)


@dataclass(frozen=True)
class CalendarEntry:
    """What the calendar draws for one post (month/week/list views). Times are aware UTC."""

    id: int
    title: str
    content_type: str
    state: str
    theme: str
    scheduled_at: datetime
    author_id: int
    account_ids: tuple[int, ...]
    flags: tuple[str, ...] = ()  # messages of the policy rules that flag the post (mix, link context)


def posts_for_calendar(
    *,
    access: Access,
    start: datetime,
    end: datetime,
    account_ids: list[int] | None = None,
    content_types: list[str] | None = None,
    themes: list[str] | None = None,
    states: list[str] | None = None,
    title_chars: int = 80,
) -> list[CalendarEntry]:
    """Posts scheduled in [start, end) for the calendar, in ONE query (account ids aggregated in SQL).

    Filters are "any of" lists; ``None`` or empty means no filter. Cancelled posts are left out unless
    ``states`` asks for them. Uses the (workspace, scheduled_at) index; the account filter is a
    correlated EXISTS on the (post, account) unique index, so it never scans an account's whole history.
    """
    posts = Post.objects.filter(workspace=access.workspace, scheduled_at__gte=start, scheduled_at__lt=end)
    if content_types:
        posts = posts.filter(content_type__in=content_types)
    if themes:
        posts = posts.filter(theme__in=themes)
    posts = posts.filter(state__in=states) if states else posts.exclude(state=PostState.CANCELLED)
    if account_ids:
        wanted = db_ids(account_ids)  # from a query string or the API: may be beyond the database's range
        posts = posts.filter(Exists(Variant.objects.filter(post=OuterRef("pk"), account_id__in=wanted)))
    rows = (
        posts.annotate(account_list=_AccountIds("variants__account_id"))
        .order_by("scheduled_at", "id")
        .values_list(
            "id",
            "text",
            "content_type",
            "state",
            "theme",
            "scheduled_at",
            "author_id",
            "account_list",
            "policy_flags",
        )
    )
    return [
        CalendarEntry(
            id=post_id,
            title=_title(text, title_chars),
            content_type=content_type,
            state=state,
            theme=theme,
            scheduled_at=scheduled_at,
            author_id=author_id,
            account_ids=tuple(sorted(int(a) for a in account_list.split(","))) if account_list else (),
            flags=tuple(flag["message"] for flag in flags or ()),
        )
        for post_id, text, content_type, state, theme, scheduled_at, author_id, account_list, flags in rows
    ]


class _AccountIds(Aggregate):
    """Comma-separated ids of a post's target accounts (GROUP_CONCAT on SQLite, string_agg on PostgreSQL)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, function="STRING_AGG", template="%(function)s(%(expressions)s::text, ',')"
        )


def _title(text: str, limit: int) -> str:
    line = (text or "").strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def posts_awaiting_review(*, access: Access) -> QuerySet[Post]:
    return (
        Post.objects.filter(workspace=access.workspace, state=PostState.IN_REVIEW)
        .select_related("author")
        .order_by("submitted_at")
    )


def deliveries_for_post(*, access: Access, post_id: int) -> QuerySet[Delivery]:
    """Per-account status of a post, with the attempt log (newest delivery last)."""
    return (
        Delivery.objects.filter(workspace=access.workspace, post_id=post_id)
        .select_related("account")
        .prefetch_related("attempt_log")
        .order_by("id")
    )


def notifications_for(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """A person's own notifications across the workspaces they still belong to (no one else's; once
    removed from a workspace, its notifications are no longer theirs to read)."""
    queryset = (
        Notification.objects.filter(recipient=user)
        .filter(Exists(Membership.objects.filter(workspace=OuterRef("workspace"), user=user)))
        .select_related("workspace", "post")
    )
    return queryset.filter(read_at__isnull=True) if unread_only else queryset
