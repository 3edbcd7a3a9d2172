"""Community leaders (R13): who engages with the brand, ranked; a person's history; notes, "work with
them" tasks and merging handles by hand.

Ranking reads the listening author rollup (``AuthorStat``) and groups inbox items by author, so it never
scans a million mentions. A person exists as rows only once someone writes about them (a note, a task, a
merge): until then a leader is a (platform, handle) pair.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from kopiena.audit.services import audit_record
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.inbox.models import Item, Sentiment
from kopiena.listening.models import AuthorStat, Mention, Person, PersonHandle, PersonNote, PersonTask
from kopiena.teams.models import Membership, User, Workspace
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access, access_scoped

WINDOW_DAYS = 365
RECENCY_DAYS = 30  # the recency bonus halves about every three weeks


@dataclass
class Leader:
    platform: str
    handle: str
    name: str = ""
    url: str = ""
    followers: int | None = None
    mentions: int = 0
    comments: int = 0
    replies_drawn: int = 0
    positive: int = 0
    negative: int = 0
    last_seen: datetime | None = None
    person_id: int | None = None
    handles: list[tuple[str, str]] = field(default_factory=list)

    @property
    def activity(self) -> int:
        return self.mentions + self.comments + self.replies_drawn

    @property
    def positivity(self) -> float:
        heard = self.mentions + self.comments
        return round((self.positive - self.negative) / heard, 2) if heard else 0.0

    @property
    def recency(self) -> float:
        if self.last_seen is None:
            return 0.0
        days = max((now() - self.last_seen).total_seconds() / 86400, 0)
        return math.exp(-days / RECENCY_DAYS)

    @property
    def score(self) -> float:
        """Activity counts most (log: a hundred comments are not a hundred times one), then positivity,
        reach (log of followers) and recency."""
        return round(
            3 * math.log1p(self.activity) + self.positivity + 0.25 * math.log10(1 + (self.followers or 0))
            + 1.5 * self.recency,
            2,
        )  # fmt: skip


def _merge(into: Leader, other: Leader) -> None:
    for name in ("mentions", "comments", "replies_drawn", "positive", "negative"):
        setattr(into, name, getattr(into, name) + getattr(other, name))
    if other.followers is not None:
        into.followers = max(into.followers or 0, other.followers)
    if other.last_seen and (into.last_seen is None or other.last_seen > into.last_seen):
        into.last_seen = other.last_seen
    into.name = into.name or other.name
    into.url = into.url or other.url


def leaders_ranked(*, workspace: Workspace, limit: int = 50, platform: str = "") -> list[Leader]:
    since = now() - timedelta(days=WINDOW_DAYS)
    by_handle: dict[tuple[str, str], Leader] = {}
    authors = AuthorStat.objects.filter(workspace=workspace, last_seen_at__gte=since).exclude(handle="")
    if platform:
        authors = authors.filter(platform=platform)
    for a in authors.order_by("-mentions")[:2000]:
        by_handle[(a.platform, a.handle.lower())] = Leader(
            platform=a.platform, handle=a.handle, name=a.name, url=a.url, followers=a.followers,
            mentions=a.mentions, positive=a.positive, negative=a.negative, last_seen=a.last_seen_at,
        )  # fmt: skip
    items = Item.objects.filter(workspace=workspace, remote_created_at__gte=since).exclude(author_handle="")
    if platform:
        items = items.filter(account__platform=platform)
    grouped = (
        items.values("account__platform", "author_handle")
        .annotate(
            n=Count("pk", distinct=True),
            pos=Count("pk", filter=Q(sentiment=Sentiment.POSITIVE), distinct=True),
            neg=Count("pk", filter=Q(sentiment=Sentiment.NEGATIVE), distinct=True),
            drawn=Count("replies", distinct=True),
            last=Max("remote_created_at"),
            name=Max("author_name"),
            url=Max("author_url"),
        )
        .order_by("-n")[:2000]
    )
    for row in grouped:
        key = (row["account__platform"], row["author_handle"].lower())
        leader = Leader(
            platform=key[0], handle=row["author_handle"], name=row["name"] or "", url=row["url"] or "",
            comments=row["n"], positive=row["pos"], negative=row["neg"], replies_drawn=row["drawn"],
            last_seen=row["last"],
        )  # fmt: skip
        if key in by_handle:
            _merge(by_handle[key], leader)
        else:
            by_handle[key] = leader
    # People with several handles count once, under their first handle.
    known = {
        (h.platform, h.handle.lower()): h
        for h in PersonHandle.objects.filter(workspace=workspace).select_related("person")
    }
    by_person: dict[int, Leader] = {}
    result: list[Leader] = []
    for key, leader in by_handle.items():
        handle = known.get(key)
        leader.handles = [(leader.platform, leader.handle)]
        if handle is None:
            result.append(leader)
            continue
        leader.person_id = handle.person_id
        leader.name = handle.person.display_name
        if handle.person_id in by_person:
            first = by_person[handle.person_id]
            _merge(first, leader)
            first.handles.append((leader.platform, leader.handle))
        else:
            by_person[handle.person_id] = leader
            result.append(leader)
    result.sort(key=lambda x: (-x.score, -x.activity, x.handle.lower()))
    return result[:limit]


# ---- a person -------------------------------------------------------------------------------------


def access_person(*, access: Access, pk) -> Person:
    return access_scoped(access=access, queryset=Person.objects.prefetch_related("handles"), pk=pk)


def person_for_handle(*, workspace: Workspace, platform: str, handle: str) -> Person | None:
    found = PersonHandle.objects.filter(workspace=workspace, platform=platform, handle__iexact=handle).first()
    return found.person if found else None


def person_history(*, workspace: Workspace, handles: list[tuple[str, str]], limit: int = 50) -> list[dict]:
    """Their inbox items (with the thread) and mentions, newest first, across all their handles."""
    item_q = Q()
    mention_q = Q()
    for platform, handle in handles:
        item_q |= Q(account__platform=platform, author_handle__iexact=handle)
        mention_q |= Q(platform=platform, author_handle__iexact=handle)
    if not handles:
        return []
    rows = [
        {"kind": "item", "at": i.remote_created_at, "text": i.text, "url": i.url, "sentiment": i.sentiment,
         "platform": i.account.platform, "thread_id": i.thread_id, "subject": i.thread.subject}
        for i in Item.objects.filter(item_q, workspace=workspace).select_related("account", "thread")
        .order_by("-remote_created_at")[:limit]
    ]  # fmt: skip
    rows += [
        {"kind": "mention", "at": m.published_at, "text": m.text if not m.title or m.text.startswith(m.title) else f"{m.title} — {m.text}",
         "url": m.url, "sentiment": m.sentiment, "platform": m.platform, "thread_id": None, "subject": ""}
        for m in Mention.objects.filter(mention_q, workspace=workspace).order_by("-published_at")[:limit]
    ]  # fmt: skip
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:limit]


def _clean_handle(platform: str, handle: str) -> tuple[str, str]:
    platform = (platform or "").strip().lower()[:30]
    handle = (handle or "").strip()[:255]
    if not platform or not handle:
        raise DomainError(_("Give a platform and a handle."), field="handle")
    return platform, handle


@transaction.atomic
def person_ensure(*, access: Access, platform: str, handle: str, display_name: str = "") -> Person:
    """The person behind a handle, created (audited) the first time someone writes about them."""
    access.require(Perm.INBOX_READ)
    platform, handle = _clean_handle(platform, handle)
    existing = person_for_handle(workspace=access.workspace, platform=platform, handle=handle)
    if existing is not None:
        return existing
    person = Person.objects.create(workspace=access.workspace, display_name=(display_name or handle)[:255])
    PersonHandle.objects.create(workspace=access.workspace, person=person, platform=platform, handle=handle)
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.person_create", obj=person,
        after={"platform": platform, "handle": handle},
    )  # fmt: skip
    return person


@transaction.atomic
def person_note_add(*, access: Access, person_id: int, body: str) -> PersonNote:
    person = access_person(access=access, pk=person_id)
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write the note first."), field="body")
    note = PersonNote.objects.create(person=person, author=access.user, body=body[:5000])
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.person_note_add", obj=person,
        after={"note": note.pk},
    )  # fmt: skip
    return note


@transaction.atomic
def person_task_create(
    *, access: Access, person_id: int, title: str, assignee_id: int, due_date: date
) -> PersonTask:
    """ "Work with them", assigned to a member of the workspace, who is notified (in-app and e-mail)."""
    from kopiena.notifications.services import notify

    person = access_person(access=access, pk=person_id)
    title = (title or "").strip()[:300]
    if not title:
        raise DomainError(_("Say what to do."), field="title")
    assignee = User.objects.filter(
        pk=assignee_id, pk__in=Membership.objects.filter(workspace=access.workspace).values("user_id")
    ).first()
    if assignee is None:
        raise DomainError(_("Choose a member of this workspace."), field="assignee")
    if due_date is None:
        raise DomainError(_("Choose a due date."), field="due_date")
    task = PersonTask.objects.create(
        person=person, title=title, assignee=assignee, due_date=due_date, created_by=access.user
    )
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.person_task_create", obj=person,
        after={"task": task.pk, "title": title, "assignee": assignee.pk, "due_date": due_date.isoformat()},
    )  # fmt: skip
    notify(
        workspace_id=access.workspace.pk,
        recipients=[assignee],
        kind="listening.person_task",
        title=lambda: _("Work with %(name)s") % {"name": person.display_name},
        body=lambda: _("%(task)s — due %(date)s") % {"task": title, "date": due_date.isoformat()},
    )
    return task


@transaction.atomic
def person_task_done(*, access: Access, task_id: int) -> PersonTask:
    task = PersonTask.objects.filter(pk=task_id, person__workspace=access.workspace).first()
    if task is None:
        from django.http import Http404

        raise Http404
    task.done = True
    task.done_at = now()
    task.save(update_fields=["done", "done_at"])
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.person_task_done", obj=task.person,
        after={"task": task.pk},
    )  # fmt: skip
    return task


@transaction.atomic
def person_merge(*, access: Access, person_id: int, other_id: int) -> Person:
    """Move ``other``'s handles, notes and tasks to ``person`` and remove ``other`` (by hand only: the same
    name on two platforms is not proof of the same person)."""
    person = access_person(access=access, pk=person_id)
    other = access_person(access=access, pk=other_id)
    if person.pk == other.pk:
        raise DomainError(_("Choose another person."), field="other")
    moved = [str(h) for h in other.handles.all()]
    PersonHandle.objects.filter(person=other).update(person=person)
    PersonNote.objects.filter(person=other).update(person=person)
    PersonTask.objects.filter(person=other).update(person=person)
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.person_merge", obj=person,
        before={"merged_person": other.pk, "name": other.display_name}, after={"handles": moved},
    )  # fmt: skip
    other.delete()
    return person


@transaction.atomic
def person_handle_add(*, access: Access, person_id: int, platform: str, handle: str) -> Person:
    """Attach another platform's handle to this person; a handle that already is someone's merges them."""
    person = access_person(access=access, pk=person_id)
    platform, handle = _clean_handle(platform, handle)
    owner = person_for_handle(workspace=access.workspace, platform=platform, handle=handle)
    if owner is not None:
        return (
            person
            if owner.pk == person.pk
            else person_merge(access=access, person_id=person.pk, other_id=owner.pk)
        )
    PersonHandle.objects.create(workspace=access.workspace, person=person, platform=platform, handle=handle)
    audit_record(
        actor=access.user, workspace=access.workspace, action="listening.person_handle_add", obj=person,
        after={"platform": platform, "handle": handle},
    )  # fmt: skip
    return person
