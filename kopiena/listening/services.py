"""Writes of listening that people make (queries, spam review, "answered elsewhere"); each audited.

The fetch → store path has its own module (``store.mentions_store``), called by the runner.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kopiena.audit.services import audit_record
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.core.params import db_ids
from kopiena.listening.models import ListeningQuery, ListeningSource, Mention, SpamReview
from kopiena.listening.query_language import QuerySyntaxError, check
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access

QUERY_FIELDS = (
    "name",
    "expression",
    "languages",
    "excluded_authors",
    "excluded_domains",
    "enabled",
    "alerts_enabled",
)


def syntax_error_message(error: QuerySyntaxError) -> str:
    """The parser's error in the reader's language, with the 1-based character it refers to."""
    messages = {
        "empty": _("The query is empty"),
        "too_long": _("The query is too long"),
        "too_deep": _("Too many nested parentheses"),
        "too_many_terms": _("Too many terms"),
        "unclosed_quote": _("A quote is not closed"),
        "empty_phrase": _("An empty phrase"),
        "unclosed_paren": _("A parenthesis is not closed"),
        "unexpected_paren": _("A closing parenthesis without an opening one"),
        "missing_operand": _("An operator needs a term on each side"),
        "empty_tag": _("A # or @ without a name"),
        "bad_wildcard": _("A * may only end a word of at least two letters"),
    }
    text = messages.get(error.code, _("The query cannot be read"))
    return _("%(problem)s (at character %(position)s)") % {"problem": text, "position": error.position + 1}


def _clean_list(values, *, lower: bool = True, strip: str = "") -> list[str]:
    seen: list[str] = []
    for value in values or []:
        value = str(value).strip().lstrip(strip)
        value = value.lower() if lower else value
        if value and value not in seen:
            seen.append(value[:255])
    return seen


def _check_fields(fields: dict) -> dict:
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()[:120]
        if not fields["name"]:
            raise DomainError(_("Give the query a name."), field="name")
    if "expression" in fields:
        fields["expression"] = (fields["expression"] or "").strip()
        error = check(fields["expression"])
        if error is not None:
            raise DomainError(syntax_error_message(error), field="expression", code="query_syntax")
    if "languages" in fields:
        fields["languages"] = _clean_list(fields["languages"])
    if "excluded_authors" in fields:
        fields["excluded_authors"] = _clean_list(fields["excluded_authors"], strip="@")
    if "excluded_domains" in fields:
        fields["excluded_domains"] = _clean_list(fields["excluded_domains"])
    return fields


def _sources(access: Access, source_ids) -> list[ListeningSource]:
    wanted = list(source_ids or [])
    ids = set(db_ids(wanted))  # an id beyond the database's integers cannot name a source (and would 500)
    found = list(ListeningSource.objects.filter(workspace=access.workspace, pk__in=ids))
    if len(ids) != len(set(wanted)) or len(found) != len(ids):
        raise DomainError(_("One of the chosen sources does not exist."), field="sources")
    return found


def _snapshot(query: ListeningQuery) -> dict:
    data = {name: getattr(query, name) for name in QUERY_FIELDS}
    data["sources"] = sorted(query.sources.values_list("pk", flat=True))
    return data


@transaction.atomic
def query_create(
    *,
    access: Access,
    name: str,
    expression: str,
    languages=(),
    excluded_authors=(),
    excluded_domains=(),
    source_ids=(),
    enabled: bool = True,
    alerts_enabled: bool = True,
) -> ListeningQuery:
    """Save a query; its expression must parse (a DomainError on ``expression`` says where it does not)."""
    access.require(Perm.LISTENING_MANAGE)
    fields = _check_fields(
        {
            "name": name,
            "expression": expression,
            "languages": languages,
            "excluded_authors": excluded_authors,
            "excluded_domains": excluded_domains,
        }
    )
    sources = _sources(access, source_ids)
    try:
        with transaction.atomic():
            query = ListeningQuery.objects.create(
                workspace=access.workspace,
                created_by=access.user,
                enabled=enabled,
                alerts_enabled=alerts_enabled,
                **fields,
            )
    except IntegrityError:
        raise DomainError(_("A query with this name already exists."), field="name") from None
    query.sources.set(sources)
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.query_create", obj=query,
        after=_snapshot(query),
    )  # fmt: skip
    return query


@transaction.atomic
def query_update(*, access: Access, query: ListeningQuery, source_ids=None, **changes) -> ListeningQuery:
    """Change the given fields (any of QUERY_FIELDS) and, when ``source_ids`` is not None, the sources."""
    access.require(Perm.LISTENING_MANAGE)
    unknown = set(changes) - set(QUERY_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field: %(field)s") % {"field": ", ".join(sorted(unknown))})
    before = _snapshot(query)
    for field, value in _check_fields(dict(changes)).items():
        setattr(query, field, value)
    try:
        with transaction.atomic():
            query.save()
    except IntegrityError:
        raise DomainError(_("A query with this name already exists."), field="name") from None
    if source_ids is not None:
        query.sources.set(_sources(access, source_ids))
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.query_update", obj=query,
        before=before, after=_snapshot(query),
    )  # fmt: skip
    return query


@transaction.atomic
def query_delete(*, access: Access, query: ListeningQuery) -> None:
    """Delete a query and its matches; the mentions stay (other queries, the inbox, the audit may need them)."""
    access.require(Perm.LISTENING_MANAGE)
    before = _snapshot(query)
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.query_delete",
        object_type="listening.listeningquery", object_id=query.pk, before=before,
    )  # fmt: skip
    query.delete()


@transaction.atomic
def mention_spam_review(*, access: Access, mention: Mention, is_spam: bool) -> Mention:
    """A person's verdict on a mention held as spam: confirmed (stays out of the inbox and the charts'
    attention) or released (not spam)."""
    access.require(Perm.LISTENING_MANAGE)
    before = {"spam_review": mention.spam_review, "spam": mention.spam}
    mention.spam_review = SpamReview.CONFIRMED if is_spam else SpamReview.RELEASED
    mention.spam = is_spam
    Mention.objects.filter(pk=mention.pk).update(spam_review=mention.spam_review, spam=is_spam)
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.mention_spam_review", obj=mention,
        before=before, after={"spam_review": mention.spam_review, "spam": is_spam},
    )  # fmt: skip
    return mention


@transaction.atomic
def mention_answered_elsewhere(*, access: Access, mention: Mention, url: str) -> Mention:
    """A feed item cannot be answered through Kopiena: record where the team answered it. When the mention
    became an inbox thread this is its answer: the thread's first-response clock stops (as a sent reply
    stops it) and the thread waits for the community."""
    from kopiena.inbox.models import Thread, ThreadStatus

    access.require(Perm.INBOX_REPLY)
    url = (url or "").strip()
    if not url.startswith(("https://", "http://")):
        raise DomainError(_("Give the address of the answer (https://…)."), field="url")
    at = now()
    mention.answered_elsewhere_url, mention.answered_at, mention.answered_by = url[:1000], at, access.user
    Mention.objects.filter(pk=mention.pk).update(
        answered_elsewhere_url=mention.answered_elsewhere_url, answered_at=at, answered_by=access.user
    )
    if mention.inbox_item_id:
        thread = Thread.objects.select_for_update().get(items__pk=mention.inbox_item_id)
        if thread.first_responded_at is None:
            thread.first_responded_at = at
        thread.response_due_at = None
        if thread.status == ThreadStatus.OPEN:
            thread.status = ThreadStatus.WAITING
        thread.save(update_fields=["first_responded_at", "response_due_at", "status", "updated_at"])
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.mention_answered_elsewhere",
        obj=mention, after={"url": mention.answered_elsewhere_url, "thread_stopped": bool(mention.inbox_item_id)},
    )  # fmt: skip
    return mention
