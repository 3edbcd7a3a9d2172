"""The pure steps of listening's store path: normalise → (dedupe) → match → decide what goes to the inbox.

No ORM here (``services.mentions_store`` does the database part), so the rules are easy to read and test
and the benchmark can time each step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from kopiena.connectors.types import RemoteItem
from kopiena.listening.query_language import Matcher, TextIndex, index_text, normalise

TEXT_MAX_CHARS = 20_000
TITLE_MAX_CHARS = 500
# Tracking parameters that make the same article look like two (utm_*, fbclid …): dropped when comparing.
TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "yclid", "mc_cid", "mc_eid", "igshid", "ref_src", "_hsenc")


def canonical_url(url: str) -> str:
    """The link without fragment and tracking parameters, host lower-cased, default port and trailing
    slash dropped; ``""`` for anything that is not an http(s) URL."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.lower()
    try:
        port = parts.port
    except ValueError:
        return ""
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(TRACKING_PARAMS)
    ]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(
        ("https" if parts.scheme.lower() == "https" else "http", host, path, urlencode(query), "")
    )


def url_key(canonical: str) -> str:
    return hashlib.sha256(canonical.encode()).hexdigest() if canonical else ""


def domain_of(canonical: str) -> str:
    host = urlsplit(canonical).hostname or "" if canonical else ""
    return host.removeprefix("www.")


@dataclass(frozen=True)
class Candidate:
    """One item read from a source, normalised and ready to dedupe, classify and store."""

    external_id: str
    url: str
    canonical_url: str
    url_key: str
    domain: str
    author_handle: str
    author_name: str
    author_external_id: str
    author_url: str
    author_followers: int | None
    is_follower: bool | None
    title: str
    text: str
    published_at: datetime
    remote: RemoteItem

    @property
    def match_text(self) -> str:
        return f"{self.title}\n{self.text}" if self.title else self.text


def normalise_item(item: RemoteItem, *, fetched_at: datetime) -> Candidate:
    """``item`` as a Candidate: capped text, canonical link, a time never in the future."""
    canonical = canonical_url(item.url)
    published = item.created_at if item.created_at.tzinfo else item.created_at.replace(tzinfo=UTC)
    author = item.author
    text = (item.text or "")[:TEXT_MAX_CHARS]
    return Candidate(
        external_id=item.external_id[:255],
        url=item.url[:1000],
        canonical_url=canonical[:1000],
        url_key=url_key(canonical[:1000]),
        domain=domain_of(canonical)[:255],
        author_handle=(author.handle or author.name or "")[:255],
        author_name=(author.name or "")[:255],
        author_external_id=(author.id or "")[:255],
        author_url=(author.url or "")[:500],
        author_followers=author.followers_count,
        is_follower=author.is_follower,
        title=(item.title or "")[:TITLE_MAX_CHARS],
        text=text,
        published_at=min(published, fetched_at),
        remote=item,
    )


def dedupe_batch(candidates: Iterable[Candidate]) -> list[Candidate]:
    """The first of each external id and of each canonical URL within one batch, in order."""
    seen_ids: set[str] = set()
    seen_urls: set[str] = set()
    kept = []
    for c in candidates:
        if c.external_id in seen_ids or (c.url_key and c.url_key in seen_urls):
            continue
        seen_ids.add(c.external_id)
        if c.url_key:
            seen_urls.add(c.url_key)
        kept.append(c)
    return kept


@dataclass(frozen=True)
class CompiledQuery:
    """A saved query ready to match: its compiled expression and its exclusions, normalised."""

    pk: int
    matcher: Matcher
    languages: frozenset[str]
    excluded_authors: frozenset[str]
    excluded_domains: frozenset[str]

    @classmethod
    def build(cls, *, pk: int, expression: str, languages: Sequence[str] = (),
              excluded_authors: Sequence[str] = (), excluded_domains: Sequence[str] = ()) -> CompiledQuery:  # fmt: skip
        return cls(
            pk=pk,
            matcher=Matcher(expression),
            languages=frozenset(languages),
            excluded_authors=frozenset(normalise(a).lstrip("@") for a in excluded_authors if a.strip()),
            excluded_domains=frozenset(
                d.strip().lower().removeprefix("www.") for d in excluded_domains if d.strip()
            ),
        )

    def excludes(self, c: Candidate) -> bool:
        if self.excluded_authors and normalise(c.author_handle).lstrip("@") in self.excluded_authors:
            return True
        if self.excluded_domains and c.domain:
            return any(c.domain == d or c.domain.endswith("." + d) for d in self.excluded_domains)
        return False

    def matches(self, c: Candidate, doc: TextIndex, language: str | None = None) -> bool:
        if self.excludes(c):
            return False
        if language is not None and self.languages and language not in self.languages:
            return False
        return self.matcher.matches_index(doc)


def match_queries(
    candidate: Candidate, queries: Sequence[CompiledQuery], *, language: str | None = None
) -> list[int]:
    """Primary keys of the queries ``candidate`` matches (``language``: once classified)."""
    doc = index_text(candidate.match_text, candidate.author_handle)
    return [q.pk for q in queries if q.matches(candidate, doc, language)]


@dataclass(frozen=True)
class InboxRule:
    """The policy's ``listening.inbox`` section, flattened (see policy.schema.ListeningInbox)."""

    enabled: bool
    intents: frozenset[str]
    acute: bool
    only_non_followers: bool
    languages: frozenset[str]


def goes_to_inbox(rule: InboxRule, *, intents: Sequence[str], acute: bool, spam: bool, language: str,
                  is_follower: bool | None) -> bool:  # fmt: skip
    """Whether a classified mention becomes an inbox thread. Spam never does (it waits for review)."""
    if not rule.enabled or spam:
        return False
    if rule.only_non_followers and is_follower is True:
        return False
    if rule.languages and language not in rule.languages:
        return False
    return bool(set(intents) & rule.intents) or (rule.acute and acute)
