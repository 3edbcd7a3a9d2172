"""The checks ``post_schedule`` runs before a post may go on the calendar.

Two kinds, kept apart because only one may be overridden:

* platform problems — the connector's ``validate()`` on each variant (too long, too many images, missing
  alt text…). The platform would refuse the post, so nobody can override them.
* policy problems — the workspace's communication policy (cadence M1, content mix M6, links M9), read only
  through ``kopiena.policy.evaluators``. A manager may override them with a reason, which is audited.
  Some policy rules only flag (``blocking=False``: a post that worsens a drifted mix, a link with no
  stated context): they never refuse and are stored on the post as ``policy_flags`` (``flags_of``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.module_loading import import_string

from kopiena.core.zones import zone_of
from kopiena.policy import evaluators
from kopiena.policy.selectors import policy_current
from kopiena.publishing import platform
from kopiena.publishing.models import Delivery, DeliveryState, Post, Variant
from kopiena.teams.models import Membership


@dataclass(frozen=True)
class Problem:
    """One reason a post cannot be scheduled at the asked time.

    ``rule`` names the rule ("cadence.max_per_day", "platform.text_too_long"…); ``proposed_at`` is the
    nearest time the rule allows, when the rule is about time. ``blocking=False``: a flag, not a refusal.
    """

    rule: str
    message: str
    overridable: bool
    account_id: int | None = None
    field: str = ""
    proposed_at: datetime | None = None
    blocking: bool = True
    # A flag's message in every interface language.
    messages: dict = dataclass_field(default_factory=dict, compare=False)


def flags_of(problems: list[Problem]) -> list[dict]:
    """The non-blocking problems as ``Post.policy_flags`` stores them: [{"code", "path", "message",
    "messages"}] — ``messages`` the text in every interface language, so each reader sees theirs
    (``flag_message``)."""
    flags = []
    for p in problems:
        if not p.blocking:
            flag = {"code": p.rule, "path": p.field, "message": p.message}
            if p.messages:
                flag["messages"] = p.messages
            flags.append(flag)
    return flags


def flag_message(flag: dict) -> str:
    """A stored flag's text in the active language (the text it was stored with when it has no other)."""
    from django.utils.translation import get_language

    language = (get_language() or "en")[:2]
    return (flag.get("messages") or {}).get(language) or flag.get("message", "")


def refusals_of(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.blocking]


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
    accounts = [v.account for v in variants]
    problems.extend(timed_problems(post=post, at=at, accounts=accounts))
    return problems


def timed_problems(*, post: Post, at: datetime, accounts: list) -> list[Problem]:
    """The checks whose answer may depend on the time: the policy's rules and the other apps' checks."""
    problems = policy_problems(post=post, at=at, accounts=accounts)
    for path in SCHEDULE_CHECKS:
        problems.extend(import_string(path)(post=post, at=at, accounts=accounts))
    return problems


# How far ahead a refusal looks for a time every rule allows (the cadence search looks four weeks ahead).
PROPOSAL_HORIZON = timedelta(days=35)
_PROPOSAL_ROUNDS = 60


def nearest_allowed_time(
    problems: list[Problem], *, at: datetime, recheck: Callable[[datetime], list[Problem]]
) -> datetime | None:
    """The nearest moment after ``at`` at which every blocking check passes, or None.

    Each refusing rule says when it could clear at the earliest (``proposed_at``); the latest of those is
    checked again against every rule with ``recheck(moment)`` (the time-dependent checks), since a time one
    rule allows may break another (the cadence's next slot can still exceed the week's link share). None
    when a refusal is not about time (text too long, no consent) or nothing passes within the horizon."""
    refusals = refusals_of(problems)
    candidate, limit = at, at + PROPOSAL_HORIZON
    for _round in range(_PROPOSAL_ROUNDS):
        if not refusals:
            return candidate if candidate != at else None
        if any(p.proposed_at is None for p in refusals):
            return None
        candidate = max(candidate + timedelta(minutes=1), *(p.proposed_at for p in refusals))
        if candidate > limit:
            return None
        refusals = refusals_of(recheck(candidate))
    return None


def schedule_proposal(*, post: Post, at: datetime, problems: list[Problem]) -> datetime | None:
    """``nearest_allowed_time`` for a saved post (its variants' accounts, its other checks)."""
    accounts = [v.account for v in post.variants.select_related("account")]
    return nearest_allowed_time(
        problems, at=at, recheck=lambda moment: timed_problems(post=post, at=moment, accounts=accounts)
    )


# Other apps' checks every schedule runs: ``check(*, post, at, accounts) -> list[Problem]``.
SCHEDULE_CHECKS: tuple[str, ...] = (
    "kopiena.planning.consent.consent_problems",  # C6: a testimonial needs the customer's consent
)


