"""Warnings about a policy that is valid but cannot work as meant (issue 16 item 13).

The schema refuses what is impossible; these are documents it accepts that are almost always a mistake:

* ``hours.overnight``: business hours whose end is before their start, so the window runs past midnight,
  and does so for more than 12 hours or into the next day's own window (e.g. 17:00–09:00 for 09:00–17:00).
  A short night shift (22:00–02:00) or an end at 00:00 is taken as meant.
* ``acute.nobody``: the acute playbook names roles and people that no member of the workspace holds or is,
  so nobody may answer an acute thread (and likewise nobody to escalate to).
* ``cadence.no_slot``: quiet hours that cover the whole week (the default rule or an account's), so no
  post can ever be scheduled; or an account whose every queue slot falls inside its quiet hours.

The editor shows them before saving and saves only when the person confirms ("Save anyway"); a warning
already true of the saved policy is not asked about again (see ``new_warnings``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.utils.translation import gettext as _

from kopiena.core.words import platform_key, words
from kopiena.policy.schema import WEEKDAYS, CadenceRule, PolicyDocument, QuietWindow, parse_clock

DAY = 24 * 60
WEEK = 7 * DAY
# An overnight business-hours window longer than this is taken for swapped times.
LONGEST_NIGHT_SHIFT = 12 * 60


@dataclass(frozen=True)
class PolicyWarning:
    code: str
    path: str
    message: str


def _minutes(clock: str) -> int:
    value = parse_clock(clock)
    return DAY if value == time.max else value.hour * 60 + value.minute


def _weekday_label(day: str) -> str:
    from kopiena.policy.forms import WEEKDAY_LABELS

    return str(WEEKDAY_LABELS[day])


def _overnight_hours(document: PolicyDocument) -> list[PolicyWarning]:
    weekly = document.engagement.business_hours.weekly
    found = []
    for index, day in enumerate(WEEKDAYS):
        next_day = WEEKDAYS[(index + 1) % 7]
        next_starts = [_minutes(w.start) for w in weekly.get(next_day, [])]
        for position, window in enumerate(weekly.get(day, [])):
            start, end = _minutes(window.start), _minutes(window.end)
            if end >= start or end == 0:  # same day, or "until midnight"
                continue
            length = DAY - start + end
            if length <= LONGEST_NIGHT_SHIFT and not any(s < end for s in next_starts):
                continue
            found.append(
                PolicyWarning(
                    "hours.overnight",
                    f"engagement.business_hours.weekly.{day}.{position}",
                    _(
                        "Business hours on %(day)s, %(start)s–%(end)s, end before they start: the window runs "
                        "past midnight until %(end)s on %(next_day)s (%(hours)s hours). If you meant "
                        "%(end)s–%(start)s, swap the times."
                    )
                    % {
                        "day": _weekday_label(day),
                        "start": window.start,
                        "end": window.end,
                        "next_day": _weekday_label(next_day),
                        "hours": round(length / 60, 1) if length % 60 else length // 60,
                    },
                )
            )
    return found


def _nobody_to_respond(document: PolicyDocument, workspace) -> list[PolicyWarning]:
    from kopiena.teams.models import Membership

    members = list(
        Membership.objects.filter(workspace=workspace, user__is_active=True).values_list(
            "role", "user__username"
        )
    )
    roles = {role for role, _username in members}
    usernames = {username for _role, username in members}
    playbook = document.engagement.acute_playbook
    found = []
    if not (roles & set(playbook.responder_roles) or usernames & set(playbook.responder_people)):
        found.append(
            PolicyWarning(
                "acute.nobody",
                "engagement.acute_playbook.responder_roles",
                _(
                    "Nobody can answer an acute thread: no member of the workspace has the roles "
                    "(%(roles)s) or is one of the people the acute playbook names. Add a role that members "
                    "hold, or invite someone with it."
                )
                % {"roles": words("role", playbook.responder_roles) or "—"},
            )
        )
    if not roles & set(playbook.escalate_to_roles):
        found.append(
            PolicyWarning(
                "acute.nobody",
                "engagement.acute_playbook.escalate_to_roles",
                _(
                    "Nobody would be told when an acute thread is not answered in time: no member of the "
                    "workspace has the roles to escalate to (%(roles)s)."
                )
                % {"roles": words("role", playbook.escalate_to_roles) or "—"},
            )
        )
    return found


def _quiet_minutes(windows: list[QuietWindow]) -> bytearray:
    """The minutes of a week (Monday 00:00 = 0) inside any of ``windows``, as 1s."""
    quiet = bytearray(WEEK)
    for window in windows:
        start, end = _minutes(window.start), _minutes(window.end)
        length = end - start if end > start else DAY - start + end
        for day in window.days or WEEKDAYS:
            first = WEEKDAYS.index(day) * DAY + start
            for minute in range(first, first + length):
                quiet[minute % WEEK] = 1
    return quiet


def _no_slot(document: PolicyDocument, workspace) -> list[PolicyWarning]:
    from kopiena.policy.evaluators import account_key_for
    from kopiena.publishing.queues import QueueSlot

    cadence = document.publishing.cadence
    rules: list[tuple[str, str, CadenceRule]] = [("", "publishing.cadence.default", cadence.default)]
    rules += [(key, f"publishing.cadence.accounts.{key}", cadence.effective(key)) for key in cadence.accounts]
    found = []
    covered = {}
    for key, path, rule in rules:
        covered[key] = quiet = _quiet_minutes(rule.quiet_hours)
        if all(quiet):
            found.append(
                PolicyWarning(
                    "cadence.no_slot",
                    f"{path}.quiet_hours",
                    (
                        _(
                            "The quiet hours of %(account)s cover the whole week: no post could ever be scheduled."
                        )
                        % {"account": platform_key(key)}
                        if key
                        else _("The quiet hours cover the whole week: no post could ever be scheduled.")
                    ),
                )
            )
    slots: dict[int, list] = {}
    for slot in QueueSlot.objects.filter(workspace=workspace).select_related("account"):
        slots.setdefault(slot.account_id, []).append(slot)
    for account_slots in slots.values():
        account = account_slots[0].account
        key = account_key_for(account)
        quiet = covered[key] if key in cadence.accounts else covered[""]
        if all(quiet):
            continue  # already said: the whole week is quiet
        if all(
            quiet[slot.weekday * DAY + slot.local_time.hour * 60 + slot.local_time.minute]
            for slot in account_slots
        ):
            found.append(
                PolicyWarning(
                    "cadence.no_slot",
                    f"publishing.cadence.accounts.{key}.quiet_hours"
                    if key in cadence.accounts
                    else "publishing.cadence.default.quiet_hours",
                    _(
                        "Every queue slot of %(account)s falls inside its quiet hours: the queue would "
                        "never publish. Move the slots or shorten the quiet hours."
                    )
                    % {"account": account.name},
                )
            )
    return found


def policy_warnings(document: PolicyDocument, *, workspace) -> list[PolicyWarning]:
    """Everything in ``document`` that is valid but cannot work as meant in ``workspace``."""
    return (
        _overnight_hours(document) + _nobody_to_respond(document, workspace) + _no_slot(document, workspace)
    )


def new_warnings(document: PolicyDocument, *, current: PolicyDocument, workspace) -> list[PolicyWarning]:
    """The warnings of ``document`` that the saved policy (``current``) does not already have: once a
    person has saved an overnight window on purpose, saving another section does not ask again."""
    known = {(w.code, w.path, w.message) for w in policy_warnings(current, workspace=workspace)}
    return [
        w for w in policy_warnings(document, workspace=workspace) if (w.code, w.path, w.message) not in known
    ]
