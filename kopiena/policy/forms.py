"""One form per policy section edited in the UI, plus the YAML editor form.

A section form starts from the current document and writes back only its own section; the whole new
document is then validated by the schema, so the UI and the YAML editor can never disagree about what is
valid. Rules the forms don't show (per-account overrides, custom themes' names) are kept as they are and
edited in the YAML editor.
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from kopiena.core.words import word
from kopiena.policy.defaults import DEFAULT_DATA
from kopiena.policy.evaluators import pick_language
from kopiena.policy.messages import plain_error
from kopiena.policy.schema import PRIORITIES, ROLES, WEEKDAYS, PolicyDocument
from kopiena.teams.forms import COUNTRIES, KopienaFormMixin
from kopiena.teams.models import Role

WEEKDAY_LABELS = {
    "monday": _("Monday"),
    "tuesday": _("Tuesday"),
    "wednesday": _("Wednesday"),
    "thursday": _("Thursday"),
    "friday": _("Friday"),
    "saturday": _("Saturday"),
    "sunday": _("Sunday"),
}
ROLE_CHOICES = [(value, label) for value, label in Role.choices if value in ROLES]
_WINDOW = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _clock(value: str) -> str:
    hours, minutes = value.split(":")
    return f"{int(hours):02d}:{minutes}"


def _windows(text: str, field_label: str) -> list[dict]:
    """'09:00-12:00, 13:00-18:00' → [{start, end}, …]."""
    windows = []
    for part in [p for p in re.split(r"[,;\n]", text or "") if p.strip()]:
        match = _WINDOW.match(part)
        if not match:
            raise forms.ValidationError(
                _("%(field)s: write times as 09:00-18:00, several separated by commas (got “%(part)s”).")
                % {"field": field_label, "part": part.strip()}
            )
        windows.append({"start": _clock(match[1]), "end": _clock(match[2])})
    return windows


def _show_windows(windows) -> str:
    return ", ".join(f"{w.start}-{w.end}" for w in windows)


class SectionForm(KopienaFormMixin, forms.Form):
    """Base: ``section`` names the dotted section; ``apply`` returns the new whole-document data."""

    section: str = ""
    title = ""
    lead = ""
    page_template = "policy/section.html"

    summary = forms.CharField(
        label=_("What changed and why (optional)"), required=False, max_length=300, widget=forms.TextInput()
    )

    def __init__(self, *args, document: PolicyDocument, **kwargs):
        self.document = document
        kwargs.setdefault("initial", self.initial_from(document))
        super().__init__(*args, **kwargs)
        # The summary field goes last, after the section's own fields.
        self.fields["summary"] = self.fields.pop("summary")

    def initial_from(self, document: PolicyDocument) -> dict:
        raise NotImplementedError

    def section_data(self, current: dict) -> dict:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        data = self.document.to_data()
        part, name = self.section.split(".")
        data[part][name] = self.section_data(data[part][name])
        try:
            self.new_document = PolicyDocument.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                self.add_error(None, plain_error(error))
        return cleaned


class CadenceForm(SectionForm):
    section = "publishing.cadence"
    title = _("Publishing cadence")
    lead = _("Don't post too often: limits for every account, unless an account has its own.")

    max_per_day = forms.IntegerField(label=_("Most posts a day per account"), required=False, min_value=1)
    max_per_week = forms.IntegerField(label=_("Most posts a week per account"), required=False, min_value=1)
    min_gap_minutes = forms.IntegerField(label=_("Minimum minutes between two posts"), min_value=0)
    quiet_hours = forms.CharField(
        label=_("Quiet hours (no posts)"),
        required=False,
        help_text=_("For example 22:00-08:00; a window may cross midnight. Several: separate with commas."),
    )
    manager_may_override = forms.BooleanField(
        label=_("A manager may schedule against these rules, giving a reason"), required=False
    )

    def initial_from(self, document):
        rule = document.publishing.cadence.default
        return {
            "max_per_day": rule.max_per_day,
            "max_per_week": rule.max_per_week,
            "min_gap_minutes": rule.min_gap_minutes,
            "quiet_hours": _show_windows(w for w in rule.quiet_hours if not w.days),
            "manager_may_override": rule.manager_may_override,
        }

    def clean_quiet_hours(self):
        return _windows(self.cleaned_data["quiet_hours"], str(self.fields["quiet_hours"].label))

    def section_data(self, current):
        rule = current["default"]
        # Windows limited to certain days are edited in YAML; keep them.
        day_windows = [w for w in rule["quiet_hours"] if w["days"]]
        rule.update(
            max_per_day=self.cleaned_data["max_per_day"],
            max_per_week=self.cleaned_data["max_per_week"],
            min_gap_minutes=self.cleaned_data["min_gap_minutes"],
            quiet_hours=[{**w, "days": []} for w in self.cleaned_data["quiet_hours"]] + day_windows,
            manager_may_override=self.cleaned_data["manager_may_override"],
        )
        return current


class AccountCadenceForm(SectionForm):
    """Per-account cadence: an empty field inherits the workspace default. Overrides of accounts not
    listed (e.g. disconnected ones) and per-account quiet hours (YAML) are kept as they are."""

    section = "publishing.cadence"
    title = _("Cadence per account")
    page_template = "policy/section_accounts.html"
    LIMITS = ("max_per_day", "max_per_week", "min_gap_minutes")

    def __init__(self, *args, document, accounts: list[tuple[str, str]], **kwargs):
        self.accounts = accounts
        super().__init__(*args, document=document, **kwargs)
        overrides = document.publishing.cadence.accounts
        self.rows = []
        for index, (key, label) in enumerate(accounts):
            names = []
            for limit in self.LIMITS:
                name = f"a{index}_{limit}"
                self.fields[name] = forms.IntegerField(
                    label=f"{label}: {word('cadence', limit)}",
                    required=False,
                    min_value=0 if limit == "min_gap_minutes" else 1,
                )
                self.fields[name].widget.attrs.update(
                    {"class": "form-control form-control-sm", "placeholder": "—"}
                )
                override = overrides.get(key)
                self.initial.setdefault(name, getattr(override, limit) if override else None)
                names.append(name)
            self.rows.append((label, key, [self[name] for name in names]))

    def initial_from(self, document):
        return {}

    def section_data(self, current):
        accounts = current["accounts"]
        for index, (key, _label) in enumerate(self.accounts):
            values = {limit: self.cleaned_data[f"a{index}_{limit}"] for limit in self.LIMITS}
            kept = {k: v for k, v in accounts.get(key, {}).items() if k not in self.LIMITS and v is not None}
            override = {**{k: v for k, v in values.items() if v is not None}, **kept}
            if override:
                accounts[key] = {
                    **dict.fromkeys(
                        (
                            "max_per_day",
                            "max_per_week",
                            "min_gap_minutes",
                            "quiet_hours",
                            "manager_may_override",
                        )
                    ),
                    **override,
                }
            else:
                accounts.pop(key, None)
        return current


def _new_type_key(label: str, taken) -> str:
    """A policy key for a new content type: its label as a slug ("Behind the scenes" → behind_the_scenes),
    or type_N for labels with no Latin letters; never one already taken."""
    base = slugify(label).replace("-", "_")[:36].strip("_") or "type"
    key, n = base, 1
    while key in taken or key == "type":
        n += 1
        key = f"{base}_{n}"
    return key


class MixForm(SectionForm):
    section = "publishing.content_mix"
    title = _("Content mix")
    lead = _("Target share of each content type, in percent of an account's posts; they add up to 100.")

    def __init__(self, *args, document, language: str = "en", **kwargs):
        self.type_fields = []
        super().__init__(*args, document=document, **kwargs)
        summary = self.fields.pop("summary")
        for key, labels in document.publishing.content_mix.types.items():
            name = f"target_{key}"
            self.fields[name] = forms.IntegerField(
                label=pick_language(labels, language) or key, min_value=0, max_value=100, required=False
            )
            self.fields[name].widget.attrs.update({"class": "form-control", "inputmode": "numeric"})
            self.initial.setdefault(name, document.publishing.content_mix.default.targets.get(key, 0))
            self.type_fields.append(name)
        self.fields["tolerance_percent"] = forms.IntegerField(
            label=_("Tolerance (percentage points)"), min_value=0, max_value=100
        )
        self.fields["tolerance_percent"].widget.attrs["class"] = "form-control"
        self.initial.setdefault(
            "tolerance_percent", document.publishing.content_mix.default.tolerance_percent
        )
        self.language = language
        self.fields["new_type"] = forms.CharField(
            label=_("Add a content type"),
            max_length=60,
            required=False,
            help_text=_("e.g. Behind the scenes. Posts can then have it; give it a target above once added."),
        )
        self.fields["new_type"].widget.attrs["class"] = "form-control"
        self.fields["summary"] = summary

    def initial_from(self, document):
        return {}

    def section_data(self, current):
        targets = {name.removeprefix("target_"): self.cleaned_data[name] or 0 for name in self.type_fields}
        current["default"] = {
            "targets": {k: v for k, v in targets.items() if v},
            "tolerance_percent": self.cleaned_data["tolerance_percent"],
        }
        label = (self.cleaned_data.get("new_type") or "").strip()
        if label:
            types = current.setdefault("types", {})
            key = _new_type_key(label, types)
            types[key] = {"en": label, self.language: label}
        return current


class LinksForm(SectionForm):
    section = "publishing.links"
    title = _("Links")
    lead = _("Link to your own site only when the audience needs it, and not in too many posts a week.")

    own_domains = forms.CharField(
        label=_("Our own domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, e.g. kafija.lv; subdomains count as ours."),
    )
    max_own_link_share_percent = forms.IntegerField(
        label=_("Most posts a week linking to our own site (%)"), min_value=0, max_value=100
    )
    require_context = forms.BooleanField(
        label=_("A link post must say why the link is needed"), required=False
    )
    allowed_contexts = forms.CharField(
        label=_("Accepted reasons (keys, comma-separated; empty: any reason)"), required=False
    )
    utm_enabled = forms.BooleanField(label=_("Add UTM parameters"), required=False)
    utm_only_own_domains = forms.BooleanField(label=_("Only to links to our own domains"), required=False)
    utm_params = forms.CharField(
        label=_("UTM parameters"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: utm_source={platform}. Placeholders: {platform} {account} {campaign} {content_type} {theme}."
        ),
    )

    def initial_from(self, document):
        links = document.publishing.links
        return {
            "own_domains": "\n".join(links.own_domains),
            "max_own_link_share_percent": links.max_own_link_share_percent,
            "require_context": links.require_context,
            "allowed_contexts": ", ".join(links.allowed_contexts),
            "utm_enabled": links.utm.enabled,
            "utm_only_own_domains": links.utm.only_own_domains,
            "utm_params": "\n".join(f"{k}={v}" for k, v in links.utm.params.items()),
        }

    def clean_utm_params(self):
        params = {}
        for line in _lines(self.cleaned_data["utm_params"]):
            name, sep, value = line.partition("=")
            if not sep:
                raise forms.ValidationError(
                    _("Write each parameter as name=value (got “%(line)s”).") % {"line": line}
                )
            params[name.strip()] = value.strip()
        return params

    def section_data(self, current):
        c = self.cleaned_data
        return {
            "own_domains": _lines(c["own_domains"]),
            "max_own_link_share_percent": c["max_own_link_share_percent"],
            "require_context": c["require_context"],
            "allowed_contexts": [x.strip() for x in c["allowed_contexts"].split(",") if x.strip()],
            "utm": {
                "enabled": c["utm_enabled"],
                "only_own_domains": c["utm_only_own_domains"],
                "params": c["utm_params"],
            },
        }


class ThemesForm(SectionForm):
    """C1: pick and combine weekday themes (the article's list plus any the team added in YAML)."""

    section = "publishing.themes"
    title = _("Weekday themes")

    enabled = forms.BooleanField(label=_("Suggest weekday themes in the planner"), required=False)

    def __init__(self, *args, document, language: str = "en", **kwargs):
        super().__init__(*args, document=document, **kwargs)
        summary = self.fields.pop("summary")
        self.known: dict[str, dict[str, dict]] = {}
        current = document.to_data()["publishing"]["themes"]["weekdays"]
        for day in WEEKDAYS:
            themes = {t["key"]: t for t in DEFAULT_DATA["publishing"]["themes"]["weekdays"].get(day, [])}
            themes.update({t["key"]: t for t in current.get(day, [])})
            self.known[day] = themes
            self.fields[day] = forms.MultipleChoiceField(
                label=WEEKDAY_LABELS[day],
                required=False,
                choices=[(k, pick_language(t["names"], language)) for k, t in themes.items()],
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            )
            self.initial.setdefault(day, [t["key"] for t in current.get(day, [])])
        self.fields["summary"] = summary

    def initial_from(self, document):
        return {"enabled": document.publishing.themes.enabled}

    def section_data(self, current):
        return {
            "enabled": self.cleaned_data["enabled"],
            "weekdays": {
                day: [self.known[day][key] for key in self.known[day] if key in self.cleaned_data[day]]
                for day in WEEKDAYS
                if self.cleaned_data[day]
            },
        }


class ApprovalForm(SectionForm):
    section = "publishing.approval"
    title = _("Approval")

    roles_needing_approval = forms.MultipleChoiceField(
        label=_("Posts by these roles need approval"),
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    approver_roles = forms.MultipleChoiceField(
        label=_("Who may approve"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    link_posts = forms.BooleanField(label=_("Every post with a link needs approval"), required=False)

    def initial_from(self, document):
        approval = document.publishing.approval
        return {
            "roles_needing_approval": approval.roles_needing_approval,
            "approver_roles": approval.approver_roles,
            "link_posts": approval.link_posts,
        }

    def section_data(self, current):
        for name in ("roles_needing_approval", "approver_roles", "link_posts"):
            current[name] = self.cleaned_data[name]
        return current


class BusinessHoursForm(SectionForm):
    section = "engagement.business_hours"
    title = _("Business hours")
    lead = _("Response targets count only the time inside these hours; public holidays are closed.")

    timezone = forms.CharField(
        label=_("Time zone"), required=False, help_text=_("Empty: the workspace's time zone.")
    )
    country = forms.ChoiceField(
        label=_("Public holidays of"),
        required=False,
        choices=[("", _("the workspace's country")), *COUNTRIES],
    )
    closed_dates = forms.CharField(
        label=_("Closed on these dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One date per line, YYYY-MM-DD."),
    )

    def __init__(self, *args, document, **kwargs):
        super().__init__(*args, document=document, **kwargs)
        summary = self.fields.pop("summary")
        weekly = document.engagement.business_hours.weekly
        for day in WEEKDAYS:
            self.fields[day] = forms.CharField(
                label=WEEKDAY_LABELS[day],
                required=False,
                help_text=_("e.g. 09:00-12:00, 13:00-18:00; empty: closed") if day == "monday" else "",
            )
            self.fields[day].widget.attrs["class"] = "form-control"
            self.initial.setdefault(day, _show_windows(weekly.get(day, [])))
        self.fields["summary"] = summary

    def initial_from(self, document):
        hours = document.engagement.business_hours
        return {
            "timezone": hours.timezone or "",
            "country": hours.country or "",
            "closed_dates": "\n".join(d.isoformat() for d in hours.closed_dates),
        }

    def clean_closed_dates(self):
        dates = []
        for line in _lines(self.cleaned_data["closed_dates"]):
            try:
                dates.append(date.fromisoformat(line).isoformat())
            except ValueError as exc:
                raise forms.ValidationError(
                    _("“%(line)s” is not a date written YYYY-MM-DD.") % {"line": line}
                ) from exc
        return dates

    def clean(self):
        for day in WEEKDAYS:
            if day in self.cleaned_data:
                try:
                    self.cleaned_data[day] = _windows(self.cleaned_data[day], str(self.fields[day].label))
                except forms.ValidationError as exc:
                    self.add_error(day, exc)
        return super().clean()

    def section_data(self, current):
        c = self.cleaned_data
        current.update(
            timezone=c["timezone"].strip() or None,
            country=c["country"] or None,
            weekly={day: c[day] for day in WEEKDAYS if c[day]},
            closed_dates=c["closed_dates"],
        )
        return current


class ResponseTargetsForm(SectionForm):
    section = "engagement.response_targets"
    title = _("Response targets")

    first_response_hours = forms.DecimalField(
        label=_("First response within (hours)"), min_value=0.1, max_digits=6, decimal_places=2
    )
    business_time = forms.BooleanField(label=_("Count only business hours"), required=False)

    def __init__(self, *args, document, **kwargs):
        super().__init__(*args, document=document, **kwargs)
        summary = self.fields.pop("summary")
        by_priority = document.engagement.response_targets.by_priority
        labels = {"urgent": _("Urgent"), "high": _("High"), "normal": _("Normal"), "low": _("Low")}
        for priority in PRIORITIES:
            name = f"priority_{priority}"
            self.fields[name] = forms.DecimalField(
                label=_("%(priority)s priority (hours; empty: the default)") % {"priority": labels[priority]},
                required=False,
                min_value=0.1,
                max_digits=6,
                decimal_places=2,
            )
            self.fields[name].widget.attrs["class"] = "form-control"
            if priority in by_priority:
                self.initial.setdefault(name, round(by_priority[priority] / 3600, 2))
        self.fields["summary"] = summary

    def initial_from(self, document):
        targets = document.engagement.response_targets
        return {
            "first_response_hours": round(targets.first_response_seconds / 3600, 2),
            "business_time": targets.business_time,
        }

    def section_data(self, current):
        c = self.cleaned_data
        current["first_response_seconds"] = int(c["first_response_hours"] * 3600)
        current["business_time"] = c["business_time"]
        current["by_priority"] = {
            p: int(c[f"priority_{p}"] * 3600) for p in PRIORITIES if c.get(f"priority_{p}") is not None
        }
        return current


class PollingForm(SectionForm):
    """Nothing slips past the poller: how far back comments under the account's posts are read."""

    section = "engagement.polling"
    title = _("Reading comments")
    lead = _(
        "Comments under the account's posts are read for this many days after a post appears, "
        "also under posts published outside Kopiena."
    )

    window_days = forms.IntegerField(
        label=_("Read comments under posts of the last (days)"), min_value=1, max_value=90
    )
    max_posts = forms.IntegerField(label=_("At most this many posts per reading"), min_value=1, max_value=100)

    def initial_from(self, document):
        polling = document.engagement.polling
        return {"window_days": polling.window_days, "max_posts": polling.max_posts}

    def section_data(self, current):
        c = self.cleaned_data
        current.update(window_days=c["window_days"], max_posts=c["max_posts"])
        return current


class AcuteForm(SectionForm):
    """M3: who answers in an acute situation, and how; the tone and guidance texts per language are
    edited in YAML."""

    section = "engagement.acute_playbook"
    title = _("Acute situations")
    lead = _(
        "Stay calm and official; it may be a provocation or a really unhappy customer. Solve the problem."
    )

    responder_roles = forms.MultipleChoiceField(
        label=_("Who answers"), choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    must_apologise = forms.BooleanField(label=_("The answer apologises for the trouble"), required=False)
    reply_needs_approval = forms.BooleanField(label=_("Replies need a manager's approval"), required=False)
    escalate_after_minutes = forms.IntegerField(
        label=_("Escalate after (minutes without an answer)"), min_value=1
    )
    escalate_to_roles = forms.MultipleChoiceField(
        label=_("Escalate to"), choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    def initial_from(self, document):
        playbook = document.engagement.acute_playbook
        return {
            "responder_roles": playbook.responder_roles,
            "must_apologise": playbook.must_apologise,
            "reply_needs_approval": playbook.reply_needs_approval,
            "escalate_after_minutes": playbook.escalate_after_seconds // 60,
            "escalate_to_roles": playbook.escalate_to_roles,
        }

    def section_data(self, current):
        c = self.cleaned_data
        current.update(
            responder_roles=c["responder_roles"],
            must_apologise=c["must_apologise"],
            reply_needs_approval=c["reply_needs_approval"],
            escalate_after_seconds=c["escalate_after_minutes"] * 60,
            escalate_to_roles=c["escalate_to_roles"],
        )
        return current


class ToneForm(SectionForm):
    """Formality and the phrases never to write, one list per community language."""

    section = "engagement.tone"
    title = _("Tone")
    LANGUAGES = (("en", _("English")), ("lv", _("Latvian")), ("ru", _("Russian")))

    formality = forms.ChoiceField(
        label=_("Formality"),
        choices=[("formal", _("Formal")), ("neutral", _("Neutral")), ("informal", _("Informal"))],
    )

    def __init__(self, *args, document, **kwargs):
        super().__init__(*args, document=document, **kwargs)
        summary = self.fields.pop("summary")
        phrases = document.engagement.tone.banned_phrases
        for code, label in self.LANGUAGES:
            name = f"banned_{code}"
            self.fields[name] = forms.CharField(
                label=_("Never write (%(language)s), one phrase per line") % {"language": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
            )
            self.initial.setdefault(name, "\n".join(phrases.get(code, [])))
        self.fields["summary"] = summary

    def initial_from(self, document):
        return {"formality": document.engagement.tone.formality}

    def section_data(self, current):
        current["formality"] = self.cleaned_data["formality"]
        phrases = dict(current["banned_phrases"])
        for code, _label in self.LANGUAGES:
            lines = _lines(self.cleaned_data[f"banned_{code}"])
            if lines:
                phrases[code] = lines
            else:
                phrases.pop(code, None)
        current["banned_phrases"] = phrases
        return current


INTENT_CHOICES = [
    ("question", _("Questions")),
    ("request", _("Requests")),
    ("suggestion", _("Suggestions")),
    ("complaint", _("Complaints")),
    ("praise", _("Praise")),
]


def _language_codes(text: str) -> list[str]:
    return [code.strip().lower() for code in text.replace(",", " ").split() if code.strip()]


class ListeningInboxForm(SectionForm):
    """M8: which mentions found by listening become inbox threads with the response target."""

    section = "listening.inbox"
    title = _("Mentions into the inbox")
    lead = _(
        "Answer everyone, including people who don't follow the brand: these mentions become inbox "
        "threads with the response target. Spam never does; it waits in the review list."
    )

    enabled = forms.BooleanField(label=_("Bring mentions into the inbox"), required=False)
    intents = forms.MultipleChoiceField(
        label=_("Mentions that are"),
        choices=INTENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    acute = forms.BooleanField(label=_("Acute mentions, whatever they are"), required=False)
    only_non_followers = forms.BooleanField(
        label=_("Only from people who don't follow us (followers reach us through our accounts)"),
        required=False,
    )
    languages = forms.CharField(
        label=_("Languages (codes such as lv ru en; empty: the workspace's languages)"), required=False
    )

    def initial_from(self, document):
        inbox = document.listening.inbox
        return {
            "enabled": inbox.enabled,
            "intents": inbox.intents,
            "acute": inbox.acute,
            "only_non_followers": inbox.only_non_followers,
            "languages": " ".join(inbox.languages),
        }

    def section_data(self, current):
        c = self.cleaned_data
        current.update(
            enabled=c["enabled"],
            intents=c["intents"],
            acute=c["acute"],
            only_non_followers=c["only_non_followers"],
            languages=_language_codes(c["languages"]),
        )
        return current


class ListeningAlertsForm(SectionForm):
    """R12: who hears about a storm of mentions, and how far above normal a storm is."""

    section = "listening.alerts"
    title = _("Spike alerts")
    lead = _(
        "When a query's mentions (or its share of negative ones) jump far above the same hour of the "
        "week in recent weeks, these people are told."
    )

    enabled = forms.BooleanField(label=_("Send spike alerts"), required=False)
    notify_roles = forms.MultipleChoiceField(
        label=_("Tell"), choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    baseline_weeks = forms.IntegerField(label=_("Compare with the last (weeks)"), min_value=1, max_value=12)
    threshold = forms.FloatField(
        label=_("Sensitivity (deviations above normal; higher: fewer alerts)"), min_value=1, max_value=20
    )
    min_mentions = forms.IntegerField(label=_("Ignore hours with fewer mentions than"), min_value=1)

    def initial_from(self, document):
        alerts = document.listening.alerts
        return {
            "enabled": alerts.enabled,
            "notify_roles": alerts.notify_roles,
            "baseline_weeks": alerts.baseline_weeks,
            "threshold": alerts.threshold,
            "min_mentions": alerts.min_mentions,
        }

    def section_data(self, current):
        c = self.cleaned_data
        current.update(
            enabled=c["enabled"],
            notify_roles=c["notify_roles"],
            baseline_weeks=c["baseline_weeks"],
            threshold=c["threshold"],
            min_mentions=c["min_mentions"],
        )
        return current


class RouteRuleForm(SectionForm):
    """One routing rule (M4: classify comments and hand them to specific people), edited as a form: the
    conditions, who gets it, the priority and its place in the list (the first matching rule wins).
    ``index`` None adds a rule. The rule's account conditions are kept as they are (YAML edits them)."""

    section = "engagement.routing"
    title = _("Routing rule")
    lead = _("The first rule whose every condition holds decides who gets a conversation. Empty: any.")
    page_template = "policy/route_rule.html"

    name = forms.CharField(label=_("Name"), max_length=200)
    intents = forms.MultipleChoiceField(
        label=_("Intents"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("question", _("Question")),
            ("request", _("Request")),
            ("suggestion", _("Suggestion")),
            ("complaint", _("Complaint")),
            ("praise", _("Praise")),
        ],
    )
    sentiments = forms.MultipleChoiceField(
        label=_("Sentiments"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[("negative", _("Negative")), ("neutral", _("Neutral")), ("positive", _("Positive"))],
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[("en", _("English")), ("lv", _("Latvian")), ("ru", _("Russian"))],
    )
    acute = forms.ChoiceField(
        label=_("Acute"),
        required=False,
        choices=[("", _("Either")), ("yes", _("Only acute")), ("no", _("Only not acute"))],
    )
    role = forms.ChoiceField(
        label=_("Give it to the role"), required=False, choices=[("", "—"), *ROLE_CHOICES]
    )
    person = forms.CharField(label=_("…or to a person (username)"), required=False, max_length=150)
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=[("urgent", _("Urgent")), ("high", _("High")), ("normal", _("Normal")), ("low", _("Low"))],
    )
    position = forms.IntegerField(label=_("Place in the list"), min_value=1)
    remove = forms.BooleanField(label=_("Remove this rule"), required=False)

    def __init__(self, *args, document, index: int | None = None, **kwargs):
        self.index = index
        super().__init__(*args, document=document, **kwargs)
        if index is None:
            del self.fields["remove"]

    def initial_from(self, document):
        rules = document.engagement.routing.rules
        if self.index is None:
            return {"priority": "normal", "position": len(rules) + 1}
        rule = rules[self.index]
        when = rule.when
        return {
            "name": rule.name,
            "intents": list(when.intents),
            "sentiments": list(when.sentiments),
            "languages": list(when.languages),
            "acute": "" if when.acute is None else ("yes" if when.acute else "no"),
            "role": rule.assign_to.role or "",
            "person": rule.assign_to.person or "",
            "priority": rule.priority,
            "position": self.index + 1,
        }

    def clean(self):
        data = self.cleaned_data
        if not self.errors and bool(data.get("role")) == bool((data.get("person") or "").strip()):
            self.add_error("role", _("Give the rule to a role or to a person (one of them)."))
        return super().clean()

    def rule_data(self) -> dict:
        data = self.cleaned_data
        accounts = []
        if self.index is not None:
            accounts = list(self.document.engagement.routing.rules[self.index].when.accounts)
        acute = {"": None, "yes": True, "no": False}[data["acute"]]
        assign = {"role": data["role"]} if data["role"] else {"person": data["person"].strip()}
        return {
            "name": data["name"].strip(),
            "when": {
                "intents": data["intents"],
                "sentiments": data["sentiments"],
                "languages": data["languages"],
                "accounts": accounts,
                "acute": acute,
            },
            "assign_to": assign,
            "priority": data["priority"],
        }

    def section_data(self, current):
        rules = list(current.get("rules", []))
        if self.index is not None:
            rules.pop(self.index)
        if not self.cleaned_data.get("remove"):
            position = min(self.cleaned_data["position"], len(rules) + 1) - 1
            rules.insert(position, self.rule_data())
            self.rule_index = position
        else:
            self.rule_index = None
        current["rules"] = rules
        return current


SECTION_FORMS: dict[str, type[SectionForm]] = {
    "cadence": CadenceForm,
    "account_cadence": AccountCadenceForm,
    "content_mix": MixForm,
    "links": LinksForm,
    "themes": ThemesForm,
    "approval": ApprovalForm,
    "business_hours": BusinessHoursForm,
    "response_targets": ResponseTargetsForm,
    "acute_playbook": AcuteForm,
    "polling": PollingForm,
    "tone": ToneForm,
    "listening_inbox": ListeningInboxForm,
    "listening_alerts": ListeningAlertsForm,
}
LANGUAGE_AWARE = {"content_mix", "themes"}
ACCOUNT_AWARE = {"account_cadence"}


class YamlForm(forms.Form):
    text = forms.CharField(
        label=_("Policy as YAML"),
        widget=forms.Textarea(
            attrs={"rows": 30, "spellcheck": "false", "class": "form-control font-monospace"}
        ),
    )
    summary = forms.CharField(label=_("What changed and why (optional)"), required=False, max_length=300)
    summary.widget.attrs["class"] = "form-control"
