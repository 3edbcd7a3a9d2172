"""Policy validation errors as plain sentences in the reader's language (issue 16, item 10).

``plain_error(error)`` turns one pydantic error (``ValidationError.errors()`` entry) into a sentence that
names the field by its label and states the limit in words: "Minimum gap must be at most 7 days", not
"publishing.cadence.default.min_gap_minutes: Input should be less than or equal to 10080", and "Domain
must be a domain name such as example.com", not a regular expression. The YAML editor still shows the
dotted path beside it (that is what a person types there); forms show the sentence alone.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kopiena.core.words import word

FIELD_LABELS = {
    "accounts": gettext_lazy("Accounts"),
    "acute": gettext_lazy("Acute only"),
    "acute_playbook": gettext_lazy("Acute situations"),
    "alerts": gettext_lazy("Listening alerts"),
    "allowed_contexts": gettext_lazy("Reasons a link is allowed"),
    "approval": gettext_lazy("Approval"),
    "approver_roles": gettext_lazy("Roles that may approve"),
    "assign_to": gettext_lazy("Assign to"),
    "banned_phrases": gettext_lazy("Banned phrases"),
    "baseline_weeks": gettext_lazy("Weeks to compare with"),
    "business_hours": gettext_lazy("Business hours"),
    "business_time": gettext_lazy("Count in business hours"),
    "by_kind": gettext_lazy("Targets by kind"),
    "by_priority": gettext_lazy("Targets by priority"),
    "cadence": gettext_lazy("Publishing cadence"),
    "checklist": gettext_lazy("Contest checklist"),
    "closed_dates": gettext_lazy("Closed dates"),
    "content_mix": gettext_lazy("Content mix"),
    "contests": gettext_lazy("Contests"),
    "country": gettext_lazy("Country"),
    "date": gettext_lazy("Date"),
    "days": gettext_lazy("Days"),
    "default": gettext_lazy("Workspace default"),
    "delete_spam": gettext_lazy("Delete spam"),
    "direct_messages": gettext_lazy("Direct messages"),
    "enabled": gettext_lazy("Enabled"),
    "end": gettext_lazy("End"),
    "engagement": gettext_lazy("Engagement"),
    "escalate_after_seconds": gettext_lazy("Escalate after"),
    "escalate_to_roles": gettext_lazy("Escalate to"),
    "fallback": gettext_lazy("Fallback rule"),
    "first_response_seconds": gettext_lazy("First response target"),
    "formality": gettext_lazy("Formality"),
    "guidance": gettext_lazy("Guidance"),
    "hashtags": gettext_lazy("Hashtags"),
    "hide_only": gettext_lazy("Hidden only when"),
    "hide_reasons": gettext_lazy("Reasons to hide"),
    "hide_roles": gettext_lazy("Roles that may hide"),
    "inbox": gettext_lazy("Mentions into the inbox"),
    "intents": gettext_lazy("Intents"),
    "key": gettext_lazy("Key"),
    "label": gettext_lazy("Label"),
    "languages": gettext_lazy("Languages"),
    "link_posts": gettext_lazy("Posts with links need approval"),
    "links": gettext_lazy("Links"),
    "links_in_replies": gettext_lazy("Links in replies"),
    "listening": gettext_lazy("Listening"),
    "manager_may_override": gettext_lazy("A manager may override"),
    "max_own_link_share_percent": gettext_lazy("Share of posts linking to our site"),
    "max_per_day": gettext_lazy("Most posts a day"),
    "max_per_week": gettext_lazy("Most posts a week"),
    "min_gap_minutes": gettext_lazy("Minimum gap"),
    "min_mentions": gettext_lazy("Fewest mentions for an alert"),
    "moderation": gettext_lazy("Moderation"),
    "must_apologise": gettext_lazy("Must apologise"),
    "name": gettext_lazy("Name"),
    "names": gettext_lazy("Names"),
    "negative_share_min_points": gettext_lazy("Rise in negative share"),
    "never_delete_negative": gettext_lazy("Never delete negative comments"),
    "next_response_seconds": gettext_lazy("Next response target"),
    "notify_people": gettext_lazy("People to notify"),
    "notify_roles": gettext_lazy("Roles to notify"),
    "only_in_context": gettext_lazy("Only in context"),
    "only_non_followers": gettext_lazy("Only from people who don't follow us"),
    "only_own_domains": gettext_lazy("Only our own domains"),
    "open_dates": gettext_lazy("Extra open dates"),
    "overdue_notify_roles": gettext_lazy("Roles told about overdue answers"),
    "own_domains": gettext_lazy("Our domains"),
    "params": gettext_lazy("UTM parameters"),
    "person": gettext_lazy("Person"),
    "priority": gettext_lazy("Priority"),
    "publishing": gettext_lazy("Publishing"),
    "quiet_hours": gettext_lazy("Quiet hours"),
    "regulations_template": gettext_lazy("Regulations template"),
    "reply_needs_approval": gettext_lazy("Replies need approval"),
    "require_context": gettext_lazy("Links need a reason"),
    "requires": gettext_lazy("Requires"),
    "responder_people": gettext_lazy("People who answer"),
    "responder_roles": gettext_lazy("Roles that answer"),
    "response_targets": gettext_lazy("Response targets"),
    "role": gettext_lazy("Role"),
    "roles_needing_approval": gettext_lazy("Roles that need approval"),
    "routing": gettext_lazy("Routing"),
    "rules": gettext_lazy("Routing rules"),
    "schema_version": gettext_lazy("Format version"),
    "sentiments": gettext_lazy("Sentiments"),
    "start": gettext_lazy("Start"),
    "targets": gettext_lazy("Targets"),
    "themes": gettext_lazy("Weekday themes"),
    "threshold": gettext_lazy("Spike threshold"),
    "timezone": gettext_lazy("Time zone"),
    "tolerance_percent": gettext_lazy("Tolerance"),
    "tone": gettext_lazy("Tone"),
    "types": gettext_lazy("Content types"),
    "utm": gettext_lazy("UTM tags"),
    "visible_to_roles": gettext_lazy("Roles that see direct messages"),
    "warn_at_share": gettext_lazy("Warn at share of the target"),
    "weekdays": gettext_lazy("Themes by weekday"),
    "weekly": gettext_lazy("Weekly hours"),
    "when": gettext_lazy("When"),
    "windows": gettext_lazy("Hours"),
    "winner_reply_template": gettext_lazy("Reply to winners"),
    "winners_post_template": gettext_lazy("Winners post"),
}

# What a pattern-constrained value looks like, by the pattern (schema.py), instead of the raw expression.
PATTERN_FORMS = {
    r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$": gettext_lazy("a language code such as lv or en"),
    r"^[a-z0-9][a-z0-9_\-]*$": gettext_lazy("lowercase letters, digits, - and _ only"),
    r"^[A-Za-z0-9_.\-]+:[A-Za-z0-9_.@\-]+$": gettext_lazy("a platform and an account, such as mastodon:3"),
    r"^([a-z0-9]([a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,63}$": gettext_lazy("a domain name such as example.com"),
    r"^#\w+$": gettext_lazy("a hashtag such as #coffee"),
    r"^utm_[a-z_]+$": gettext_lazy("a UTM parameter name such as utm_source"),
    r"^[A-Z]{2}$": gettext_lazy("a two-letter country code such as LV"),
}


def field_label(loc) -> str:
    """The label of the innermost named field of a pydantic location (list indexes and dict keys skipped)."""
    for part in reversed(tuple(loc)):
        text = str(part)
        if text in FIELD_LABELS:
            return str(FIELD_LABELS[text])
    for part in reversed(tuple(loc)):
        if isinstance(part, str) and not part.startswith(("function-", "[")) and ":" not in part:
            return part.replace("_", " ").capitalize()
    return _("The policy")


def _leaf(loc) -> str:
    for part in reversed(tuple(loc)):
        if isinstance(part, str) and part in FIELD_LABELS:
            return part
    return ""


def duration(value, unit_seconds: int) -> str:
    """A limit in seconds or minutes as words: 7 days, 2 hours, 90 minutes."""
    seconds = int(float(value) * unit_seconds)
    if seconds and seconds % 86400 == 0:
        n = seconds // 86400
        return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}
    if seconds and seconds % 3600 == 0:
        n = seconds // 3600
        return ngettext("%(n)s hour", "%(n)s hours", n) % {"n": n}
    if seconds % 60 == 0:
        n = seconds // 60
        return ngettext("%(n)s minute", "%(n)s minutes", n) % {"n": n}
    return ngettext("%(n)s second", "%(n)s seconds", seconds) % {"n": seconds}


def _limit(leaf: str, value) -> str:
    if leaf.endswith("_minutes"):
        return duration(value, 60)
    if leaf.endswith("_seconds"):
        return duration(value, 1)
    if leaf.endswith(("_percent", "_points")):
        return f"{value} %"
    if leaf == "warn_at_share":
        return f"{float(value) * 100:g} %"
    return str(value)


def _expected(text: str) -> str:
    values = re.findall(r"'([^']*)'", str(text)) or [str(text)]
    shown = []
    for value in values:
        for kind in ("role", "priority", "weekday", "moderation", "intent"):
            label = word(kind, value)
            if label != value.replace("_", " "):
                shown.append(f"{label} ({value})")
                break
        else:
            shown.append(value)
    return ", ".join(shown)


def plain_error(error: dict) -> str:
    """One pydantic error as a sentence with the field's label, in the active language."""
    loc = tuple(error.get("loc") or ())
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    field = field_label(loc)
    leaf = _leaf(loc)
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    if kind == "value_error":
        return message[:1].upper() + message[1:]
    if kind == "missing":
        return _("%(field)s is required.") % {"field": field}
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else ""
        parent = field_label(loc[:-1]) if len(loc) > 1 else _("The policy")
        return _("%(field)s: “%(name)s” is not a setting Kopiena knows.") % {"field": parent, "name": name}
    if kind in ("less_than_equal", "less_than", "greater_than_equal", "greater_than"):
        bound = next(iter(ctx.values()), "")
        limit = _limit(leaf, bound)
        sentence = {
            "less_than_equal": _("%(field)s must be at most %(limit)s."),
            "less_than": _("%(field)s must be less than %(limit)s."),
            "greater_than_equal": _("%(field)s must be at least %(limit)s."),
            "greater_than": _("%(field)s must be more than %(limit)s."),
        }[kind]
        return sentence % {"field": field, "limit": limit}
    if kind == "string_pattern_mismatch":
        form = PATTERN_FORMS.get(ctx.get("pattern", ""))
        if form is not None:
            return _("%(field)s must be %(form)s.") % {"field": field, "form": form}
        return _("%(field)s is not written the expected way.") % {"field": field}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("%(field)s must be a whole number.") % {"field": field}
    if kind in ("float_parsing", "float_type", "decimal_parsing"):
        return _("%(field)s must be a number.") % {"field": field}
    if kind in ("bool_parsing", "bool_type"):
        return _("%(field)s must be yes or no (true or false).") % {"field": field}
    if kind in ("string_type", "str_type"):
        return _("%(field)s must be text.") % {"field": field}
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("%(field)s must be a list.") % {"field": field}
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return _("%(field)s must be a group of settings.") % {"field": field}
    if kind in ("literal_error", "enum"):
        return _("%(field)s must be one of: %(values)s.") % {
            "field": field,
            "values": _expected(ctx.get("expected", "")),
        }
    if kind == "string_too_long":
        n = int(ctx.get("max_length", 0))
        return ngettext(
            "%(field)s may be at most %(n)s character long.",
            "%(field)s may be at most %(n)s characters long.",
            n,
        ) % {"field": field, "n": n}
    if kind == "string_too_short":
        return _("%(field)s must not be empty.") % {"field": field}
    if kind == "too_long":
        n = int(ctx.get("max_length", 0))
        return ngettext(
            "%(field)s may have at most %(n)s entry.", "%(field)s may have at most %(n)s entries.", n
        ) % {
            "field": field,
            "n": n,
        }
    if kind == "too_short":
        n = int(ctx.get("min_length", 0))
        return ngettext(
            "%(field)s needs at least %(n)s entry.", "%(field)s needs at least %(n)s entries.", n
        ) % {
            "field": field,
            "n": n,
        }
    if kind in ("date_parsing", "date_type", "date_from_datetime_parsing"):
        return _("%(field)s must be a date written YYYY-MM-DD.") % {"field": field}
    return _("%(field)s is not valid.") % {"field": field}
