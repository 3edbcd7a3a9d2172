"""``mentions_store``: the database half of the pipeline (normalise → dedupe → classify → route → store).

Called by the runner once per page a source returned, inside one transaction with the cursor update, so a
crash never skips items and a page read twice stores nothing twice. Also called by the benchmark.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F

from kopiena.audit.services import audit_record
from kopiena.connectors.types import AccountRef, ItemKind, RemoteItem
from kopiena.core.clock import now
from kopiena.inbox import bulk
from kopiena.listening.models import (
    ListeningQuery,
    ListeningSource,
    Mention,
    MentionMatch,
    SourceKind,
    SpamReview,
)
from kopiena.listening.pipeline import (
    Candidate,
    CompiledQuery,
    InboxRule,
    dedupe_batch,
    goes_to_inbox,
    match_queries,
    normalise_item,
)
from kopiena.nlp import Classification, classify_batch

DEFAULT_LANGUAGES = ("en", "lv", "ru")


@dataclass
class StoreResult:
    received: int = 0
    matched: int = 0
    created: int = 0
    duplicates: int = 0
    to_inbox: int = 0
    spam: int = 0
    skipped: int = 0  # new matches beyond ``limit``
    mention_ids: list[int] = field(default_factory=list)


def compiled_queries(queries: Iterable[ListeningQuery]) -> list[CompiledQuery]:
    return [
        CompiledQuery.build(
            pk=q.pk,
            expression=q.expression,
            languages=q.languages,
            excluded_authors=q.excluded_authors,
            excluded_domains=q.excluded_domains,
        )
        for q in queries
    ]


def inbox_rule_for(workspace) -> InboxRule:
    """The policy's ``listening.inbox`` section (defaults when the document has none yet)."""
    from kopiena.policy.selectors import policy_current

    section = getattr(getattr(policy_current(workspace=workspace), "listening", None), "inbox", None)
    languages = frozenset(workspace.languages or DEFAULT_LANGUAGES)
    if section is None:
        return InboxRule(True, frozenset({"question", "complaint"}), True, True, languages)
    return InboxRule(
        enabled=section.enabled,
        intents=frozenset(section.intents),
        acute=section.acute,
        only_non_followers=section.only_non_followers,
        languages=frozenset(section.languages) or languages,
    )


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


_HOURLY_SQL = (
    "INSERT INTO listening_hourlyvolume (workspace_id, query_key, hour, mentions, negative, neutral, positive) "
    "VALUES {values} ON CONFLICT (workspace_id, query_key, hour) DO UPDATE SET "
    "mentions = listening_hourlyvolume.mentions + excluded.mentions, "
    "negative = listening_hourlyvolume.negative + excluded.negative, "
    "neutral = listening_hourlyvolume.neutral + excluded.neutral, "
    "positive = listening_hourlyvolume.positive + excluded.positive"
)
_AUTHOR_SQL = (
    "INSERT INTO listening_authorstat (workspace_id, platform, handle, name, url, followers, mentions, negative, "
    "positive, first_seen_at, last_seen_at) VALUES {values} "
    "ON CONFLICT (workspace_id, platform, handle) DO UPDATE SET "
    "name = excluded.name, url = excluded.url, followers = COALESCE(excluded.followers, listening_authorstat.followers), "
    "mentions = listening_authorstat.mentions + excluded.mentions, "
    "negative = listening_authorstat.negative + excluded.negative, "
    "positive = listening_authorstat.positive + excluded.positive, "
    "first_seen_at = CASE WHEN excluded.first_seen_at < listening_authorstat.first_seen_at "
    "THEN excluded.first_seen_at ELSE listening_authorstat.first_seen_at END, "
    "last_seen_at = CASE WHEN excluded.last_seen_at > listening_authorstat.last_seen_at "
    "THEN excluded.last_seen_at ELSE listening_authorstat.last_seen_at END"
)
_DOMAIN_SQL = (
    "INSERT INTO listening_domainstat (workspace_id, domain, mentions, last_seen_at) VALUES {values} "
    "ON CONFLICT (workspace_id, domain) DO UPDATE SET mentions = listening_domainstat.mentions + excluded.mentions, "
    "last_seen_at = CASE WHEN excluded.last_seen_at > listening_domainstat.last_seen_at "
    "THEN excluded.last_seen_at ELSE listening_domainstat.last_seen_at END"
)
_CHUNK = 500


