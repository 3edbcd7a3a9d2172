"""The communication policy document: typed, validated structures (pydantic v2).

One document per workspace. Every model forbids unknown keys so that a typo in YAML is an error with a
field path, never a silently ignored rule. Field order here is the order of the exported YAML.

Account overrides (``cadence.accounts``, ``content_mix.accounts``) are keyed by account key
(``kopiena.policy.evaluators.account_key_for``: ``"<platform>:<account id>"``). In a cadence override a
field left out (or null) inherits the workspace default.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, time
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

SCHEMA_VERSION = 1

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

ROLES = ("owner", "manager", "moderator", "contributor", "analyst")
RoleName = Literal["owner", "manager", "moderator", "contributor", "analyst"]

PRIORITIES = ("urgent", "high", "normal", "low")
Priority = Literal["urgent", "high", "normal", "low"]

LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=40)]
# Account keys look like "mastodon:17"; kept loose so a renamed platform key still validates.
AccountKey = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]+:[A-Za-z0-9_.@\-]+$", max_length=120)
]
Domain = Annotated[
    str, StringConstraints(pattern=r"^([a-z0-9]([a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,63}$", max_length=253)
]
Hashtag = Annotated[str, StringConstraints(pattern=r"^#\w+$")]
Percent = Annotated[int, Field(ge=0, le=100)]

_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def parse_clock(value: str) -> time:
    """'HH:MM' → time; '24:00' (only meaningful as a window end) → time.max."""
    if value == "24:00":
        return time.max
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _check_clock(value: str) -> str:
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise ValueError(_("must be a time of day written HH:MM, e.g. 09:30"))
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


LocalizedText = dict[LanguageCode, str]


# ---------------------------------------------------------------- publishing


class QuietWindow(Strict):
    """No posts between ``start`` and ``end`` local time. ``end`` before ``start`` crosses midnight.

    ``days`` are the days the window *starts* on (empty: every day); Friday 22:00–07:00 covers Saturday
    03:00 as well.
    """

    start: str
    end: str
    days: list[Weekday] = []

    checkcheck_clock = field_validator("start", "end")(_check_clock)

    @model_validator(mode="after")
    def _not_empty(self) -> QuietWindow:
        if self.start == self.end:
            raise ValueError(_("a quiet window must not start and end at the same minute"))
        if self.start == "24:00":
            raise ValueError(_("a quiet window cannot start at 24:00; use 00:00"))
        return self


class CadenceRule(Strict):
    """M1: don't post too often. null means no limit."""

    max_per_day: int | None = Field(default=None, ge=1)
    max_per_week: int | None = Field(default=None, ge=1)
    min_gap_minutes: int = Field(default=0, ge=0, le=7 * 24 * 60)
    quiet_hours: list[QuietWindow] = []
    manager_may_override: bool = True

    @model_validator(mode="after")
    def _week_holds_a_day(self) -> CadenceRule:
        if self.max_per_day and self.max_per_week and self.max_per_week < self.max_per_day:
            raise ValueError(_("Most posts a week must not be fewer than most posts a day."))
        return self


class CadenceOverride(Strict):
    """Per-account cadence; every field left null inherits the workspace default."""

    max_per_day: int | None = Field(default=None, ge=1)
    max_per_week: int | None = Field(default=None, ge=1)
    min_gap_minutes: int | None = Field(default=None, ge=0, le=7 * 24 * 60)
    quiet_hours: list[QuietWindow] | None = None
    manager_may_override: bool | None = None


