"""CSV export of competitors (their posts) and leaders; formula cells neutralised like listening's."""

from __future__ import annotations

from collections.abc import Iterator

from kopiena.listening.export import _rows_to_csv
from kopiena.listening.leaders import Leader
from kopiena.listening.models import CompetitorPost
from kopiena.teams.models import Workspace

COMPETITOR_POST_COLUMNS = ["competitor", "platform", "handle", "published_at", "content_type", "text", "url",
                           "likes", "shares", "replies"]  # fmt: skip
LEADER_COLUMNS = ["platform", "handle", "other_handles", "name", "score", "activity", "mentions", "comments",
                  "replies_drawn", "positivity", "followers", "last_seen"]  # fmt: skip


def competitor_posts_csv(*, workspace: Workspace) -> Iterator[str]:
    def rows():
        posts = (
            CompetitorPost.objects.filter(competitor__workspace=workspace)
            .select_related("competitor", "account")
            .order_by("-published_at", "-pk")
        )
        for p in posts.iterator(chunk_size=2000):
            yield [p.competitor.name, p.account.platform, p.account.handle, p.published_at.isoformat(),
                   p.content_type, p.text, p.url, p.likes, p.shares, p.replies]  # fmt: skip

    return _rows_to_csv(COMPETITOR_POST_COLUMNS, rows())


def leaders_csv(leaders: list[Leader]) -> Iterator[str]:
    def rows():
        for x in leaders:
            yield [x.platform, x.handle, [f"{p}:{h}" for p, h in x.handles[1:]], x.name, x.score, x.activity,
                   x.mentions, x.comments, x.replies_drawn, x.positivity, x.followers,
                   x.last_seen.isoformat() if x.last_seen else ""]  # fmt: skip

    return _rows_to_csv(LEADER_COLUMNS, rows())
