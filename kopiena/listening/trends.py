"""Trends (R19, C10): what rises in mentions and in our inbox comments against the previous period, and
"make it a post idea" — a draft post made in one click that records the trend it came from.

Topics come from ``nlp.topics.find_topics`` (NMF over TF-IDF, fitted on this period and applied to the
previous one, so "growth" compares like with like); hashtags and single terms are counted directly. The
texts are capped per period: trends are about what is common, and the page must stay fast at a million
mentions. Finding them still takes 0.1–0.2 s (topic fitting), so the page shows what the clock computed
at most ``FRESH_SECONDS`` ago (``trends_refresh_active``, kept in the cache) and computes only when there
is nothing that fresh, or when someone asks for a refresh.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from kopiena.audit.services import audit_record
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.inbox.models import Item, ItemKind
from kopiena.listening.models import Mention, TrendIdea
from kopiena.nlp.topics import STOP_WORDS, TopicComment, find_topics
from kopiena.teams.models import Workspace
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access

TEXTS_PER_PERIOD = 1500
PERIODS_DAYS = (1, 7, 30)  # the periods the Trends page offers
FRESH_SECONDS = 300  # the clock refreshes the trends of active workspaces this often
_HASHTAG = re.compile(r"(?<![\w#])#(\w{2,60})", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
MIN_RISING = 2


@dataclass
class Trend:
    kind: str  # "topic", "hashtag" or "term"
    label: str
    terms: list[str]
    count: int
    previous: int
    growth: float
    examples: list[str] = field(default_factory=list)

    @property
    def growth_percent(self) -> int:
        return round(self.growth * 100)


def _texts(workspace: Workspace, since, until) -> list[TopicComment]:
    mentions = Mention.objects.filter(
        workspace=workspace, published_at__gte=since, published_at__lt=until, spam=False
    ).order_by("-published_at", "-pk")[:TEXTS_PER_PERIOD]
    comments = Item.objects.filter(
        workspace=workspace, remote_created_at__gte=since, remote_created_at__lt=until, spam=False,
        kind__in=[ItemKind.COMMENT, ItemKind.REPLY, ItemKind.MENTION],
    ).order_by("-remote_created_at", "-pk")[:TEXTS_PER_PERIOD]  # fmt: skip
    rows = [
        TopicComment(text=(title + " " + text).strip() if title and title not in text else text,
                     id=f"m{pk}", sentiment=sentiment or "neutral")
        for pk, title, text, sentiment in mentions.values_list("pk", "title", "text", "sentiment")
    ]  # fmt: skip
    rows += [
        TopicComment(text=text, id=f"i{pk}", sentiment=sentiment or "neutral")
        for pk, text, sentiment in comments.values_list("pk", "text", "sentiment")
    ]
    return [r for r in rows if r.text.strip()]


def _growth(count: int, previous: int) -> float:
    return round((count - previous) / max(previous, 1), 4)


def _counted(texts: list[TopicComment], pattern: re.Pattern, *, stop=frozenset()) -> tuple[Counter, dict]:
    counts: Counter = Counter()
    examples: dict[str, list[str]] = {}
    for row in texts:
        seen = {m.lower() for m in pattern.findall(row.text)} - stop
        for term in seen:
            counts[term] += 1
            if len(examples.setdefault(term, [])) < 3:
                examples[term].append(row.text[:300])
    return counts, examples


def trends_find(*, workspace: Workspace, days: int = 7, limit: int = 8) -> dict[str, list[Trend]]:
    """Rising topics, hashtags and terms of the last ``days`` against the ``days`` before."""
    until = now()
    since = until - timedelta(days=days)
    current = _texts(workspace, since, until)
    previous = _texts(workspace, since - timedelta(days=days), since)
    languages = list(workspace.languages or []) or None

    topics = [
        Trend(kind="topic", label=t.label, terms=list(t.terms), count=t.count, previous=t.previous_count or 0,
              growth=t.growth or 0.0, examples=[r.text[:300] for r in t.representatives])
        for t in find_topics(current, previous, max_topics=limit, languages=languages)
    ]  # fmt: skip
    topics.sort(key=lambda t: (-t.growth, -t.count, t.label))

    def rising(kind: str, pattern: re.Pattern, stop=frozenset()) -> list[Trend]:
        now_counts, examples = _counted(current, pattern, stop=stop)
        before, _examples = _counted(previous, pattern, stop=stop)
        found = [
            Trend(kind=kind, label=("#" + term) if kind == "hashtag" else term, terms=[term], count=n,
                  previous=before.get(term, 0), growth=_growth(n, before.get(term, 0)), examples=examples[term])
            for term, n in now_counts.items()
            if n >= MIN_RISING and n > before.get(term, 0)
        ]  # fmt: skip
        found.sort(key=lambda t: (-(t.count - t.previous), -t.count, t.label))
        return found[:limit]

    return {
        "topics": topics,
        "hashtags": rising("hashtag", _HASHTAG),
        "terms": rising("term", _WORD, stop=STOP_WORDS),
        "texts": len(current),
        "previous_texts": len(previous),
    }


def _cache_key(workspace_id: int, days: int) -> str:
    return f"listening:trends:{workspace_id}:{days}"


def trends_current(*, workspace: Workspace, days: int, refresh: bool = False) -> dict:
    """``trends_find``'s answer with its ``computed_at``: the stored one when it is at most
    ``FRESH_SECONDS`` old, else (or with ``refresh``) computed now and stored."""
    found = None if refresh else cache.get(_cache_key(workspace.pk, days))
    if found is None or found["computed_at"] < now() - timedelta(seconds=FRESH_SECONDS):
        found = trends_refresh(workspace=workspace, days=days)
    return found


def trends_refresh(*, workspace: Workspace, days: int) -> dict:
    found = trends_find(workspace=workspace, days=days)
    found["computed_at"] = now()
    cache.set(_cache_key(workspace.pk, days), found, timeout=FRESH_SECONDS * 3)
    return found


def trends_refresh_active() -> int:
    """The clock's job: compute every period's trends for each workspace that had a mention or an inbox
    item in the longest period, so the Trends page reads them instead of computing them. Returns how many
    workspaces were refreshed."""
    since = now() - timedelta(days=max(PERIODS_DAYS))
    active = set(
        Mention.objects.filter(published_at__gte=since).values_list("workspace_id", flat=True).distinct()
    )
    active |= set(
        Item.objects.filter(remote_created_at__gte=since).values_list("workspace_id", flat=True).distinct()
    )
    for workspace in Workspace.objects.filter(pk__in=active):
        for days in PERIODS_DAYS:
            trends_refresh(workspace=workspace, days=days)
    return len(active)


@transaction.atomic
def trend_post_idea_create(
    *, access: Access, label: str, terms=(), examples=(), days: int = 7, kind: str = "topic"
) -> TrendIdea:
    """A draft post (for the workspace's active accounts) seeded with the trend; the draft's origin is
    kept in ``TrendIdea`` and the audit log."""
    from kopiena.integrations.models import AccountStatus, ConnectedAccount
    from kopiena.publishing.services import post_create

    access.require(Perm.POST_DRAFT)
    label = (label or "").strip()[:255]
    if not label:
        raise DomainError(_("This trend has no name."), field="label")
    account_ids = list(
        ConnectedAccount.objects.filter(workspace=access.workspace, status=AccountStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not account_ids:
        raise DomainError(_("Connect an account first: a draft post belongs to accounts."))
    terms = [str(t)[:100] for t in terms or []][:10]
    examples = [str(e)[:300] for e in examples or []][:3]
    text = _("Idea from the trend “%(label)s”: ") % {"label": label}
    post = post_create(access=access, account_ids=account_ids, text=text, tags=["trend"])
    idea = TrendIdea.objects.create(
        workspace=access.workspace, post=post, label=label, terms=terms, examples=examples,
        period_days=days, created_by=access.user,
    )  # fmt: skip
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.trend_post_idea", obj=post,
        after={"trend": label, "kind": kind, "terms": terms, "days": days},
    )  # fmt: skip
    return idea
