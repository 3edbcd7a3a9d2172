"""The week planner (C1, C2, C9, M1, M6): proposes next week's posts per account — reads only.

For each account and each candidate time of the week (its queue slots; without slots, days spread to the
cadence's weekly limit at ``DEFAULT_TIME``), the planner ranks what could go there:

1. ideas and local events dated that day (C5), then the day's public holiday and curated observances
   (C2; days of remembrance are shown in the calendar but never turned into a brand post);
2. open ideas from the bank, their kinds rotated slot by slot so the week stays varied (C3, C4, C6–C10);
3. the weekday theme on its own (C1).

Every option is run through publishing's own checks — the connector's ``validate()`` (``variant_problems``),
the policy's cadence, mix and link rules (``policy_problems``, counting the posts already planned and the
ones proposed earlier in the same pass) and the testimonial consent rule — and the first option that none
of them refuses takes the slot. When a cadence rule refuses the time, the nearest allowed time on the same
day is tried. So the planner can never propose what publishing would refuse at that time.

The content type is the option's own, else the one that brings the week's mix closest to the policy's
targets. Theme hashtags and the day's hashtag are added to the text. The same inputs always give the same
week: no randomness, a fixed order everywhere; "regenerate" moves one slot on to its next ranked option
(``choices``). Each proposal carries ``reasons`` (codes with parameters) which ``explain`` turns into a
sentence in the reader's language.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from kopiena.core.clock import now
from kopiena.integrations.models import ConnectedAccount
from kopiena.planning import consent as consent_rules
from kopiena.planning import days as days_lib
from kopiena.planning.idea_templates import THEME_FILLER, fill
from kopiena.planning.models import Idea, IdeaKind, IdeaStatus, LocalEvent
from kopiena.policy import evaluators
from kopiena.policy.selectors import policy_current
from kopiena.publishing import checks, platform
from kopiena.publishing.models import ContentType, Post, PostState
from kopiena.publishing.queues import QueueSlot, account_zone

DEFAULT_TIME = time(11, 0)
NOT_PLANNED = (PostState.CANCELLED, PostState.FAILED)
# Kinds of undated ideas, in the order the rotation starts from.
BANK_ROTATION = (
    IdeaKind.QUESTION,
    IdeaKind.FAQ,
    IdeaKind.TOPIC,
    IdeaKind.LINK,
    IdeaKind.TESTIMONIAL,
    IdeaKind.DISCOUNT,
    IdeaKind.NEWS,
    IdeaKind.NEWSLETTER,
    IdeaKind.EVENT,
    IdeaKind.HOLIDAY,
    IdeaKind.THEME,
)
# Types a proposal may get from the mix alone (a poll needs options a person writes).
MIX_TYPES_EXCLUDED = {ContentType.POLL, ContentType.LINK}
NOT_FOR_BRAND_POSTS = {"remembrance"}
EVENT_LEAD_DAYS = 3
# A slot looks at the first ideas of each kind (most asked first): enough for a week, cheap for 200 accounts.
BANK_OPTIONS_PER_KIND = 8


@dataclass
class Option:
    kind: str
    title: str
    text: str
    hashtags: list[str] = field(default_factory=list)
    content_type: str = ""
    idea: Idea | None = None
    day_key: str = ""
    link: str = ""
    link_context: str = ""
    consent: object | None = None
    reasons: list[dict] = field(default_factory=list)


@dataclass
class Slot:
    account: ConnectedAccount
    at: datetime  # UTC
    kind: str
    title: str
    text: str
    content_type: str
    theme: str
    hashtags: list[str]
    reasons: list[dict]
    choice: int
    idea: Idea | None = None
    day_key: str = ""
    link: str = ""
    link_context: str = ""
    consent: object | None = None

    @property
    def full_text(self) -> str:
        missing = [tag for tag in self.hashtags if tag.casefold() not in self.text.casefold()]
        return " ".join([self.text, *missing]).strip()


@dataclass
class AccountResult:
    account: ConnectedAccount
    slots: list[Slot]
    candidates: int  # times considered
    refused: list[str]  # why candidate times stayed empty (publishing's words), deduplicated


@dataclass
class WeekProposal:
    start: date
    accounts: list[AccountResult]

    @property
    def slots(self) -> list[Slot]:
        return [slot for result in self.accounts for slot in result.slots]


def plan_week(
    *,
    workspace,
    author,
    start: date,
    accounts: list[ConnectedAccount],
    choices: dict[tuple[int, datetime], int] | None = None,
    language: str | None = None,
    moment: datetime | None = None,
) -> WeekProposal:
    """Propose the week starting on Monday ``start`` for ``accounts``. ``choices`` maps (account id,
    slot time) to the ranked option to start from (regenerate); ``language`` is the language posts are
    written in (default: the workspace's first language); ``moment`` is "now" (proposals are in the future).
    """
    start -= timedelta(days=start.weekday())
    language = language or (workspace.languages or ["en"])[0]
    moment = moment or now()
    choices = choices or {}
    policy = policy_current(workspace=workspace)
    accounts = sorted(accounts, key=lambda a: a.pk)
    window = (
        datetime.combine(start - timedelta(days=1), time(0), tzinfo=UTC),
        datetime.combine(start + timedelta(days=8), time(0), tzinfo=UTC),
    )
    existing = checks.existing_deliveries(accounts=accounts, start=window[0], end=window[1])
    drafts = _planned_drafts(workspace, accounts, window)
    queue: dict[int, list[tuple[int, time]]] = defaultdict(list)
    for account_id, weekday, local_time in (
        QueueSlot.objects.filter(account__in=accounts)
        .order_by("weekday", "local_time")
        .values_list("account_id", "weekday", "local_time")
    ):
        queue[account_id].append((weekday, local_time))
    context = _Context.build(workspace, policy, start, language, existing)
    results = []
    with override(language):
        for account in accounts:
            results.append(
                _plan_account(
                    account,
                    context=context,
                    author=author,
                    drafts=drafts.get(account.pk, []),
                    queue=queue.get(account.pk, []),
                    choices=choices,
                    moment=moment,
                )
            )
    return WeekProposal(start=start, accounts=results)


# ---------------------------------------------------------------- context read once per plan


@dataclass
class _Context:
    workspace: object
    policy: object
    start: date
    language: str
    days: dict[date, list[days_lib.Day]]
    dated_ideas: dict[date, list[Idea]]
    bank: dict[str, list[Idea]]
    events: list[LocalEvent]
    existing: dict[int, list[tuple]]
    # Memos for one plan: an idea's option is the same for every slot, and the connector's validate() of
    # the same text on the same platform server gives the same answer.
    idea_options: dict[int, Option] = field(default_factory=dict)
    validated: dict[tuple, list] = field(default_factory=dict)

    @classmethod
    def build(cls, workspace, policy, start: date, language: str, existing: dict) -> _Context:
        end = start + timedelta(days=6)
        by_day: dict[date, list[days_lib.Day]] = defaultdict(list)
        for day in days_lib.days_between(workspace=workspace, start=start, end=end, language=language):
            by_day[day.day].append(day)
        ideas = list(
            Idea.objects.filter(workspace=workspace, status=IdeaStatus.OPEN)
            .select_related("event", "consent")
            .order_by("-count", "created_at", "id")
        )
        dated: dict[date, list[Idea]] = defaultdict(list)
        bank: dict[str, list[Idea]] = defaultdict(list)
        for idea in ideas:
            day = idea.day or (idea.event.starts_on if idea.event_id else None)
            if day is not None:
                # An idea for a day is offered that day; one for an event also up to 3 days before it.
                lead = EVENT_LEAD_DAYS if idea.event_id else 0
                for offset in range(lead + 1):
                    if start <= day - timedelta(days=offset) <= end:
                        dated[day - timedelta(days=offset)].append(idea)
                continue
            bank[idea.kind].append(idea)
        events = list(
            LocalEvent.objects.filter(
                workspace=workspace,
                starts_on__gte=start,
                starts_on__lte=end + timedelta(days=EVENT_LEAD_DAYS),
            ).order_by("starts_on", "id")
        )
        return cls(workspace, policy, start, language, by_day, dated, bank, events, existing)


def _planned_drafts(workspace, accounts, window) -> dict[int, list[tuple]]:
    """Drafts and approved posts with a planned time (no delivery yet): they take their slot too."""
    rows: dict[int, list[tuple]] = defaultdict(list)
    posts = (
        Post.objects.filter(
            workspace=workspace,
            scheduled_at__gte=window[0],
            scheduled_at__lt=window[1],
            state__in=[PostState.DRAFT, PostState.IN_REVIEW, PostState.APPROVED],
            variants__account__in=accounts,
        )
        .values_list("variants__account_id", "scheduled_at", "content_type", "text", "link")
        .order_by("scheduled_at", "id")
    )
    for account_id, *row in posts:
        rows[account_id].append(tuple(row))
    return rows


# ---------------------------------------------------------------- one account


def _candidate_times(
    account, context: _Context, queue, taken_days: Counter, moment: datetime
) -> list[datetime]:
    zone = account_zone(account)
    start = context.start
    if queue:
        local = [datetime.combine(start + timedelta(days=weekday), t, tzinfo=zone) for weekday, t in queue]
    else:
        rule = evaluators.cadence_for(context.policy, evaluators.account_key_for(account)).rule
        per_week = min(7, rule.max_per_week or 7)
        wanted = max(0, per_week - sum(taken_days.values()))
        free = [n for n in range(7) if not taken_days[start + timedelta(days=n)]]
        if wanted < len(free):  # spread over the week: Mon, Wed, Fri for three
            free = sorted({free[round(i * len(free) / wanted)] for i in range(wanted)}) if wanted else []
        local = [datetime.combine(start + timedelta(days=n), DEFAULT_TIME, tzinfo=zone) for n in free]
    return sorted(t.astimezone(UTC) for t in local if t.astimezone(UTC) > moment)


def _plan_account(account, *, context, author, drafts, queue, choices, moment) -> AccountResult:
    zone = account_zone(account)
    existing = context.existing
    planned_rows: list[tuple] = list(drafts)
    taken = {row[0] for row in [*existing.get(account.pk, ()), *drafts]}
    taken_days = Counter(
        row[0].astimezone(zone).date()
        for row in [*existing.get(account.pk, ()), *drafts]
        if context.start <= row[0].astimezone(zone).date() < context.start + timedelta(days=7)
    )
    candidates = [t for t in _candidate_times(account, context, queue, taken_days, moment) if t not in taken]
    used_ideas: set[int] = set()
    used_days: set[str] = set()
    slots: list[Slot] = []
    refused: list[str] = []
    rule = evaluators.cadence_for(context.policy, evaluators.account_key_for(account)).rule
    room = rule.max_per_week - sum(taken_days.values()) if rule.max_per_week else len(candidates)
    for index, at in enumerate(candidates):
        if len(slots) >= room:  # the weekly limit is reached: every later time would be refused
            break
        local_day = at.astimezone(zone).date()
        themes = evaluators.theme_for(context.policy, local_day, context.language)
        options = _options(context, account, local_day, index, themes, used_ideas, used_days)
        first = choices.get((account.pk, at), 0)
        placed = None
        reasons_refused: list[str] = []
        for offset in range(len(options)):
            choice = (first + offset) % len(options)
            option = options[choice]
            placed, time_refused = _try(
                account, option, at, local_day, themes, context, author, planned_rows, reasons_refused
            )
            if placed is not None:
                placed.choice = choice
                break
            if time_refused:  # cadence refuses the time itself: no other content would change that
                break
        if placed is None:
            refused += [r for r in reasons_refused if r not in refused]
            continue
        slots.append(placed)
        planned_rows.append((placed.at, placed.content_type, placed.full_text, placed.link))
        if placed.idea is not None:
            used_ideas.add(placed.idea.pk)
            if placed.idea.event_id:  # one post about an event a week, from its idea or from the event
                used_days.add(f"event:{placed.idea.event_id}")
        if placed.day_key:
            used_days.add(placed.day_key)
    return AccountResult(account=account, slots=slots, candidates=len(candidates), refused=refused)


def _try(
    account, option: Option, at, local_day, themes, context, author, planned_rows, refused
) -> Slot | None:
    """The slot for ``option`` at ``at`` (or the nearest allowed time that day), or None if refused."""
    theme = themes[0] if themes else None
    hashtags = list(dict.fromkeys([*(theme.hashtags if theme else []), *option.hashtags]))
    content_type, mix_reason = _content_type(option, account, at, context, planned_rows)
    post = Post(
        workspace=context.workspace,
        author=author,
        content_type=content_type,
        text=option.text,
        theme=theme.name if theme else "",
        tags=[option.kind] + ([consent_rules.TESTIMONIAL_TAG] if option.kind == IdeaKind.TESTIMONIAL else []),
        link=option.link,
        link_context=option.link_context,
    )
    slot = Slot(
        account=account,
        at=at,
        kind=option.kind,
        title=option.title,
        text=option.text,
        content_type=content_type,
        theme=post.theme,
        hashtags=hashtags,
        reasons=[],
        choice=0,
        idea=option.idea,
        day_key=option.day_key,
        link=option.link,
        link_context=option.link_context,
        consent=option.consent,
    )
    post.text = slot.full_text
    for attempt in range(2):
        found = _refusals(post, account, slot.at, context, planned_rows, option)
        if not found:
            zone = account_zone(account)
            reasons = [{"code": "weekday", "day": slot.at.astimezone(zone).strftime("%A")}]
            if theme:
                reasons.append({"code": "theme", "theme": theme.name})
            reasons += option.reasons
            if mix_reason:
                reasons.append(mix_reason)
            if attempt:
                reasons.append({"code": "moved", "time": slot.at.astimezone(zone).strftime("%H:%M")})
            slot.reasons = reasons
            return slot, False
        refused += [p.message for p in found if p.message not in refused]
        timed = [p for p in found if p.rule.startswith("cadence.")]
        proposed = [p.proposed_at for p in timed if p.proposed_at is not None]
        if attempt or not timed or len(timed) != len(found) or len(proposed) != len(timed):
            return None, bool(timed) and len(timed) == len(found)
        later = max(proposed)
        if later.astimezone(account_zone(account)).date() != local_day:
            return None, True
        slot.at = later
    return None, True


def _refusals(post, account, at, context, planned_rows, option) -> list[checks.Problem]:
    """Publishing's refusals for ``post`` on ``account`` at ``at`` (platform, policy, consent)."""
    key = (account.platform, account.base_url, post.text, post.content_type, post.link)
    if key not in context.validated:
        context.validated[key] = checks.variant_problems(
            platform.DraftVariant(post=post, account=account, text=post.text)
        )
    found = list(context.validated[key])
    found += checks.refusals_of(
        checks.policy_problems(
            post=post,
            at=at,
            accounts=[account],
            planned={account.pk: planned_rows},
            existing={account.pk: context.existing.get(account.pk, [])},
            policy=context.policy,
        )
    )
    if option.kind == IdeaKind.TESTIMONIAL:
        found += [
            checks.Problem(rule=rule, message=message, overridable=False)
            for rule, message in consent_rules.consent_refusals(
                option.consent, accounts=[account], at=at, workspace=context.workspace
            )
        ]
    return [p for p in found if p.blocking]


def _content_type(option: Option, account, at, context, planned_rows) -> tuple[str, dict | None]:
    if option.content_type:
        return option.content_type, None
    key = evaluators.account_key_for(account)
    zone = account_zone(account)
    week = checks._local_week(at, zone)
    rows = [*context.existing.get(account.pk, []), *planned_rows]
    counts = Counter(ctype for due, ctype, _text, _link in rows if week[0] <= due < week[1])
    target, _path = evaluators.mix_for(context.policy, key)
    types = [t for t in context.policy.publishing.content_mix.types if t not in MIX_TYPES_EXCLUDED]
    if not target.targets or not types:
        return ContentType.TEXT, None
    total = sum(counts.values()) + 1

    def distance(candidate: str) -> float:
        after = {**counts, candidate: counts.get(candidate, 0) + 1}
        return sum(abs(100.0 * after.get(t, 0) / total - target.targets.get(t, 0)) for t in target.targets)

    best = min(types, key=lambda t: (distance(t), -target.targets.get(t, 0), types.index(t)))
    return best, {"code": "mix", "content_type": best}


# ---------------------------------------------------------------- options


def _options(context, account, day, index, themes, used_ideas, used_days) -> list[Option]:
    language = context.language
    options: list[Option] = []
    for idea in context.dated_ideas.get(day, []):
        if idea.pk not in used_ideas and f"event:{idea.event_id}" not in used_days:
            options.append(_idea_option(idea, language, dated=True))  # dated: not memoised (says the day)
    for event in context.events:
        key = f"event:{event.pk}"
        if key in used_days or not (day <= event.starts_on <= day + timedelta(days=EVENT_LEAD_DAYS)):
            continue
        options.append(
            Option(
                kind=IdeaKind.EVENT,
                title=event.title,
                text=fill(IdeaKind.EVENT, language, name=event.title, text=event.location),
                link=event.url,
                link_context=_("the event's page") if event.url else "",
                day_key=key,
                reasons=[{"code": "event", "name": event.title, "day": event.starts_on.isoformat()}],
            )
        )
    for entry in context.days.get(day, []):
        if entry.key in used_days or entry.kind in (days_lib.DayKind.EVENT, days_lib.DayKind.NAMEDAY):
            continue
        if entry.category in NOT_FOR_BRAND_POSTS:
            continue
        options.append(
            Option(
                kind=IdeaKind.HOLIDAY,
                title=entry.name,
                text=fill(IdeaKind.HOLIDAY, language, name=entry.name),
                hashtags=[entry.hashtag] if entry.hashtag else [],
                day_key=entry.key,
                reasons=[{"code": entry.kind, "name": entry.name}],
            )
        )
    rotation = BANK_ROTATION[index % len(BANK_ROTATION) :] + BANK_ROTATION[: index % len(BANK_ROTATION)]
    for kind in rotation:
        for idea in context.bank.get(kind, [])[:BANK_OPTIONS_PER_KIND]:
            if idea.pk not in used_ideas:
                if idea.pk not in context.idea_options:
                    context.idea_options[idea.pk] = _idea_option(idea, language, dated=False)
                options.append(context.idea_options[idea.pk])
    if themes:
        theme = themes[0]
        options.append(
            Option(
                kind=IdeaKind.THEME,
                title=theme.name,
                text=fill(
                    IdeaKind.THEME,
                    language,
                    name=theme.name,
                    text=THEME_FILLER.get(language, THEME_FILLER["en"]),
                ),
                reasons=[{"code": "theme_only"}],
            )
        )
    if not options:
        options.append(
            Option(
                kind=IdeaKind.QUESTION,
                title=_("An engaging question"),
                text=fill(
                    IdeaKind.QUESTION, language, title=_("What would you like to see from us next week?")
                ),
                reasons=[{"code": "question"}],
            )
        )
    return options


def _idea_option(idea: Idea, language: str, *, dated: bool) -> Option:
    text = idea.text or fill(
        idea.kind,
        language,
        title=idea.title,
        name=(idea.consent.person_name if idea.consent_id else "")
        or (idea.event.title if idea.event_id else idea.title),
        text=idea.title,
        code=idea.promo_code,
        link=idea.link,
        count=str(idea.count),
    )
    reason = {"code": "idea", "kind": idea.kind, "title": idea.title}
    if idea.kind == IdeaKind.FAQ and idea.count:
        reason = {"code": "faq", "title": idea.title, "count": idea.count}
    elif idea.kind == IdeaKind.TOPIC and idea.count:
        reason = {"code": "topic", "title": idea.title, "count": idea.count}
    return Option(
        kind=idea.kind,
        title=idea.title,
        text=text,
        hashtags=list(idea.hashtags or []),
        content_type=idea.content_type,
        idea=idea,
        link=idea.link,
        link_context=idea.link_context,
        consent=idea.consent,
        reasons=[reason] + ([{"code": "dated", "day": idea.day.isoformat()}] if dated and idea.day else []),
    )


# ---------------------------------------------------------------- explanations


def explain(reasons: list[dict]) -> str:
    """The proposal's reasons as one sentence in the active language."""
    parts = []
    for reason in reasons:
        code = reason.get("code")
        if code == "weekday":
            continue
        if code == "theme":
            parts.append(_("weekday theme “%(theme)s”") % reason)
        elif code == days_lib.DayKind.HOLIDAY:
            parts.append(_("public holiday: %(name)s") % reason)
        elif code == days_lib.DayKind.OBSERVANCE:
            parts.append(_("special day: %(name)s") % reason)
        elif code == "event":
            parts.append(_("local event “%(name)s” on %(day)s") % reason)
        elif code == "faq":
            parts.append(
                ngettext(
                    "asked %(count)s time in the inbox: “%(title)s”",
                    "asked %(count)s times in the inbox: “%(title)s”",
                    int(reason.get("count") or 0),
                )
                % reason
            )
        elif code == "topic":
            parts.append(
                ngettext(
                    "topic of %(count)s comment: “%(title)s”",
                    "topic of %(count)s comments: “%(title)s”",
                    int(reason.get("count") or 0),
                )
                % reason
            )
        elif code == "idea":
            parts.append(_("idea from the bank: “%(title)s”") % reason)
        elif code == "mix":
            label = str(dict(ContentType.choices).get(reason["content_type"], reason["content_type"]))
            parts.append(_("%(type)s to bring the content mix back to target") % {"type": label.lower()})
        elif code == "moved":
            parts.append(_("moved to %(time)s to keep the cadence rules") % reason)
        elif code == "theme_only":
            parts.append(_("no idea fits this day: add your story"))
        elif code == "question":
            parts.append(_("an engaging question keeps the conversation going"))
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]
