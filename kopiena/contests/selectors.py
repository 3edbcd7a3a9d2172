"""Reads of the contests domain (tenant rows only through ``access_contest``)."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from kopiena.contests import draw as drawing
from kopiena.contests.models import Contest, ContestState, Decision, Entry, Regulation
from kopiena.teams.selectors import Access, access_scoped


def contests_of(*, access: Access) -> QuerySet[Contest]:
    return Contest.objects.filter(workspace=access.workspace).annotate(entry_count=Count("entries"))


def access_contest(*, access: Access, contest_id: int) -> Contest:
    return access_scoped(access=access, queryset=Contest.objects.all(), pk=contest_id)


def public_contest(*, public_id: str) -> Contest:
    """A contest the public may see: approved or later (a draft has no public page)."""
    contest = Contest.objects.filter(public_id=public_id).exclude(state=ContestState.DRAFT).first()
    if contest is None:
        raise Http404
    return contest


def entries_of(*, contest: Contest, decision: str = "") -> QuerySet[Entry]:
    entries = (
        Entry.objects.filter(contest=contest).select_related("overruled_by").order_by("entered_at", "id")
    )
    return entries.filter(decision=decision) if decision else entries


def decision_counts(*, contest: Contest) -> dict[str, int]:
    rows = Entry.objects.filter(contest=contest).values("decision").annotate(n=Count("id"))
    return {row["decision"]: row["n"] for row in rows}


def regulation_of(*, contest: Contest, language: str, version: int | None = None) -> Regulation | None:
    rows = Regulation.objects.filter(contest=contest, language=language)
    if version:
        rows = rows.filter(version=version)
    return rows.order_by("-version").first()


def regulation_versions(*, contest: Contest) -> list[int]:
    return sorted(
        set(Regulation.objects.filter(contest=contest).values_list("version", flat=True)), reverse=True
    )


def post_changes(*, contest: Contest) -> list[str]:
    """Contest posts whose text changed in Kopiena after approval (the regulations describe the old one)."""
    changed = []
    for post in contest.posts.select_related("post", "account"):
        if post.post and post.text_sha256 and drawing.sha256_hex(post.post.text) != post.text_sha256:
            changed.append(f"{post.account.name} #{post.remote_post_id}")
    return changed


ELIGIBLE = Decision.ELIGIBLE
