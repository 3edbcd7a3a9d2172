"""Competitors (R18): services (audited), the clock's fetch of their feeds, and the page's reads.

Their public posts arrive through feeds (RSS/Atom — a blog, Mastodon's ``/@user.rss``, Bluesky's
``/profile/<handle>/rss``), read with the same connector and SSRF guard as listening's feeds. Feeds carry
no engagement counts; ``competitor_posts_store`` accepts them where a caller has them (the demo, a future
platform reader) and appends a snapshot only when they changed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from kopiena.audit.services import audit_record
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.rss.connector import RssConnector
from kopiena.connectors.types import AccountCredentials
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.listening.models import (
    Competitor,
    CompetitorAccount,
    CompetitorEngagement,
    CompetitorPost,
    Mention,
)
from kopiena.teams.models import Workspace
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access, access_scoped

FETCH_EVERY_SECONDS = 30 * 60
SANDBOX_EVERY_SECONDS = 60
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 6 * 3600
ACCOUNTS_PER_RUN = 20
_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
_LINK = re.compile(r"https?://", re.IGNORECASE)


@dataclass(frozen=True)
class CompetitorPostIn:
    external_id: str
    published_at: datetime
    text: str = ""
    url: str = ""
    content_type: str = ""
    likes: int = 0
    shares: int = 0
    replies: int = 0


def content_type_of(text: str, title: str = "") -> str:
    """A feed entry's kind, in our publishing's content types: an article (titled) or a link share is a
    link; everything else text."""
    return "link" if title or _LINK.search(text or "") else "text"


# ---- services -------------------------------------------------------------------------------------


def _clean_aliases(values) -> list[str]:
    seen: list[str] = []
    for value in values or []:
        value = str(value).strip()[:120]
        if value and value.lower() not in [s.lower() for s in seen]:
            seen.append(value)
    return seen[:20]


@transaction.atomic
def competitor_create(*, access: Access, name: str, aliases=()) -> Competitor:
    access.require(Perm.LISTENING_MANAGE)
    name = (name or "").strip()[:120]
    if not name:
        raise DomainError(_("Give the competitor a name."), field="name")
    if Competitor.objects.filter(workspace=access.workspace, name__iexact=name).exists():
        raise DomainError(_("This competitor is already tracked."), field="name")
    competitor = Competitor.objects.create(
        workspace=access.workspace, name=name, aliases=_clean_aliases(aliases), created_by=access.user
    )
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.competitor_create", obj=competitor,
        after={"name": name, "aliases": competitor.aliases},
    )  # fmt: skip
    return competitor


@transaction.atomic
def competitor_delete(*, access: Access, competitor_id: int) -> None:
    competitor = access_competitor(access=access, pk=competitor_id)
    access.require(Perm.LISTENING_MANAGE)
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.competitor_delete", obj=competitor,
        before={"name": competitor.name},
    )  # fmt: skip
    competitor.delete()


@transaction.atomic
def competitor_account_add(
    *, access: Access, competitor_id: int, platform: str, feed_url: str, handle: str = ""
) -> CompetitorAccount:
    competitor = access_competitor(access=access, pk=competitor_id)
    access.require(Perm.LISTENING_MANAGE)
    feed_url = (feed_url or "").strip()
    platform = (platform or "rss").strip().lower()[:30] or "rss"
    handle = (handle or "").strip().lstrip("@")[:255]
    if not feed_url:
        # No feed: the platform's own API, where its connector can read another account's posts.
        if not reads_accounts(platform):
            raise DomainError(_("Enter a feed address starting with http:// or https://."), field="feed_url")
        if not handle:
            raise DomainError(_("Give a platform and a handle."), field="handle")
        if competitor.accounts.filter(feed_url="", platform=platform, handle__iexact=handle).exists():
            raise DomainError(_("This account is already tracked."), field="handle")
    else:
        if not _URL.match(feed_url) or len(feed_url) > 1000:
            raise DomainError(_("Enter a feed address starting with http:// or https://."), field="feed_url")
        if competitor.accounts.filter(feed_url=feed_url).exists():
            raise DomainError(_("This feed is already tracked."), field="feed_url")
    account = CompetitorAccount.objects.create(
        competitor=competitor, platform=platform, handle=handle, feed_url=feed_url
    )
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.competitor_account_add",
        obj=competitor, after={"platform": account.platform, "handle": account.handle, "feed_url": feed_url},
    )  # fmt: skip
    return account


@transaction.atomic
def competitor_posts_store(*, account: CompetitorAccount, posts: list[CompetitorPostIn]) -> int:
    """Store new posts (once per account and external id) and append an engagement snapshot for each
    post whose counts are new or changed. Returns how many posts were new. System write (the clock)."""
    at = now()
    existing = {
        p.external_id: p
        for p in CompetitorPost.objects.filter(
            account=account, external_id__in=[p.external_id for p in posts]
        )
    }
    created = 0
    snapshots = []
    for item in posts:
        post = existing.get(item.external_id)
        counts = (item.likes, item.shares, item.replies)
        if post is None:
            post = CompetitorPost.objects.create(
                account=account, competitor_id=account.competitor_id, external_id=item.external_id[:500],
                url=item.url[:1000], published_at=item.published_at, text=item.text[:5000],
                content_type=item.content_type or content_type_of(item.text), likes=item.likes,
                shares=item.shares, replies=item.replies, fetched_at=at,
            )  # fmt: skip
            existing[item.external_id] = post
            created += 1
            if any(counts):
                snapshots.append(CompetitorEngagement(post=post, at=at, likes=counts[0], shares=counts[1],
                                                      replies=counts[2]))  # fmt: skip
        elif any(counts) and counts != (post.likes, post.shares, post.replies):
            post.likes, post.shares, post.replies = counts
            post.fetched_at = at
            post.save(update_fields=["likes", "shares", "replies", "fetched_at"])
            snapshots.append(CompetitorEngagement(post=post, at=at, likes=counts[0], shares=counts[1],
                                                  replies=counts[2]))  # fmt: skip
    CompetitorEngagement.objects.bulk_create(snapshots)
    return created


# ---- the clock's fetch ----------------------------------------------------------------------------


def _is_sandbox(account: CompetitorAccount) -> bool:
    from kopiena.sandbox.demo import SANDBOX_URL

    return bool(account.feed_url) and account.feed_url.startswith(SANDBOX_URL + "/")


def accounts_due(moment=None) -> list[CompetitorAccount]:
    moment = moment or now()
    return list(
        CompetitorAccount.objects.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=moment))
        .select_related("competitor")
        .order_by("next_attempt_at", "pk")[:ACCOUNTS_PER_RUN]
    )


def reads_accounts(platform: str) -> bool:
    from kopiena.integrations import platforms

    return Capability.ACCOUNT_POSTS.value in platforms.capability_names(platform)


def _read_feed(account: CompetitorAccount):
    credentials = AccountCredentials(base_url=account.feed_url, account_key=f"competitor:{account.pk}")
    allow = _is_sandbox(account) or settings.OUTBOUND_ALLOW_PRIVATE
    with RssConnector(credentials, allow_loopback=allow) as connector:
        page = connector.fetch_mentions(cursor=account.cursor)
    posts = [
        CompetitorPostIn(
            external_id=item.external_id, published_at=item.created_at, url=item.url,
            text=item.text or item.title,  # the feed mapper already puts the title first
            content_type=content_type_of(item.text, item.title),
        )
        for item in page.items
    ]  # fmt: skip
    return page, posts


def _read_platform(account: CompetitorAccount):
    """Through one of the workspace's connected accounts of that platform (its token, its rate limit)."""
    from kopiena.integrations.connecting import connector_for
    from kopiena.integrations.models import AccountStatus, ConnectedAccount

    connected = (
        ConnectedAccount.objects.filter(
            workspace_id=account.competitor.workspace_id,
            platform=account.platform,
            status=AccountStatus.ACTIVE,
        )
        .order_by("pk")
        .first()
    )
    if connected is None or not reads_accounts(account.platform):
        raise DomainError(_("Connect an account of this platform to read the competitor's posts."))
    connector = connector_for(connected)
    try:
        # Always the newest page, not "after the cursor": re-reading recent posts is what refreshes their
        # counts (a snapshot is appended only when they changed); stored posts are not stored twice.
        result = connector.fetch_account_posts(account.handle)
    finally:
        connector.close()
    posts = []
    for item in result.page.items:
        counts = result.metrics.get(item.external_id)
        posts.append(
            CompetitorPostIn(
                external_id=item.external_id, published_at=item.created_at, url=item.url, text=item.text,
                content_type=content_type_of(item.text), likes=(counts.likes or 0) if counts else 0,
                shares=(counts.reposts or 0) if counts else 0, replies=(counts.replies or 0) if counts else 0,
            )
        )  # fmt: skip
    return result.page, posts


