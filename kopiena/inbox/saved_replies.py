"""Saved replies: prepared answers a team reuses (writes here, reads in ``saved_replies_for``).

Anyone who may answer (``inbox.reply``) may use them; managing them is for people who manage the policy's
engagement rules (``policy.edit``), because a saved answer speaks for the brand as often as it is used.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from kopiena.audit.services import audit_record
from kopiena.core.errors import DomainError
from kopiena.inbox.models import TEXT_MAX_CHARS, SavedReply
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access

TITLE_MAX_CHARS = 80


def saved_replies_for(*, access: Access, language: str = "") -> QuerySet[SavedReply]:
    """The workspace's saved replies, those in ``language`` first, then the ones for any language."""
    replies = SavedReply.objects.filter(workspace=access.workspace)
    if language:
        replies = replies.filter(language__in=[language, ""]).annotate(
            rank=Case(When(language=language, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        return replies.order_by("rank", "title", "id")
    return replies.order_by("title", "id")


def _clean(title: str, text: str, language: str) -> tuple[str, str, str]:
    title, text, language = title.strip(), text.strip(), language.strip().lower()
    if not title or len(title) > TITLE_MAX_CHARS:
        raise DomainError(_("Give the saved reply a title of at most 80 characters."), field="title")
    if not text or len(text) > TEXT_MAX_CHARS:
        raise DomainError(_("Write the reply's text (at most 20,000 characters)."), field="text")
    if language and language not in {"en", "lv", "ru"}:
        raise DomainError(_("Choose English, Latvian, Russian or any language."), field="language")
    return title, text, language


@transaction.atomic
def saved_reply_create(*, access: Access, title: str, text: str, language: str = "") -> SavedReply:
    access.require(Perm.POLICY_EDIT)
    title, text, language = _clean(title, text, language)
    reply = SavedReply.objects.create(
        workspace=access.workspace, title=title, text=text, language=language, created_by=access.user
    )
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="saved_reply.create",
        obj=reply,
        after={"title": title, "language": language},
    )
    return reply


@transaction.atomic
def saved_reply_delete(*, access: Access, saved_reply_id: int) -> None:
    access.require(Perm.POLICY_EDIT)
    reply = SavedReply.objects.filter(workspace=access.workspace, pk=saved_reply_id).first()
    if reply is None:
        raise DomainError(_("No such saved reply."))
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="saved_reply.delete",
        obj=reply,
        before={"title": reply.title, "language": reply.language, "text": reply.text},
    )
    reply.delete()