def _upsert(sql: str, rows: list[tuple]) -> None:
    """Run an INSERT … ON CONFLICT DO UPDATE (SQLite ≥ 3.24 and PostgreSQL speak the same dialect)."""
    if not rows:
        return
    width = len(rows[0])
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
            cursor.execute(sql.format(values=placeholders), [value for row in chunk for value in row])


def rollups_add(workspace_id: int, stored: Sequence[tuple[Mention, list[int]]]) -> None:
    """Add the stored mentions to the hourly volume (all + per query), author and domain tables."""
    hourly: dict[tuple[int, datetime], Counter] = defaultdict(Counter)
    authors: dict[tuple[str, str], list] = {}
    domains: dict[str, list] = {}
    for mention, query_ids in stored:
        hour = _hour(mention.published_at)
        for key in (0, *query_ids):
            bucket = hourly[(key, hour)]
            bucket["mentions"] += 1
            bucket[mention.sentiment or "neutral"] += 1
        if mention.author_handle:
            row = authors.get((mention.platform, mention.author_handle))
            if row is None:
                row = authors[(mention.platform, mention.author_handle)] = [
                    mention.author_name, mention.author_url, mention.author_followers, 0, 0, 0,
                    mention.published_at, mention.published_at,
                ]  # fmt: skip
            row[3] += 1
            row[4] += mention.sentiment == "negative"
            row[5] += mention.sentiment == "positive"
            row[6] = min(row[6], mention.published_at)
            row[7] = max(row[7], mention.published_at)
            if mention.author_followers is not None:
                row[2] = mention.author_followers
        if mention.domain:
            row = domains.setdefault(mention.domain, [0, mention.published_at])
            row[0] += 1
            row[1] = max(row[1], mention.published_at)
    _upsert(
        _HOURLY_SQL,
        [
            (workspace_id, key, hour, c["mentions"], c["negative"], c["neutral"], c["positive"])
            for (key, hour), c in sorted(hourly.items())
        ],
    )
    _upsert(
        _AUTHOR_SQL,
        [(workspace_id, platform, handle, *row) for (platform, handle), row in sorted(authors.items())],
    )
    _upsert(_DOMAIN_SQL, [(workspace_id, domain, *row) for domain, row in sorted(domains.items())])


def _existing(source: ListeningSource, candidates: list[Candidate]) -> dict[str, tuple[int, str]]:
    """external_id → (mention id, language) for candidates already stored (same source id, or same
    canonical URL anywhere in the workspace)."""
    found: dict[str, tuple[int, str]] = {}
    ids = [c.external_id for c in candidates]
    for start in range(0, len(ids), 900):
        for pk, external_id, language in Mention.objects.filter(
            source=source, external_id__in=ids[start : start + 900]
        ).values_list("pk", "external_id", "language"):
            found[external_id] = (pk, language)
    by_key = {c.url_key: c.external_id for c in candidates if c.url_key and c.external_id not in found}
    keys = list(by_key)
    for start in range(0, len(keys), 900):
        for pk, key, language in Mention.objects.filter(
            workspace_id=source.workspace_id, url_key__in=keys[start : start + 900]
        ).values_list("pk", "url_key", "language"):
            found[by_key[key]] = (pk, language)
    return found