class Cadence(Strict):
    default: CadenceRule = CadenceRule()
    accounts: dict[AccountKey, CadenceOverride] = {}

    def _merged(self, account_key: str) -> dict:
        values = {name: getattr(self.default, name) for name in CadenceRule.model_fields}
        override = self.accounts.get(account_key)
        if override is not None:
            values.update({k: v for k in CadenceRule.model_fields if (v := getattr(override, k)) is not None})
        return values

    def effective(self, account_key: str) -> CadenceRule:
        """The account's rule: its override's fields where set, the default's elsewhere."""
        return CadenceRule.model_construct(**self._merged(account_key))

    def paths(self, account_key: str) -> dict[str, str]:
        """For each rule field, the policy path it comes from for this account."""
        override = self.accounts.get(account_key)
        return {
            name: f"publishing.cadence.accounts.{account_key}.{name}"
            if override is not None and getattr(override, name) is not None
            else f"publishing.cadence.default.{name}"
            for name in CadenceRule.model_fields
        }

    @model_validator(mode="after")
    def _overrides_are_consistent(self) -> Cadence:
        # An override is checked together with the default it inherits from (e.g. a day limit above the
        # inherited week limit).
        for key in self.accounts:
            try:
                CadenceRule.model_validate(self._merged(key))
            except ValidationError as exc:
                from kopiena.core.words import platform_key
                from kopiena.policy.messages import plain_error

                problems = " ".join(plain_error(e) for e in exc.errors(include_url=False))
                raise ValueError(
                    _("The account %(key)s together with the workspace's default: %(error)s")
                    % {"key": platform_key(key), "error": problems}
                ) from exc
        return self


class MixTarget(Strict):
    """M6: target shares of the schedule by content type, in percent (they add up to 100)."""

    targets: dict[Key, Percent] = {}
    tolerance_percent: Percent = 10

    @model_validator(mode="after")
    def _adds_up(self) -> MixTarget:
        total = sum(self.targets.values())
        if self.targets and total != 100:
            raise ValueError(
                _("targets add up to %(total)s %%; they must add up to 100 %%") % {"total": total}
            )
        return self


class ContentMix(Strict):
    # Content types are configurable; each has a label per language.
    types: dict[Key, LocalizedText] = {}
    default: MixTarget = MixTarget()
    accounts: dict[AccountKey, MixTarget] = {}

    @model_validator(mode="after")
    def _targets_are_known_types(self) -> ContentMix:
        from kopiena.core.words import platform_key

        targets = [(_("The workspace's targets"), self.default)] + [
            (_("The targets of %(account)s") % {"account": platform_key(k)}, v)
            for k, v in self.accounts.items()
        ]
        for where, target in targets:
            unknown = sorted(set(target.targets) - set(self.types))
            if unknown:
                raise ValueError(
                    _("%(where)s name content types the policy does not list: %(unknown)s")
                    % {"where": where, "unknown": ", ".join(unknown)}
                )
        return self


class Utm(Strict):
    enabled: bool = True
    only_own_domains: bool = True
    # Values may use {platform}, {account}, {campaign}, {content_type}, {theme}.
    params: dict[Annotated[str, StringConstraints(pattern=r"^utm_[a-z_]+$")], str] = {}

    @field_validator("params")
    @classmethod
    def _known_placeholders(cls, params: dict[str, str]) -> dict[str, str]:
        allowed = {"platform", "account", "campaign", "content_type", "theme"}
        for name, value in params.items():
            used = set(re.findall(r"\{([^{}]*)\}", value))
            if used - allowed:
                raise ValueError(
                    _("%(name)s uses unknown placeholder(s) %(bad)s; allowed: %(allowed)s")
                    % {
                        "name": name,
                        "bad": ", ".join(sorted(used - allowed)),
                        "allowed": ", ".join(sorted(allowed)),
                    }
                )
        return params


class Links(Strict):
    """M9: don't pull subscribers out of the community; links to our own site only in context."""

    own_domains: list[Domain] = []
    max_own_link_share_percent: Percent = 30
    require_context: bool = True
    # Empty: any stated context is accepted; otherwise the context must be one of these keys.
    allowed_contexts: list[Key] = []
    utm: Utm = Utm()

    @field_validator("own_domains", mode="before")
    @classmethod
    def _lowercase(cls, value):
        return [d.lower().strip() for d in value] if isinstance(value, list) else value


class Theme(Strict):
    key: Key
    names: LocalizedText
    hashtags: dict[LanguageCode, list[Hashtag]] = {}


