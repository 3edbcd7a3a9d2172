"""Internal codes as words in the reader's language (issue 16, item 9).

Pages never show a stored code (``refund``, ``owner``, ``listening.competitorpost``, ``rss:Emily``) as it
is: ``word(kind, code)`` returns its label in the active language, ``words(kind, codes)`` a comma-separated
list. A code without a label is shown humanised (``some_code`` → "some code") rather than raw, so a new
code is readable at once and the language test points at the missing label.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _


def _roles():
    from kopiena.teams.models import Role

    return {value: label for value, label in Role.choices}


def _priorities():
    from kopiena.inbox.models import Priority

    return {value: label for value, label in Priority.choices}


ACUTE_REASONS = {
    "threat": _("threat"),
    "legal": _("legal threat"),
    "safety": _("safety"),
    "press": _("press"),
    "refund": _("refund"),
    "fraud": _("fraud"),
    "strong_negative_complaint": _("strongly negative complaint"),
    "negative_storm": _("wave of negative replies"),
}

INTENTS = {
    "question": _("Question"),
    "request": _("Request"),
    "suggestion": _("Suggestion"),
    "complaint": _("Complaint"),
    "praise": _("Praise"),
}

MODERATION = {
    "spam": _("Spam"),
    "toxic": _("Abusive"),
    "illegal": _("Illegal content"),
    "personal_data": _("Personal data"),
    "insults": _("Insults to others"),
}

WEEKDAYS = {
    "monday": _("Monday"),
    "tuesday": _("Tuesday"),
    "wednesday": _("Wednesday"),
    "thursday": _("Thursday"),
    "friday": _("Friday"),
    "saturday": _("Saturday"),
    "sunday": _("Sunday"),
}

CADENCE_FIELDS = {
    "max_per_day": _("Most posts a day"),
    "max_per_week": _("Most posts a week"),
    "min_gap_minutes": _("Minutes between posts"),
}

PLATFORMS = {
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "telegram": "Telegram",
    "vk": "VK",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "rss": "RSS",
    "sandbox": _("Sandbox"),
}

_KINDS = {
    "acute": lambda: ACUTE_REASONS,
    "intent": lambda: INTENTS,
    "moderation": lambda: MODERATION,
    "weekday": lambda: WEEKDAYS,
    "cadence": lambda: CADENCE_FIELDS,
    "platform": lambda: PLATFORMS,
    "role": _roles,
    "priority": _priorities,
}


def _platform_name(code: str) -> str | None:
    """The connector's own human name (``Connector.name``) for a platform key the table above lacks."""
    from kopiena.connectors import registry

    try:
        return registry.get(code).name or None
    except Exception:  # an unknown or removed connector: humanised below
        return None


def humanise(code: str) -> str:
    return str(code).replace("_", " ").replace(".", " ").strip()


def word(kind: str, code) -> str:
    """The label of one code of ``kind`` (acute, intent, moderation, weekday, cadence, platform, role,
    priority) in the active language."""
    if code is None or code == "":
        return ""
    labels = _KINDS[kind]()
    label = labels.get(str(code))
    if label is None and kind == "platform":
        label = _platform_name(str(code))
    return str(label) if label is not None else humanise(code)


def words(kind: str, codes: Iterable, separator: str = ", ") -> str:
    return separator.join(word(kind, code) for code in codes or ())


def platform_key(key: str) -> str:
    """A policy or source key such as ``rss:Emily`` or ``mastodon:3`` as a reader sees it: "RSS · Emily"."""
    platform, sep, rest = str(key).partition(":")
    if not sep:
        return word("platform", platform)
    return f"{word('platform', platform)} · {rest}"
