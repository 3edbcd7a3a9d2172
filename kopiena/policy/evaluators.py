"""Pure evaluators over a PolicyDocument and plain data: no ORM, no settings, no clock.

Publishing and the inbox read the rules ONLY through these functions. Conventions:

* Datetimes are aware (naive ones raise ValueError). ``tz`` is a zone name or a tzinfo; days, weeks and
  quiet hours are judged on that zone's wall clock, gaps in absolute time. Weeks start on Monday.
* ``account_key`` is ``account_key_for(account)`` (``"<platform>:<id>"``); an account with no override in
  the policy gets the workspace default.
* A refused rule is a ``Violation``: ``code`` (stable, e.g. ``cadence.max_per_day``), ``path`` (the
  policy field that made the rule, e.g. ``publishing.cadence.accounts.mastodon:3.max_per_day``), a
  translated ``message`` and ``overridable`` (a person holding ``Perm.POLICY_OVERRIDE`` may override it
  with a reason; the caller audits that).
* ``blocking`` says whether the rule refuses (cadence, the own-link share…) or only flags: a post that
  worsens a drifted content mix or a link post with no stated context may still be scheduled, and the
  caller shows the flag (issue 5: "flagged" is not "refused").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from kopiena.policy.schema import WEEKDAYS, CadenceRule, MixTarget, PolicyDocument, QuietWindow, parse_clock


@dataclass(frozen=True)
class Violation:
    code: str
    path: str
    message: str
    overridable: bool = True
    blocking: bool = True
    # A flag (blocking=False) is stored on the post and read later by people in other languages: its message
    # in every interface language (``in_languages``), so the page shows the reader's.
    messages: dict = field(default_factory=dict, compare=False)


def in_languages(render) -> dict[str, str]:
    """``render()`` (a message built with gettext) in every interface language: {"en": …, "lv": …}."""
    from django.conf import settings
    from django.utils.translation import override

    texts = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            texts[code] = str(render())
    return texts


def account_key_for(account: Any) -> str:
    """The key an account has in the policy (``cadence.accounts``, ``content_mix.accounts``…)."""
    return f"{account.platform}:{account.pk}"


def _zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value


# ---------------------------------------------------------------- cadence (M1)


@dataclass(frozen=True)
class EffectiveCadence:
    """The cadence rule for one account, and for each field the policy path it came from."""

    rule: CadenceRule
    paths: dict[str, str]


def cadence_for(policy: PolicyDocument, account_key: str) -> EffectiveCadence:
    cadence = policy.publishing.cadence
    return EffectiveCadence(rule=cadence.effective(account_key), paths=cadence.paths(account_key))


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def _quiet_end(window: QuietWindow, local: datetime) -> datetime | None:
    """If ``local`` (wall clock in its zone) is inside ``window``, the aware moment the window ends."""
    start, end = parse_clock(window.start), parse_clock(window.end)
    now_clock = local.time().replace(tzinfo=None, fold=0)
    days = set(window.days) or set(WEEKDAYS)
    today, yesterday = WEEKDAYS[local.weekday()], WEEKDAYS[(local.weekday() - 1) % 7]
    zone = local.tzinfo

    def at(day: date, clock: str) -> datetime:
        if clock == "24:00":
            return _local_midnight(day + timedelta(days=1), zone)
        return datetime.combine(day, parse_clock(clock), tzinfo=zone)

    if start < end:  # same-day window
        if today in days and start <= now_clock < end:
            return at(local.date(), window.end)
        return None
    # Crosses midnight: the evening part belongs to today, the morning part to the window that began yesterday.
    if today in days and now_clock >= start:
        return at(local.date() + timedelta(days=1), window.end)
    if yesterday in days and now_clock < end:
        return at(local.date(), window.end)
    return None


@dataclass(frozen=True)
class _Blocker:
    violation: Violation
    clears_at: datetime  # the earliest moment this rule could stop refusing


def _cadence_blockers(
    policy: PolicyDocument, account_key: str, planned_times: Iterable[datetime], candidate: datetime, tz
) -> list[_Blocker]:
    zone = _zone(tz)
    candidate = _aware(candidate, "candidate")
    planned = [_aware(t, "planned time") for t in planned_times]
    effective = cadence_for(policy, account_key)
    rule, paths = effective.rule, effective.paths
    overridable = rule.manager_may_override
    local = candidate.astimezone(zone)
    blockers: list[_Blocker] = []

    for window_index, window in enumerate(rule.quiet_hours):
        end = _quiet_end(window, local)
        if end is not None:
            message = _("%(time)s is inside the quiet hours %(start)s–%(end)s.") % {
                "time": local.strftime("%H:%M"),
                "start": window.start,
                "end": window.end,
            }
            path = f"{paths['quiet_hours']}.{window_index}"
            blockers.append(_Blocker(Violation("cadence.quiet_hours", path, message, overridable), end))

    if rule.max_per_day is not None:
        same_day = sum(1 for t in planned if t.astimezone(zone).date() == local.date())
        if same_day + 1 > rule.max_per_day:
            message = _(
                "At most %(limit)s posts a day on this account; %(day)s already has %(count)s planned."
            ) % {"limit": rule.max_per_day, "day": local.date().isoformat(), "count": same_day}
            clears = _local_midnight(local.date() + timedelta(days=1), zone)
            blockers.append(
                _Blocker(Violation("cadence.max_per_day", paths["max_per_day"], message, overridable), clears)
            )

    if rule.max_per_week is not None:
        monday = local.date() - timedelta(days=local.weekday())
        next_monday = monday + timedelta(days=7)
        same_week = sum(1 for t in planned if monday <= t.astimezone(zone).date() < next_monday)
        if same_week + 1 > rule.max_per_week:
            message = _(
                "At most %(limit)s posts a week on this account; the week of %(monday)s already has "
                "%(count)s planned."
            ) % {"limit": rule.max_per_week, "monday": monday.isoformat(), "count": same_week}
            blockers.append(
                _Blocker(
                    Violation("cadence.max_per_week", paths["max_per_week"], message, overridable),
                    _local_midnight(next_monday, zone),
                )
            )

    if rule.min_gap_minutes:
        gap = timedelta(minutes=rule.min_gap_minutes)
        close = sorted(t for t in planned if abs(t - candidate) < gap)
        if close:
            message = _(
                "Posts on this account must be at least %(minutes)s minutes apart; another one is planned "
                "at %(time)s."
            ) % {
                "minutes": rule.min_gap_minutes,
                "time": close[0].astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            }
            blockers.append(
                _Blocker(
                    Violation("cadence.min_gap", paths["min_gap_minutes"], message, overridable),
                    close[-1] + gap,
                )
            )
    return blockers


def check_cadence(
    policy: PolicyDocument,
    account_key: str,
    planned_times: Iterable[datetime],
    candidate: datetime,
    tz: str | tzinfo,
) -> list[Violation]:
    """Every cadence rule that posting at ``candidate`` on this account would break.

    ``planned_times`` are the account's other scheduled/published posts (leave out the post being moved).
    Checks quiet hours (windows may cross midnight), max per local day, max per Monday-started local week,
    and the minimum gap to any other post. Empty list: allowed.
    """
    return [b.violation for b in _cadence_blockers(policy, account_key, planned_times, candidate, tz)]


def nearest_allowed_slot(
    policy: PolicyDocument,
    account_key: str,
    planned_times: Iterable[datetime],
    candidate: datetime,
    tz: str | tzinfo,
    *,
    horizon_days: int = 28,
) -> datetime | None:
    """The earliest moment at or after ``candidate`` that breaks no cadence rule, or None within the horizon.

    Each refusing rule says when it could clear at the earliest (end of the quiet window, next local day,
    next week, the blocking post plus the gap); jumping to the latest of those never skips a valid slot.
    """
    planned = list(planned_times)
    limit = _aware(candidate, "candidate") + timedelta(days=horizon_days)
    slot = candidate
    while slot <= limit:
        blockers = _cadence_blockers(policy, account_key, planned, slot, tz)
        if not blockers:
            return slot.astimezone(ZoneInfo("UTC"))
        # Every clears_at is later than slot; the guard only protects against a zone's odd wall clock.
        slot = max(max(b.clears_at for b in blockers), slot + timedelta(minutes=1))
    return None


# ---------------------------------------------------------------- content mix (M6)


@dataclass(frozen=True)
class MixRow:
    content_type: str
    planned: int
    planned_percent: float
    target_percent: int
    drift_percent: float  # planned − target; positive: more than the target


@dataclass(frozen=True)
class MixReport:
    """Planned versus target shares for one account's period (a week or a month, as the caller counts)."""

    path: str
    rows: list[MixRow]
    total: int
    tolerance_percent: int
    drifted: bool  # some type is off its target by more than the tolerance (before the candidate)
    candidate_type: str
    worsens: bool  # the mix is drifted and the candidate does not bring it closer to the targets
    violations: list[Violation] = field(default_factory=list)


