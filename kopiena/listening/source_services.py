"""Writes about listening sources: feeds (one by one or from an OPML export), searching accounts, pausing.

Kept apart from ``services`` (queries, mentions) so the two halves of listening can change independently.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

from django.db import transaction
from django.utils.translation import gettext as _

from kopiena.audit.services import audit_record
from kopiena.connectors.capabilities import Capability
from kopiena.core.errors import DomainError
from kopiena.integrations import platforms
from kopiena.integrations.models import ConnectedAccount
from kopiena.listening.models import ListeningSource, SourceKind
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access

MAX_OPML_BYTES = 2 * 1024 * 1024
MAX_OPML_FEEDS = 500
_FEED_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _check_feed_url(url: str) -> str:
    url = (url or "").strip()
    if not _FEED_URL.match(url) or len(url) > 1000:
        raise DomainError(_("Enter a feed address starting with http:// or https://."), field="feed_url")
    return url


@transaction.atomic
def source_feed_create(*, access: Access, feed_url: str, name: str = "") -> ListeningSource:
    """Add an RSS/Atom feed. The next run fetches it (the SSRF guard checks the address then, and the
    source-health list shows what happened)."""
    access.require(Perm.LISTENING_MANAGE)
    url = _check_feed_url(feed_url)
    if ListeningSource.objects.filter(
        workspace=access.workspace, kind=SourceKind.FEED, feed_url=url
    ).exists():
        raise DomainError(_("This feed is already a source."), field="feed_url")
    source = ListeningSource.objects.create(
        workspace=access.workspace, kind=SourceKind.FEED, feed_url=url, name=(name.strip() or url)[:200],
        created_by=access.user,
    )  # fmt: skip
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.source_create", obj=source,
        after={"kind": source.kind, "feed_url": url, "name": source.name},
    )  # fmt: skip
    return source


def searchable(account: ConnectedAccount) -> bool:
    return Capability.SEARCH.value in platforms.capability_names(account.platform)


@transaction.atomic
def source_search_create(*, access: Access, account: ConnectedAccount) -> ListeningSource:
    """Search with a connected account whose platform declares SEARCH (rate limits are that account's)."""
    access.require(Perm.LISTENING_MANAGE)
    if account.workspace_id != access.workspace.pk:
        raise DomainError(_("Unknown account."), field="account")
    if not searchable(account):
        raise DomainError(_("This platform cannot search."), field="account")
    source, created = ListeningSource.objects.get_or_create(
        workspace=access.workspace, kind=SourceKind.SEARCH, account=account,
        defaults={"name": str(account.name)[:200], "created_by": access.user},
    )  # fmt: skip
    if created:
        audit_record(
            actor=access.user, workspace=access.workspace, action="listening.source_create", obj=source,
            after={"kind": source.kind, "account": account.pk, "name": source.name},
        )  # fmt: skip
    return source


@transaction.atomic
def source_set_enabled(*, access: Access, source: ListeningSource, enabled: bool) -> ListeningSource:
    """Pause or resume a source (its mentions stay). Resuming retries at once."""
    access.require(Perm.LISTENING_MANAGE)
    if source.workspace_id != access.workspace.pk:
        raise DomainError(_("Unknown source."))
    source.enabled = enabled
    if enabled:
        source.next_attempt_at = None
    source.save(update_fields=["enabled", "next_attempt_at", "updated_at"])
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.source_set_enabled", obj=source,
        after={"enabled": enabled},
    )  # fmt: skip
    return source


def opml_feeds(document: bytes) -> list[tuple[str, str]]:
    """(url, title) of every feed outline of an OPML document. Entity/DOCTYPE declarations are refused
    (the expansion-bomb rule feeds follow too); a document that is not OPML is a DomainError."""
    if len(document) > MAX_OPML_BYTES:
        raise DomainError(_("The OPML file is larger than 2 MB."), field="opml")
    upper = document.upper()
    if b"<!ENTITY" in upper or b"<!DOCTYPE" in upper:
        raise DomainError(
            _("The OPML file declares XML entities; Kopiena does not read such files."), field="opml"
        )
    try:
        root = ElementTree.fromstring(document)  # noqa: S314 - no DOCTYPE/ENTITY (refused above)
    except ElementTree.ParseError as exc:
        raise DomainError(
            _("This is not a readable OPML file: %(reason)s") % {"reason": str(exc)}, field="opml"
        ) from exc
    if root.tag.lower() != "opml":
        raise DomainError(_("This is not an OPML file."), field="opml")
    feeds = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if url:
            feeds.append((url, (outline.get("title") or outline.get("text") or "").strip()))
    return feeds[:MAX_OPML_FEEDS]


@transaction.atomic
def sources_import_opml(*, access: Access, document: bytes) -> tuple[int, list[str]]:
    """Add every feed of an OPML export; returns (added, problems). A known feed or a bad address is a
    listed problem, the others are still added."""
    access.require(Perm.LISTENING_MANAGE)
    added, problems = 0, []
    known = set(
        ListeningSource.objects.filter(workspace=access.workspace, kind=SourceKind.FEED).values_list(
            "feed_url", flat=True
        )
    )
    for url, title in opml_feeds(document):
        try:
            url = _check_feed_url(url)
        except DomainError as exc:
            problems.append(f"{url[:200]}: {exc.message}")
            continue
        if url in known:
            problems.append(_("%(url)s: already a source") % {"url": url[:200]})
            continue
        known.add(url)
        ListeningSource.objects.create(
            workspace=access.workspace, kind=SourceKind.FEED, feed_url=url, name=(title or url)[:200],
            created_by=access.user,
        )  # fmt: skip
        added += 1
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.sources_import_opml",
        after={"added": added, "problems": len(problems)},
    )  # fmt: skip
    return added, problems