def _mention(source: ListeningSource, c: Candidate, k: Classification, fetched_at: datetime, platform: str):
    return Mention(
        workspace_id=source.workspace_id,
        source_id=source.pk,
        external_id=c.external_id,
        canonical_url=c.canonical_url,
        url_key=c.url_key,
        url=c.url,
        domain=c.domain,
        platform=platform,
        author_handle=c.author_handle,
        author_name=c.author_name,
        author_external_id=c.author_external_id,
        author_url=c.author_url,
        author_followers=c.author_followers,
        is_follower=c.is_follower,
        title=c.title,
        text=c.text,
        language=k.language,
        sentiment=k.sentiment,
        intents=list(k.intents),
        toxic=k.toxic,
        spam=k.spam,
        acute=k.acute,
        spam_review=SpamReview.PENDING if k.spam else SpamReview.NONE,
        published_at=c.published_at,
        fetched_at=fetched_at,
    )


def _insert(rows: list[Mention]) -> list[Mention]:
    """Insert in one batched statement (``inbox.bulk``: no per-value ORM work), getting primary keys back;
    a row a concurrent run stored first (same source id or canonical URL) is skipped, not an error.
    ``external_id`` is unique within the batch (``dedupe_batch``), so it tells which rows went in."""
    if not rows:
        return []
    inserted = bulk.insert_keyed(Mention, rows, bulk.fields_of(Mention), key="external_id")
    return [row for row in rows if row.external_id in inserted]


@transaction.atomic
def mentions_store(
    *,
    source: ListeningSource,
    items: Iterable[RemoteItem],
    queries: Sequence[ListeningQuery] | Sequence[CompiledQuery],
    route: bool = True,
    limit: int | None = None,
    classify=classify_batch,
) -> StoreResult:
    """Store the items of one page that match at least one of ``queries``; returns what happened.

    Each mention is stored once per (source, external id) and per canonical URL in the workspace; a
    stored mention found again by another query gains that query's match. New mentions are classified
    in one batch in the workspace's languages; spam waits in the review list; what the policy's
    ``listening.inbox`` section selects becomes an inbox thread with its SLA (``route``). ``limit`` caps
    how many new mentions one call stores (a query that matches everything cannot flood the database).
    Audited once per call (deferred: the hot path).
    """
    workspace = source.workspace
    compiled = [q if isinstance(q, CompiledQuery) else compiled_queries([q])[0] for q in queries]
    fetched_at = now()
    candidates = dedupe_batch(normalise_item(item, fetched_at=fetched_at) for item in items)
    result = StoreResult(received=len(candidates))
    if not candidates or not compiled:
        return result
    # Match before classifying: most feed entries match no query and are never classified or stored.
    matched = [(c, ids) for c in candidates if (ids := match_queries(c, compiled))]
    result.matched = len(matched)
    if not matched:
        return result
    existing = _existing(source, [c for c, _ in matched])
    new_matches: list[MentionMatch] = []
    fresh: list[tuple[Candidate, list[int]]] = []
    for c, ids in matched:
        if c.external_id in existing:
            pk, language = existing[c.external_id]
            result.duplicates += 1
            doc_ids = match_queries(c, compiled, language=language)
            new_matches += [
                MentionMatch(mention_id=pk, query_id=q, published_at=c.published_at) for q in doc_ids
            ]
        else:
            fresh.append((c, ids))
    if limit is not None and len(fresh) > limit:
        result.skipped = len(fresh) - limit
        fresh = fresh[:limit]
    languages = list(workspace.languages or DEFAULT_LANGUAGES)
    # Each distinct text once (re-posts, copy-paste spam and bots repeat the same words many times).
    texts = [c.match_text for c, _ in fresh]
    distinct = list(dict.fromkeys(texts))
    by_text = dict(zip(distinct, classify(distinct, languages=languages) if distinct else [], strict=True))
    classes = [by_text[t] for t in texts]
    platform = source.account.platform if source.kind == SourceKind.SEARCH and source.account_id else "rss"
    by_pk = {q.pk: q for q in compiled}
    rows, query_ids, classified = [], [], {}
    for (c, matched_ids), k in zip(fresh, classes, strict=True):
        # The text already matched; only the queries' language filters remain to check.
        ids = [pk for pk in matched_ids if not by_pk[pk].languages or k.language in by_pk[pk].languages]
        if not ids:  # the query's language filter rules it out
            continue
        classified[c.external_id] = k
        rows.append(_mention(source, c, k, fetched_at, platform))
        query_ids.append(ids)
    stored = _insert(rows)
    by_id = {m.external_id: ids for m, ids in zip(rows, query_ids, strict=True)}
    pairs = [(m, by_id[m.external_id]) for m in stored]
    for mention, ids in pairs:
        new_matches += [
            MentionMatch(
                mention_id=mention.pk,
                query_id=q,
                published_at=mention.published_at,
                sentiment=mention.sentiment,
            )
            for q in ids
        ]
    bulk.insert(MentionMatch, new_matches, bulk.fields_of(MentionMatch), ignore_conflicts=True)
    rollups_add(source.workspace_id, pairs)
    result.created = len(stored)
    result.mention_ids = [m.pk for m in stored]
    result.spam = sum(1 for m in stored if m.spam)
    if route and stored:
        result.to_inbox = mentions_route(source=source, mentions=stored, classified=classified)
    if stored:
        ListeningSource.objects.filter(pk=source.pk).update(mentions_found=F("mentions_found") + len(stored))
        audit_record(
            actor=None, workspace=workspace, action="listening.mentions_store", obj=source,
            after={"created": result.created, "duplicates": result.duplicates, "to_inbox": result.to_inbox,
                   "spam": result.spam},
            defer=True,
        )  # fmt: skip
    return result