def policy_problems(
    *,
    post: Post,
    at: datetime,
    accounts: list,
    planned: Mapping[int, list[tuple]] | None = None,
    existing: Mapping[int, list[tuple]] | None = None,
    policy=None,
) -> list[Problem]:
    """Cadence (M1), content mix (M6) and link (M9) rules per target account, via the policy evaluators.

    The account's other live posts are what the rules count; the post itself is left out, so moving a
    post never collides with its own old slot. ``post`` may be unsaved (the import's read-only planning
    pass); ``planned`` then adds, per account id, the (due_at, content_type, text, link) of posts planned
    earlier in the same pass and not written yet. ``existing`` (the week planner, for many accounts at
    once) gives the accounts' live deliveries already read, as ``existing_deliveries`` returns them, and
    ``policy`` the policy already loaded: the same rules, without a query per candidate."""
    policy = policy or policy_current(workspace=post.workspace)
    problems: list[Problem] = []
    for account in accounts:
        zone = zone_of(account.timezone, post.workspace.timezone)
        key = evaluators.account_key_for(account)
        start, end = at - _WINDOW_BEFORE, at + _WINDOW_AFTER
        if existing is not None:
            others = [row for row in existing.get(account.pk, ()) if start <= row[0] < end]
        else:
            others = _other_posts(post=post, account=account, start=start, end=end)
        others += [row for row in (planned or {}).get(account.pk, ()) if start <= row[0] < end]
        times = [due for due, _type, _text, _link in others]
        violations = evaluators.check_cadence(policy, key, times, at, zone)
        proposed = evaluators.nearest_allowed_slot(policy, key, times, at, zone) if violations else None
        problems += [_problem(v, account, proposed) for v in violations]
        week_start, week_end = _local_week(at, zone)
        week = [row for row in others if week_start <= row[0] < week_end]
        counts = Counter(content_type for _due, content_type, _text, _link in week)
        problems += [
            _problem(v, account)
            for v in evaluators.check_mix(policy, key, counts, post.content_type).violations
        ]
        own = sum(
            1
            for _due, _type, text, link in week
            if any(
                evaluators.is_own_link(policy, u)
                for u in [*([link] if link else []), *evaluators.links_in(text)]
            )
        )
        link_violations = evaluators.check_links(
            policy, post.text, post.link, post.link_context, own, len(week)
        )
        # The weekly share of own links clears when the next local week starts.
        problems += [
            _problem(v, account, week_end if v.code == "links.max_own_share" else None)
            for v in link_violations
        ]
    return problems


def policy_requires_approval(*, post: Post) -> bool:
    """The policy's approval rules (author's role, account setting or list, link posts) for any target."""
    policy = policy_current(workspace=post.workspace)
    role = (
        Membership.objects.filter(workspace_id=post.workspace_id, user_id=post.author_id)
        .values_list("role", flat=True)
        .first()
        or ""
    )
    has_link = bool(post.link or evaluators.links_in(post.text))
    return any(
        evaluators.approval_required(policy, role, evaluators.AccountSettings.of(v.account), has_link)
        for v in post.variants.select_related("account")
    )


# Cadence looks at neighbours up to a week before and the nearest-slot search four weeks after.
_WINDOW_BEFORE = timedelta(days=8)
_WINDOW_AFTER = timedelta(days=36)
_LIVE_DELIVERY_STATES = [
    s for s in DeliveryState.values if s not in (DeliveryState.FAILED, DeliveryState.CANCELLED)
]


def _other_posts(*, post: Post, account, start: datetime, end: datetime) -> list[tuple]:
    """(due_at, content_type, text, link) of the account's other live deliveries in [start, end)."""
    rows = Delivery.objects.filter(
        account=account, state__in=_LIVE_DELIVERY_STATES, due_at__gte=start, due_at__lt=end
    )
    if post.pk is not None:
        rows = rows.exclude(post=post)
    return list(rows.values_list("due_at", "post__content_type", "variant__text", "post__link"))


def existing_deliveries(*, accounts: list, start: datetime, end: datetime) -> dict[int, list[tuple]]:
    """Per account id, (due_at, content_type, text, link) of its live deliveries due in
    [start − 8 days, end + 36 days): what ``policy_problems(existing=…)`` needs for candidates in
    [start, end), in one query."""
    rows: dict[int, list[tuple]] = {account.pk: [] for account in accounts}
    for account_id, *row in Delivery.objects.filter(
        account__in=accounts,
        state__in=_LIVE_DELIVERY_STATES,
        due_at__gte=start - _WINDOW_BEFORE,
        due_at__lt=end + _WINDOW_AFTER,
    ).values_list("account_id", "due_at", "post__content_type", "variant__text", "post__link"):
        rows[account_id].append(tuple(row))
    return rows


def _local_week(at: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    local = at.astimezone(zone)
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time(0, 0), tzinfo=zone)
    return monday, datetime.combine(monday.date() + timedelta(days=7), time(0, 0), tzinfo=zone)


def _problem(violation, account, proposed_at: datetime | None = None) -> Problem:
    return Problem(
        rule=violation.code,
        message=f"{account.name}: {violation.message}",
        messages={
            code: f"{account.name}: {text}" for code, text in getattr(violation, "messages", {}).items()
        },
        overridable=violation.overridable,
        account_id=account.pk,
        field=violation.path,
        proposed_at=proposed_at,
        blocking=violation.blocking,
    )