def mix_for(policy: PolicyDocument, account_key: str) -> tuple[MixTarget, str]:
    mix = policy.publishing.content_mix
    if account_key in mix.accounts:
        return mix.accounts[account_key], f"publishing.content_mix.accounts.{account_key}"
    return mix.default, "publishing.content_mix.default"


def _drifts(counts: Mapping[str, int], targets: Mapping[str, int], types: list[str]) -> dict[str, float]:
    total = sum(counts.values())
    return {t: (100.0 * counts.get(t, 0) / total if total else 0.0) - targets.get(t, 0) for t in types}


def check_mix(
    policy: PolicyDocument,
    account_key: str,
    planned_counts_by_type: Mapping[str, int],
    candidate_type: str,
) -> MixReport:
    """How the planned posts split by content type compares with the targets, and whether one more post of
    ``candidate_type`` makes a drifted mix worse, i.e. does not reduce the distance (sum of
    |planned% − target%|). ``planned_counts_by_type`` counts the account's other posts in the period.

    A mix with no posts yet is never "drifted": one post is always 100 % of something.
    """
    target, path = mix_for(policy, account_key)
    counts = {k: int(v) for k, v in planned_counts_by_type.items() if v}
    types = list(policy.publishing.content_mix.types)
    types += [t for t in [*counts, candidate_type] if t not in types]
    total = sum(counts.values())
    before = _drifts(counts, target.targets, types)
    rows = [
        MixRow(t, counts.get(t, 0), before[t] + target.targets.get(t, 0), target.targets.get(t, 0), before[t])
        for t in types
        if t in target.targets or counts.get(t)
    ]
    if not target.targets:
        return MixReport(path, rows, total, target.tolerance_percent, False, candidate_type, False)
    drifted = total > 0 and any(abs(d) > target.tolerance_percent for d in before.values())
    after_counts = {**counts, candidate_type: counts.get(candidate_type, 0) + 1}
    after = _drifts(after_counts, target.targets, types)
    # Not moving a drifted mix closer (e.g. a 4th photo on an all-photo week) counts as worsening it.
    worsens = drifted and sum(map(abs, after.values())) >= sum(map(abs, before.values())) - 1e-9
    violations = []
    if worsens:
        off = max(rows, key=lambda r: abs(r.drift_percent))

        def render() -> str:
            from django.utils.translation import get_language

            language = (get_language() or "en")[:2]
            return _(
                "The content mix has drifted (%(type)s is at %(planned).0f %% against a target of %(target)s %%); "
                "another %(candidate)s post makes it worse."
            ) % {
                "type": content_type_label(policy, off.content_type, language),
                "planned": off.planned_percent,
                "target": off.target_percent,
                "candidate": content_type_label(policy, candidate_type, language),
            }

        violations.append(
            Violation(
                "mix.worsens", f"{path}.targets", render(), blocking=False, messages=in_languages(render)
            )
        )
    return MixReport(
        path, rows, total, target.tolerance_percent, drifted, candidate_type, worsens, violations
    )


