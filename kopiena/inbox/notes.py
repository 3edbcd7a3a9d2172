"""Internal notes and tags on conversations (issue 12 item 3): writes here, reads in inbox.selectors.

A note is for the team only, never sent to the platform, and is shown as text: HTML in it is displayed
literally (templates autoescape; nothing here marks it safe). ``@username`` of a member of the workspace
mentions them: they are notified once, through ``note_mentions_notify`` (the one place that calls the
notification service for notes).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kopiena.audit.services import audit_record
from kopiena.core.errors import DomainError
from kopiena.inbox.models import Tag, Thread, ThreadNote
from kopiena.teams.models import Membership, User
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access

NOTE_MAX_CHARS = 5_000
TAG_MAX_CHARS = 40
MENTION = re.compile(r"(?<![\w@])@([\w.@+-]{1,150})", re.UNICODE)


def _same_workspace(access: Access, thread: Thread) -> None:
    if thread.workspace_id != access.workspace.pk:
        raise DomainError(gettext_noop("No such conversation."))


def mentioned_members(*, access: Access, text: str) -> list[User]:
    """Members of the workspace named as ``@username`` in ``text`` (a trailing full stop is not part of
    the name); strangers and unknown names are ignored."""
    names = {m.rstrip(".") for m in MENTION.findall(text)}
    if not names:
        return []
    return [
        m.user
        for m in Membership.objects.select_related("user")
        .filter(workspace=access.workspace, user__username__in=names)
        .order_by("user__username")
    ]


@transaction.atomic
def thread_note_add(*, access: Access, thread: Thread, text: str) -> ThreadNote:
    """Add an internal note; the teammates it @mentions (not the author) are notified after commit."""
    access.require(Perm.INBOX_READ)
    _same_workspace(access, thread)
    text = text.strip()
    if not text:
        raise DomainError(_("Write the note first."), field="text")
    if len(text) > NOTE_MAX_CHARS:
        raise DomainError(
            _("Keep the note under %(count)s characters.") % {"count": NOTE_MAX_CHARS}, field="text"
        )
    note = ThreadNote.objects.create(workspace=access.workspace, thread=thread, author=access.user, text=text)
    people = [u for u in mentioned_members(access=access, text=text) if u.pk != access.user.pk]
    if people:
        note.mentioned.set(people)
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="inbox.thread_note_add",
        obj=thread,
        after={"note": note.pk, "mentioned": [u.pk for u in people]},
    )
    if people:
        note_pk = note.pk
        transaction.on_commit(lambda: note_mentions_notify(note_id=note_pk))
    return note


def note_mentions_notify(*, note_id: int) -> None:
    """Tell the people a note mentions, each in their language (the one call for note mentions)."""
    from kopiena.publishing.notifications import notify

    note = ThreadNote.objects.select_related("thread", "author").get(pk=note_id)
    author = (note.author.get_full_name() or note.author.username) if note.author else "—"
    subject = note.thread.subject or ""
    notify(
        workspace_id=note.workspace_id,
        recipients=list(note.mentioned.all()),
        kind="note_mention",
        title=lambda: _("%(name)s mentioned you in a note") % {"name": author},
        body=lambda: (
            _("On the conversation “%(subject)s”: %(text)s")
            % {"subject": subject[:200], "text": note.text[:500]}
        ),
    )


def _clean_tag(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Give the tag a name."), field="tag")
    if len(name) > TAG_MAX_CHARS:
        raise DomainError(
            _("Keep tag names under %(count)s characters.") % {"count": TAG_MAX_CHARS}, field="tag"
        )
    return name


def tag_get_or_create(*, access: Access, name: str) -> Tag:
    """The workspace's tag called ``name`` (case as first written), created by someone who may assign."""
    name = _clean_tag(name)
    tag = Tag.objects.filter(workspace=access.workspace, name__iexact=name).first()
    if tag is None:
        access.require(Perm.INBOX_ASSIGN)
        tag = Tag.objects.create(workspace=access.workspace, name=name)
        audit_record(
            actor=access.user,
            workspace=access.workspace,
            action="inbox.tag_create",
            obj=tag,
            after={"name": name},
        )
    return tag


@transaction.atomic
def thread_tag(*, access: Access, thread: Thread, name: str, add: bool = True) -> Tag | None:
    """Put the tag ``name`` on the thread (created if new) or take it off (``add=False``)."""
    access.require(Perm.INBOX_ASSIGN)
    _same_workspace(access, thread)
    if add:
        tag = tag_get_or_create(access=access, name=name)
        thread.tags.add(tag)
    else:
        tag = Tag.objects.filter(workspace=access.workspace, name__iexact=" ".join(name.split())).first()
        if tag is None:
            return None
        thread.tags.remove(tag)
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="inbox.thread_tag" if add else "inbox.thread_untag",
        obj=thread,
        after={"tag": tag.name},
    )
    return tag