class Themes(Strict):
    """C1: weekday themes. Pick and combine; the planner suggests them."""

    enabled: bool = True
    weekdays: dict[Weekday, list[Theme]] = {}

    @field_validator("weekdays")
    @classmethod
    def _keys_unique_per_day(cls, weekdays: dict[str, list[Theme]]) -> dict[str, list[Theme]]:
        for day, themes in weekdays.items():
            keys = [t.key for t in themes]
            if len(keys) != len(set(keys)):
                raise ValueError(_("%(day)s lists the same theme key twice") % {"day": day})
        return weekdays


class Approval(Strict):
    """Who must have a post approved before it is scheduled."""

    roles_needing_approval: list[RoleName] = ["contributor"]
    approver_roles: list[RoleName] = ["owner", "manager"]
    link_posts: bool = False
    # Accounts whose every post needs approval, in addition to each account's own setting.
    accounts: list[AccountKey] = []

    @model_validator(mode="after")
    def _someone_approves(self) -> Approval:
        if not self.approver_roles:
            raise ValueError(_("At least one role must be allowed to approve."))
        return self


class Publishing(Strict):
    cadence: Cadence = Cadence()
    content_mix: ContentMix = ContentMix()
    links: Links = Links()
    themes: Themes = Themes()
    approval: Approval = Approval()


# ---------------------------------------------------------------- engagement


class HoursWindow(Strict):
    """An open window that starts on its day; ``end`` may be 24:00, and an end before the start runs past
    midnight into the next day (as in core.business_time: the window belongs to the day it starts on)."""

    start: str
    end: str

    check_clock = field_validator("start", "end")(_check_clock)

    @model_validator(mode="after")
    def _not_empty(self) -> HoursWindow:
        if self.start == "24:00":
            raise ValueError(_("a window cannot start at 24:00; use 00:00"))
        if parse_clock(self.end) == parse_clock(self.start):
            raise ValueError(_("a business-hours window must not start and end at the same minute"))
        return self

    @property
    def same_day_end(self) -> time:
        """Where the window ends on its own day (24:00 for one that runs past midnight)."""
        end = parse_clock(self.end)
        return end if end > parse_clock(self.start) else time.max


def _no_overlap(windows: list[HoursWindow]) -> list[HoursWindow]:
    ordered = sorted(windows, key=lambda w: parse_clock(w.start))
    for before, after in itertools.pairwise(ordered):
        if parse_clock(after.start) < before.same_day_end:
            raise ValueError(
                _("windows %(a)s–%(b)s and %(c)s–%(d)s overlap")
                % {"a": before.start, "b": before.end, "c": after.start, "d": after.end}
            )
    return windows


class OpenDate(Strict):
    date: date
    windows: list[HoursWindow]

    check_overlap = field_validator("windows")(_no_overlap)


class BusinessHours(Strict):
    """When the team works; SLA clocks run only inside these windows (core.business_time does the math)."""

    timezone: str | None = None  # null: the workspace's time zone
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None  # public holidays
    weekly: dict[Weekday, list[HoursWindow]] = {}
    closed_dates: list[date] = []
    open_dates: list[OpenDate] = []

    @field_validator("weekly")
    @classmethod
    def _weekly_no_overlap(cls, weekly):
        for windows in weekly.values():
            _no_overlap(windows)
        return weekly

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        from kopiena.core.zones import is_zone

        if not is_zone(value):  # the IANA names zoneinfo lists, never a path (ZoneInfo would open one)
            raise ValueError(_("unknown time zone %(zone)s") % {"zone": value})
        return value