def competitor_account_fetch(account: CompetitorAccount) -> int:
    """Read one account's feed (outside a transaction), store what is new; a failure is recorded on the
    account with backoff and never raised (the other accounts carry on)."""
    from kopiena.listening.runner import human_error

    started = now()
    try:
        if account.feed_url:
            page, posts = _read_feed(account)
        else:
            page, posts = _read_platform(account)
        with transaction.atomic():
            created = competitor_posts_store(account=account, posts=posts)
            account.cursor = page.cursor
            account.last_run_at = account.last_success_at = started
            account.last_error = ""
            account.consecutive_failures = 0
            every = SANDBOX_EVERY_SECONDS if _is_sandbox(account) else FETCH_EVERY_SECONDS
            account.next_attempt_at = started + timedelta(seconds=every)
            account.save()
        return created
    except Exception as exc:  # one feed's trouble (or a bug) must not stop the others
        account.last_run_at = started
        account.last_error = (exc.message if isinstance(exc, DomainError) else human_error(exc))[:2000]
        account.consecutive_failures += 1
        delay = min(BACKOFF_BASE_SECONDS * 2 ** (account.consecutive_failures - 1), BACKOFF_MAX_SECONDS)
        account.next_attempt_at = started + timedelta(seconds=delay)
        account.save(update_fields=["last_run_at", "last_error", "consecutive_failures", "next_attempt_at"])
        return 0