def _remote_for_inbox(mention: Mention) -> RemoteItem:
    return RemoteItem(
        external_id=mention.external_id,
        kind=ItemKind.MENTION,
        text=mention.text,
        created_at=mention.published_at,
        author=AccountRef(
            id=mention.author_external_id,
            handle=mention.author_handle,
            name=mention.author_name,
            url=mention.author_url,
            is_follower=mention.is_follower,
            followers_count=mention.author_followers,
        ),
        url=mention.url,
        title=mention.title,
    )


def mentions_route(
    *,
    source: ListeningSource,
    mentions: Sequence[Mention],
    classified: dict[str, Classification] | None = None,
) -> int:
    """Hand the mentions the policy selects to the inbox (``items_ingest``: routing, SLA in business time
    and threading unchanged); link each mention to its inbox item. Returns how many went."""
    from kopiena.inbox.models import Item
    from kopiena.inbox.services import items_ingest

    rule = inbox_rule_for(source.workspace)
    chosen = [
        m for m in mentions
        if goes_to_inbox(rule, intents=m.intents, acute=m.acute, spam=m.spam, language=m.language,
                         is_follower=m.is_follower)
    ]  # fmt: skip
    if not chosen:
        return 0
    account = source_inbox_account(source=source)
    items_ingest(account=account, remote_items=[_remote_for_inbox(m) for m in chosen], classified=classified)
    item_ids = dict(
        Item.objects.filter(account=account, external_id__in=[m.external_id for m in chosen]).values_list(
            "external_id", "pk"
        )
    )
    for mention in chosen:
        mention.inbox_item_id = item_ids.get(mention.external_id)
    bulk.update(Mention, [m for m in chosen if m.inbox_item_id], ["inbox_item"])
    return sum(1 for m in chosen if m.inbox_item_id)


def source_inbox_account(*, source: ListeningSource):
    """The connected account inbox threads of this source belong to: the searching account, or for a feed
    an ``rss`` account made on first use (feeds cannot be answered through Kopiena; the inbox offers
    "answered elsewhere" for them)."""
    from kopiena.integrations.models import ConnectedAccount

    if source.account_id:
        return source.account
    account, _ = ConnectedAccount.objects.get_or_create(
        workspace_id=source.workspace_id,
        platform="rss",
        external_id=source.feed_url[:255],
        defaults={"name": source.name[:120], "base_url": source.feed_url[:200], "approval_required": False,
                  "settings": {"listening_source": source.pk}},
    )  # fmt: skip
    ListeningSource.objects.filter(pk=source.pk).update(account=account)
    source.account = account
    return account