class ResponseTargets(Strict):
    """M2/M8: first response within a deadline, counted in business time. The strictest applicable wins."""

    first_response_seconds: int = Field(default=6 * 3600, ge=60)
    by_priority: dict[Priority, Annotated[int, Field(ge=60)]] = {}
    by_kind: dict[Key, Annotated[int, Field(ge=60)]] = {}
    business_time: bool = True
    # A customer writing again after our answer is owed a next answer within this (None: as the first).
    next_response_seconds: int | None = Field(default=None, ge=60)
    # "Due soon" is announced once this share of the target has passed.
    warn_at_share: float = Field(default=0.75, gt=0, lt=1)
    # Besides the person (or role) it is routed to, these roles hear about every overdue answer.
    overdue_notify_roles: list[RoleName] = ["manager"]


class RouteMatch(Strict):
    """Every listed condition must hold; an empty list matches anything."""

    intents: list[Key] = []
    sentiments: list[Key] = []
    languages: list[LanguageCode] = []
    accounts: list[AccountKey] = []
    acute: bool | None = None


class Assignee(Strict):
    role: RoleName | None = None
    person: str | None = None  # a username

    @model_validator(mode="after")
    def _exactly_one(self) -> Assignee:
        if (self.role is None) == (self.person is None):
            raise ValueError(_("assign to exactly one of role or person"))
        return self


class RouteRule(Strict):
    name: str
    when: RouteMatch = RouteMatch()
    assign_to: Assignee
    priority: Priority = "normal"


class Routing(Strict):
    """M4: classify comments and hand them to specific people. First matching rule wins."""

    rules: list[RouteRule] = []
    fallback: RouteRule = RouteRule(name="everything else", assign_to=Assignee(role="moderator"))


class AcutePlaybook(Strict):
    """M3: who answers in an acute situation, and in what tone."""

    responder_roles: list[RoleName] = ["manager"]
    responder_people: list[str] = []
    tone: LocalizedText = {}
    must_apologise: bool = True
    reply_needs_approval: bool = True
    escalate_after_seconds: int = Field(default=3600, ge=60)
    escalate_to_roles: list[RoleName] = ["owner"]
    guidance: LocalizedText = {}


class Moderation(Strict):
    """M4: never delete negative comments. Never! Hide only spam/toxic, by the roles listed."""

    never_delete_negative: Literal[True] = True
    hide_only: list[Literal["spam", "toxic"]] = ["spam", "toxic"]
    hide_roles: list[RoleName] = ["owner", "manager", "moderator"]
    # M4 strictly: nothing is hidden automatically; a person in ``hide_roles`` hides an item only with
    # one of these reasons (a negative opinion is never one of them).
    hide_reasons: list[Literal["illegal", "personal_data", "spam", "insults"]] = [
        "illegal",
        "personal_data",
        "spam",
        "insults",
    ]
    delete_spam: bool = False

    @field_validator("never_delete_negative", mode="before")
    @classmethod
    def _never(cls, value):
        if value is not True:
            raise ValueError(_("Negative comments are never deleted; this cannot be switched off."))
        return value


class Tone(Strict):
    formality: Literal["formal", "neutral", "informal"] = "neutral"
    banned_phrases: dict[LanguageCode, list[str]] = {}


class LinksInReplies(Strict):
    """M9: a link in a reply only when the context calls for it."""

    only_in_context: bool = True
    allowed_contexts: list[Key] = []


class DirectMessages(Strict):
    """Who may read direct messages in the inbox (owners always may); other roles do not see them at all."""

    visible_to_roles: list[RoleName] = ["owner", "manager", "moderator"]


class Polling(Strict):
    """Nothing slips past the poller: comments under the account's posts (ours, and ones published outside
    Kopiena) written within ``window_days`` are read, at most ``max_posts`` of the newest posts per poll."""

    window_days: int = Field(default=14, ge=1, le=90)
    max_posts: int = Field(default=20, ge=1, le=100)


class Engagement(Strict):
    business_hours: BusinessHours = BusinessHours()
    response_targets: ResponseTargets = ResponseTargets()
    routing: Routing = Routing()
    acute_playbook: AcutePlaybook = AcutePlaybook()
    moderation: Moderation = Moderation()
    tone: Tone = Tone()
    links_in_replies: LinksInReplies = LinksInReplies()
    direct_messages: DirectMessages = DirectMessages()
    polling: Polling = Polling()