def content_type_label(policy: PolicyDocument, content_type: str, language: str) -> str:
    labels = policy.publishing.content_mix.types.get(content_type, {})
    return pick_language(labels, language) or content_type


# ---------------------------------------------------------------- links (M9, C4)

_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def links_in(text: str) -> list[str]:
    return [m.rstrip(".,;:!?)]}»\"'") for m in _URL.findall(text or "")]


def is_own_link(policy: PolicyDocument, url: str) -> bool:
    """Whether ``url`` points to one of our own domains (or a subdomain of one)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in policy.publishing.links.own_domains)


def has_own_link(policy: PolicyDocument, text: str, link: str | None) -> bool:
    """Whether a post (its link field or a URL in its text) links to one of our own domains; use it to
    count ``week_posts_with_own_links`` for ``check_links``."""
    return any(is_own_link(policy, u) for u in ([link] if link else []) + links_in(text))


def check_links(
    policy: PolicyDocument,
    text: str,
    link: str | None,
    link_context: str | None,
    week_posts_with_own_links: int,
    week_posts_total: int,
) -> list[Violation]:
    """Link rules for a post: a stated context for any link, and the weekly share of posts linking to our
    own site. The two counts are the account's other posts in the candidate's week (not counting it).

    The share is measured with the candidate included; the first own-link post of a week is always
    allowed (unless the share is 0 %), because a share of one post says nothing yet.
    """
    rules = policy.publishing.links
    urls = ([link] if link else []) + links_in(text)
    if not urls:
        return []
    violations = []
    context = (link_context or "").strip()
    if rules.require_context and not context:
        violations.append(
            Violation(
                "links.require_context",
                "publishing.links.require_context",
                _("Say why the audience needs this link (for example: they asked for the catalogue)."),
                blocking=False,
                messages=in_languages(
                    lambda: _(
                        "Say why the audience needs this link (for example: they asked for the catalogue)."
                    )
                ),
            )
        )
    elif context and rules.allowed_contexts and context not in rules.allowed_contexts:
        violations.append(
            Violation(
                "links.context_not_allowed",
                "publishing.links.allowed_contexts",
                _("“%(context)s” is not one of the reasons the policy accepts for a link: %(allowed)s.")
                % {"context": context, "allowed": ", ".join(rules.allowed_contexts)},
            )
        )
    if has_own_link(policy, text, link):
        own_after, total_after = week_posts_with_own_links + 1, week_posts_total + 1
        share = rules.max_own_link_share_percent
        allowed = max(1, math.floor(share * total_after / 100)) if share else 0
        if own_after > allowed:
            violations.append(
                Violation(
                    "links.max_own_share",
                    "publishing.links.max_own_link_share_percent",
                    _(
                        "At most %(share)s %% of a week's posts may link to our own site; this would make "
                        "%(own)s of %(total)s."
                    )
                    % {"share": share, "own": own_after, "total": total_after},
                )
            )
    return violations


def apply_utm(
    policy: PolicyDocument,
    url: str,
    *,
    platform: str = "",
    account: str = "",
    campaign: str = "",
    content_type: str = "",
    theme: str = "",
) -> str:
    """``url`` with the policy's UTM parameters added. Parameters already in the URL are kept as they are;
    a parameter whose template renders empty (e.g. no campaign) is left out."""
    utm = policy.publishing.links.utm
    if not url or not utm.enabled or not utm.params:
        return url
    if utm.only_own_domains and not is_own_link(policy, url):
        return url
    values = {
        "platform": platform,
        "account": account,
        "campaign": campaign,
        "content_type": content_type,
        "theme": theme,
    }
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _v in query}
    for name, template in utm.params.items():
        value = re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], ""), template).strip()
        if value and name not in present:
            query.append((name, value))
    return urlunsplit(parts._replace(query=urlencode(query)))


# ---------------------------------------------------------------- approval (R8)


@dataclass(frozen=True)
class AccountSettings:
    """What the approval rule needs to know about the target account."""

    key: str = ""
    approval_required: bool = False

    @classmethod
    def of(cls, account: Any) -> AccountSettings:
        return cls(key=account_key_for(account), approval_required=bool(account.approval_required))


def approval_required(
    policy: PolicyDocument, role: str, account_settings: AccountSettings | None, has_link: bool
) -> bool:
    """Whether a post by someone with ``role`` to this account must be approved before scheduling.

    True when the role is listed in ``roles_needing_approval``, the account's own setting asks for it, the
    policy lists the account, or the post has a link and ``link_posts`` is on. Who may approve is
    ``approval.approver_roles``; whether an approver may approve their own post is the caller's rule.
    """
    rules = policy.publishing.approval
    settings = account_settings or AccountSettings()
    return (
        role in rules.roles_needing_approval
        or settings.approval_required
        or (bool(settings.key) and settings.key in rules.accounts)
        or (has_link and rules.link_posts)
    )


def may_approve(policy: PolicyDocument, role: str) -> bool:
    return role in policy.publishing.approval.approver_roles


# ---------------------------------------------------------------- weekday themes (C1)


@dataclass(frozen=True)
class ThemeSuggestion:
    key: str
    name: str
    hashtags: list[str]


def pick_language(values: Mapping[str, Any], language: str) -> Any:
    """The value for ``language``, else its base language, else English, else the first one."""
    for code in (language, (language or "").split("-")[0], "en"):
        if code in values:
            return values[code]
    return next(iter(values.values()), None)


def theme_for(policy: PolicyDocument, day: date, language: str) -> list[ThemeSuggestion]:
    """The weekday themes for ``day`` in ``language`` (falls back to English); empty if themes are off."""
    themes = policy.publishing.themes
    if not themes.enabled:
        return []
    return [
        ThemeSuggestion(
            key=theme.key,
            name=pick_language(theme.names, language) or theme.key,
            hashtags=list(pick_language(theme.hashtags, language) or []),
        )
        for theme in themes.weekdays.get(WEEKDAYS[day.weekday()], [])
    ]


# ---------------------------------------------------------------- engagement (M2, M3, M4, M8, M9)
#
# ``classification`` is a mapping or an object with any of: intent (str or list of str), sentiment
# ("negative" | "neutral" | "positive"), language, acute (bool), spam (bool), toxic (bool).


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _values(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    return set(value)


@dataclass(frozen=True)
class RouteDecision:
    role: str | None
    person: str | None
    priority: str
    rule_name: str
    path: str


def route(policy: PolicyDocument, classification: Any, account: str | None) -> RouteDecision:
    """Who gets an inbox item and at what priority: the first routing rule whose every condition holds,
    else the fallback. ``account`` is the account key (or None for a mention found by listening)."""
    routing = policy.engagement.routing
    intents = _values(_get(classification, "intent"))
    for index, rule in enumerate(routing.rules):
        when = rule.when
        if when.intents and not intents & set(when.intents):
            continue
        if when.sentiments and _get(classification, "sentiment") not in when.sentiments:
            continue
        if when.languages and _get(classification, "language") not in when.languages:
            continue
        if when.accounts and account not in when.accounts:
            continue
        if when.acute is not None and bool(_get(classification, "acute", False)) != when.acute:
            continue
        return RouteDecision(
            rule.assign_to.role,
            rule.assign_to.person,
            rule.priority,
            rule.name,
            f"engagement.routing.rules.{index}",
        )
    fallback = routing.fallback
    return RouteDecision(
        fallback.assign_to.role,
        fallback.assign_to.person,
        fallback.priority,
        fallback.name,
        "engagement.routing.fallback",
    )


def response_target_seconds(
    policy: PolicyDocument, *, kind: str | None = None, priority: str | None = None
) -> int:
    """First-response target in (business, if ``business_time``) seconds: the strictest of the targets set
    for this priority and this kind, else the default (M8: 6 hours)."""
    targets = policy.engagement.response_targets
    specific = [
        value
        for value in (targets.by_priority.get(priority or ""), targets.by_kind.get(kind or ""))
        if value is not None
    ]
    return min(specific) if specific else targets.first_response_seconds


def _is_negative(classification: Any) -> bool:
    return _get(classification, "sentiment") == "negative"


def can_delete(policy: PolicyDocument, classification: Any) -> bool:
    """M4: a negative comment is never deleted. Otherwise only spam, and only if ``delete_spam`` is on."""
    if _is_negative(classification):
        return False
    return policy.engagement.moderation.delete_spam and bool(_get(classification, "spam", False))


def can_hide(policy: PolicyDocument, classification: Any, role: str) -> bool:
    """Hiding is for spam and toxic comments only (as the policy lists), by the roles it names."""
    moderation = policy.engagement.moderation
    if role not in moderation.hide_roles:
        return False
    return any(bool(_get(classification, kind, False)) for kind in moderation.hide_only)


def check_reply_links(policy: PolicyDocument, text: str, link_context: str | None) -> list[Violation]:
    """M9: a link in a reply only when the context calls for it (one of ``allowed_contexts``)."""
    rules = policy.engagement.links_in_replies
    if not rules.only_in_context or not links_in(text):
        return []
    if link_context and link_context in rules.allowed_contexts:
        return []
    return [
        Violation(
            "reply_links.out_of_context",
            "engagement.links_in_replies.allowed_contexts",
            _("A link in a reply needs a reason the policy accepts: %(allowed)s.")
            % {"allowed": ", ".join(rules.allowed_contexts) or "—"},
        )
    ]


def banned_phrases_in(policy: PolicyDocument, text: str, language: str | None = None) -> list[str]:
    """The policy's banned phrases found in ``text`` (case-insensitive); all languages if none is given."""
    phrases = policy.engagement.tone.banned_phrases
    lists = [phrases.get(language, [])] if language else list(phrases.values())
    lowered = (text or "").casefold()
    return [p for group in lists for p in group if p.casefold() in lowered]
