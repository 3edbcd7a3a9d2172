"""The compliance checklist (M5): the policy's ``contests.checklist`` items, each done or missing for one
contest. Approval is refused while any item is missing, and the message names them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

from kopiena.contests.models import Contest
from kopiena.policy.selectors import policy_current


def _filled(contest: Contest, field: str) -> bool:
    if field == "dates":
        return bool(
            contest.starts_at and contest.ends_at and contest.timezone and contest.starts_at < contest.ends_at
        )
    if field == "winners":
        return contest.winners_count > 0
    if field == "prizes":
        return any(str(p).strip() for p in contest.prizes or [])
    if field == "posts":
        return contest.pk is not None and contest.posts.exists()
    return bool(str(getattr(contest, field, "") or "").strip())


@dataclass(frozen=True)
class CheckItem:
    key: str
    label: str
    done: bool
    manual: bool


def label_of(labels: dict[str, str], language: str | None = None) -> str:
    language = (language or get_language() or "en")[:2]
    return labels.get(language) or labels.get("en") or next(iter(labels.values()), "")


def checklist_for(contest: Contest) -> list[CheckItem]:
    items = policy_current(workspace=contest.workspace).contests.checklist
    result = []
    for item in items:
        manual = not item.requires
        done = (
            item.key in (contest.checklist_confirmed or [])
            if manual
            else all(_filled(contest, field) for field in item.requires)
        )
        result.append(CheckItem(key=item.key, label=label_of(item.label), done=done, manual=manual))
    return result


def missing(contest: Contest) -> list[CheckItem]:
    return [item for item in checklist_for(contest) if not item.done]