# ---------------------------------------------------------------- listening

IntentName = Literal["question", "request", "suggestion", "complaint", "praise"]


class ListeningInbox(Strict):
    """M8/R12: which mentions found by listening become inbox threads (with the engagement SLA).

    A mention becomes a thread when it has one of ``intents`` (or is acute and ``acute`` is on), is in one
    of ``languages`` (empty: the workspace's languages), and — with ``only_non_followers`` — its author is
    not known to follow the brand (followers already reach us through the accounts' own inbox). Spam never
    becomes a thread; it waits in the review list."""

    enabled: bool = True
    intents: list[IntentName] = ["question", "complaint"]
    acute: bool = True
    only_non_followers: bool = True
    languages: list[LanguageCode] = []


class ListeningAlerts(Strict):
    """Spike alerts: an hour whose volume (or negative share) is far above the same hour of the week over
    the last ``baseline_weeks`` weeks (median + ``threshold`` × median absolute deviation) notifies the
    roles and people listed. ``min_mentions``: quieter hours never alert (a jump from 1 to 3 is noise)."""

    enabled: bool = True
    notify_roles: list[RoleName] = ["owner", "manager"]
    notify_people: list[str] = []
    baseline_weeks: int = Field(default=4, ge=1, le=12)
    threshold: float = Field(default=3.0, ge=1.0, le=20.0)
    min_mentions: int = Field(default=10, ge=1)
    negative_share_min_points: int = Field(default=20, ge=0, le=100)


class Listening(Strict):
    inbox: ListeningInbox = ListeningInbox()
    alerts: ListeningAlerts = ListeningAlerts()


# ---------------------------------------------------------------- contests

# Contest fields a checklist item can require to be filled in (kopiena.contests.checklist reads them).
ContestField = Literal[
    "organiser",
    "organiser_contact",
    "dates",
    "who_may_enter",
    "winners",
    "winners_notice",
    "prizes",
    "prize_delivery",
    "privacy_url",
    "complaints",
    "posts",
]


def _contest_defaults() -> dict:
    from kopiena.contests.defaults import DEFAULT_SECTION

    return DEFAULT_SECTION


class ChecklistItem(Strict):
    """M5: one thing the regulations must cover before a contest may be approved. ``requires``: contest
    fields that must be filled in (checked automatically); none: a manager ticks it by hand."""

    key: Key
    label: LocalizedText
    requires: list[ContestField] = []


class Contests(Strict):
    """M5/R3: the compliance checklist (blocks approval) and the regulations' templates, per language,
    with ``{placeholders}`` filled from the contest (docs/contests.md lists them)."""

    # Documents saved before this section existed get the shipped defaults, not an empty checklist.
    checklist: list[ChecklistItem] = Field(default_factory=lambda: list(_contest_defaults()["checklist"]))
    regulations_template: LocalizedText = Field(
        default_factory=lambda: dict(_contest_defaults()["regulations_template"])
    )
    winners_post_template: LocalizedText = Field(
        default_factory=lambda: dict(_contest_defaults()["winners_post_template"])
    )
    winner_reply_template: LocalizedText = Field(
        default_factory=lambda: dict(_contest_defaults()["winner_reply_template"])
    )

    @field_validator("checklist")
    @classmethod
    def _unique_keys(cls, items):
        keys = [item.key for item in items]
        if len(keys) != len(set(keys)):
            raise ValueError(_("each checklist item needs its own key"))
        return items


class PolicyDocument(Strict):
    """The whole policy. ``schema_version`` lets later releases migrate old documents."""

    schema_version: Literal[1] = SCHEMA_VERSION
    publishing: Publishing = Publishing()
    engagement: Engagement = Engagement()
    listening: Listening = Listening()
    contests: Contests = Contests()

    def to_data(self) -> dict:
        """Plain JSON-able data in canonical field order (what is stored and exported)."""
        return self.model_dump(mode="json")