def competitors_fetch() -> int:
    return sum(competitor_account_fetch(account) for account in accounts_due())


# ---- reads ----------------------------------------------------------------------------------------


def access_competitor(*, access: Access, pk) -> Competitor:
    return access_scoped(access=access, queryset=Competitor.objects.all(), pk=pk)


def competitors_of(*, workspace: Workspace) -> QuerySet[Competitor]:
    return Competitor.objects.filter(workspace=workspace).prefetch_related("accounts")


def _week_start(moment: datetime) -> datetime:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def weekly_comparison(*, workspace: Workspace, weeks: int = 12) -> dict:
    """Posts and engagement per week for each competitor, and our published posts per week (UTC weeks)."""
    from kopiena.publishing.models import Post, PostState

    start = _week_start(now()) - timedelta(weeks=weeks - 1)
    labels = [start + timedelta(weeks=n) for n in range(weeks)]
    index = {label: n for n, label in enumerate(labels)}
    series = []
    for competitor in Competitor.objects.filter(workspace=workspace).order_by("name"):
        posts = [0] * weeks
        engagement = [0] * weeks
        for published_at, likes, shares, replies in CompetitorPost.objects.filter(
            competitor=competitor, published_at__gte=start
        ).values_list("published_at", "likes", "shares", "replies"):
            n = index.get(_week_start(published_at))
            if n is not None:
                posts[n] += 1
                engagement[n] += likes + shares + replies
        series.append({"label": competitor.name, "posts": posts, "engagement": engagement})
    ours = [0] * weeks
    for published_at in Post.objects.filter(
        workspace=workspace, state=PostState.PUBLISHED, published_at__gte=start
    ).values_list("published_at", flat=True):
        n = index.get(_week_start(published_at))
        if n is not None:
            ours[n] += 1
    return {"labels": [label.strftime("%d.%m.") for label in labels], "competitors": series, "ours": ours}


def cadence_and_mix(*, workspace: Workspace, days: int = 28) -> list[dict]:
    """Posts per week and content mix (share per content type) over ``days``: ours first, then each
    competitor."""
    from kopiena.publishing.models import ContentType, Post, PostState

    since = now() - timedelta(days=days)
    labels = dict(ContentType.choices)
    rows = []
    ours = Counter(
        dict(
            Post.objects.filter(workspace=workspace, state=PostState.PUBLISHED, published_at__gte=since)
            .values_list("content_type")
            .annotate(n=Count("pk"))
        )
    )
    rows.append({"name": _("Us"), "ours": True, "counts": ours})
    for competitor in Competitor.objects.filter(workspace=workspace).order_by("name"):
        counts = Counter(
            dict(
                CompetitorPost.objects.filter(competitor=competitor, published_at__gte=since)
                .values_list("content_type")
                .annotate(n=Count("pk"))
            )
        )
        rows.append({"name": competitor.name, "ours": False, "counts": counts, "competitor": competitor})
    for row in rows:
        total = sum(row["counts"].values())
        row["total"] = total
        row["per_week"] = round(total * 7 / days, 1)
        row["mix"] = [
            {"type": str(labels.get(kind, kind)), "share": round(100 * n / total)}
            for kind, n in row["counts"].most_common()
        ] if total else []  # fmt: skip
    return rows


def share_of_voice(*, workspace: Workspace, days: int = 30) -> list[dict]:
    """Mentions in ``days`` naming each competitor (its name or an alias) against all the brand's
    mentions (those its saved queries matched, less the ones that name only a competitor)."""
    since = now() - timedelta(days=days)
    base = Mention.objects.filter(workspace=workspace, published_at__gte=since, spam=False)
    rows = []
    named = Q()
    for competitor in Competitor.objects.filter(workspace=workspace).order_by("name"):
        terms = Q()
        for term in competitor.terms:
            terms |= Q(text__icontains=term) | Q(title__icontains=term)
        named |= terms
        rows.append({"name": competitor.name, "ours": False, "mentions": base.filter(terms).count()})
    ours = base.exclude(named).count() if rows else base.count()
    rows.insert(0, {"name": _("Us"), "ours": True, "mentions": ours})
    total = sum(r["mentions"] for r in rows)
    for row in rows:
        row["share"] = round(100 * row["mentions"] / total) if total else 0
    return rows


def competitor_posts(*, competitor: Competitor, limit: int = 20) -> QuerySet[CompetitorPost]:
    return CompetitorPost.objects.filter(competitor=competitor).select_related("account")[:limit]
