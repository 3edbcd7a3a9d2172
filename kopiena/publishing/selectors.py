"""Reads for publishing. Tenant rows only through an ``Access`` (another workspace's post is a 404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Aggregate, CharField, Exists, OuterRef, Prefetch, Q, QuerySet

from kopiena.core.params import db_ids
from kopiena.publishing.models import Delivery, MediaAsset, Post, PostState, Variant
from kopiena.teams.selectors import Access, access_scoped


def visible_posts(*, access: Access) -> QuerySet[Post]:
    """The workspace's posts this member may see: all of them, or for a member limited to some accounts
    (R8: ``integrations.AccountGrant``, as ``integrations.selectors.granted_account_ids`` reads them) only
    posts with no variant on another account. Written as subqueries, so the calendar stays one query."""
    from kopiena.integrations.models import AccountGrant

    posts = Post.objects.filter(workspace=access.workspace)
    if access.role == "owner":  # owners are never limited
        return posts
    grants = AccountGrant.objects.filter(membership_id=access.membership.pk)
    outside = Variant.objects.filter(post=OuterRef("pk")).exclude(account_id__in=grants.values("account_id"))
    return posts.exclude(Q(Exists(grants)) & Q(Exists(outside)))


LIBRARY_SHOWN = 24


def media_library(*, access: Access, limit: int = LIBRARY_SHOWN) -> list[MediaAsset]:
    """The workspace's media library, newest first (the composer offers these files for reuse)."""
    return list(MediaAsset.objects.filter(workspace=access.workspace)[:limit])


def access_post(*, access: Access, post_id: int) -> Post:
    """One post of the access's workspace with its variants, accounts, media and deliveries; else 404."""
    queryset = (
        visible_posts(access=access)
        .select_related("author", "approved_by")
        .prefetch_related(
            "media",
            Prefetch(
                "variants", queryset=Variant.objects.select_related("account").prefetch_related("media")
            ),
            Prefetch("deliveries", queryset=Delivery.objects.select_related("account").order_by("id")),
            "comments__author",
        )
    )
    return access_scoped(access=access, queryset=queryset, pk=post_id)


def posts_in_workspace(*, access: Access) -> QuerySet[Post]:
    return visible_posts(access=access)


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
    posts = visible_posts(access=access).filter(scheduled_at__gte=start, scheduled_at__lt=end)
    posts = _filtered(posts, account_ids=account_ids, content_types=content_types, themes=themes)
    posts = posts.filter(state__in=states) if states else posts.exclude(state=PostState.CANCELLED)
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
            title=post_title(text, title_chars),
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


def _filtered(
    posts: QuerySet[Post],
    *,
    account_ids: list[int] | None,
    content_types: list[str] | None,
    themes: list[str] | None,
) -> QuerySet[Post]:
    """The calendar's "any of" filters (account, content type, theme); empty lists filter nothing."""
    if content_types:
        posts = posts.filter(content_type__in=content_types)
    if themes:
        posts = posts.filter(theme__in=themes)
    if account_ids:
        wanted = db_ids(account_ids)  # from a query string or the API: may be beyond the database's range
        posts = posts.filter(Exists(Variant.objects.filter(post=OuterRef("pk"), account_id__in=wanted)))
    return posts


def drafts_of(
    *,
    access: Access,
    account_ids: list[int] | None = None,
    content_types: list[str] | None = None,
    themes: list[str] | None = None,
    undated_only: bool = False,
) -> QuerySet[Post]:
    """The workspace's drafts, dated or not, the most recently edited first, with their accounts.

    A draft need not have a date, and the calendar can only draw posts that have one: this list (the
    Drafts page, and the calendar's "Drafts without a date" panel) is where such a draft is found again.
    """
    posts = visible_posts(access=access).filter(state=PostState.DRAFT)
    posts = _filtered(posts, account_ids=account_ids, content_types=content_types, themes=themes)
    if undated_only:
        posts = posts.filter(scheduled_at__isnull=True)
    return (
        posts.select_related("author")
        .prefetch_related(Prefetch("variants", queryset=Variant.objects.select_related("account")))
        .order_by("-updated_at", "-id")
    )


class _AccountIds(Aggregate):
    """Comma-separated ids of a post's target accounts (GROUP_CONCAT on SQLite, string_agg on PostgreSQL)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, function="STRING_AGG", template="%(function)s(%(expressions)s::text, ',')"
        )


def post_title(text: str, limit: int = 80) -> str:
    """A post's first line, cut to ``limit`` characters: how the calendar and the drafts list name a post."""
    line = (text or "").strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def posts_awaiting_review(*, access: Access) -> QuerySet[Post]:
    return (
        visible_posts(access=access)
        .filter(state=PostState.IN_REVIEW)
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


# Moved to the notifications room; the old name stays importable for callers written before the move.
from kopiena.notifications.selectors import notifications_for  # noqa: E402, F401
