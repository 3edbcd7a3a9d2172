"""Forms of the publishing UI: the composer, review decisions, scheduling, queue slots, import."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from kopiena.core.params import moment_in_range, out_of_range_message
from kopiena.integrations.platforms import account_label
from kopiena.publishing import platform
from kopiena.publishing.content_types import content_types
from kopiena.publishing.models import Post
from kopiena.publishing.queues import Weekday
from kopiena.publishing.services import MediaInput
from kopiena.teams.forms import KopienaFormMixin

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]


def split_list(value: str, separators: str = ",\n") -> list[str]:
    """'a, b\nc' → ['a', 'b', 'c'] (blank items dropped, order kept)."""
    for separator in separators[1:]:
        value = value.replace(separator, separators[0])
    return [item.strip() for item in value.split(separators[0]) if item.strip()]


def parse_local(value: str, zone: str) -> datetime | None:
    """A wall-clock time typed in ``zone`` (datetime-local input) → aware datetime, or None if unreadable."""
    for pattern in LOCAL_INPUT_FORMATS:
        try:
            return datetime.strptime(value.strip(), pattern).replace(tzinfo=ZoneInfo(zone))
        except ValueError:
            continue
    return None


def alt_lines(alt_text: str | None) -> list[str]:
    """The alt text field holds one line per file, in the order the files were chosen."""
    return [line.strip() for line in (alt_text or "").splitlines() if line.strip()]


def alt_text_problem(*, files: int, alt_text: str | None) -> str | None:
    """The composer's alt-text rule, the same on save and in the live check: every file needs alt text."""
    lines = len(alt_lines(alt_text))
    if files == 1 and not lines:
        return _("Add alt text so everyone can follow the post.")
    if files > lines:
        return _("Add one line of alt text per file: %(files)s files, %(lines)s lines.") % {
            "files": files,
            "lines": lines,
        }
    return None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern): cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class PostForm(KopienaFormMixin, forms.Form):
    """Compose or edit a post. One "text for <account>" field per account adapts the text to it."""

    accounts = forms.MultipleChoiceField(
        label=_("Publish to"), widget=forms.CheckboxSelectMultiple, help_text=_("One variant per account.")
    )
    content_type = forms.ChoiceField(label=_("Content type"))
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    theme = forms.CharField(label=_("Theme"), max_length=80, required=False)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    campaign = forms.CharField(label=_("Campaign"), max_length=120, required=False)
    link = forms.URLField(label=_("Link"), max_length=2000, required=False, assume_scheme="https")
    link_context = forms.CharField(
        label=_("Why this link"),
        max_length=255,
        required=False,
        help_text=_("The reason the audience needs the link, e.g. 'they asked for the catalogue'."),
    )
    first_comment = forms.CharField(
        label=_("First comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    poll_options = forms.CharField(
        label=_("Poll options"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One option per line."),
    )
    media_file = MultipleFileField(
        label=_("Add image or video files"),
        required=False,
        help_text=_(
            "JPEG, PNG, GIF or WebP images; MP4, MOV or WebM videos. Several at once where the platform "
            "takes several."
        ),
    )
    media_alt = forms.CharField(
        label=_("Alt text for the files"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "data-kp-lines-message": _("Write one line of alt text per chosen file.")}
        ),
        help_text=_("Describe each image for people who cannot see it: one line per file, in order."),
    )

    def __init__(self, *args, accounts, workspace, post: Post | None = None, library=(), **kwargs):
        self.account_list = list(accounts)
        self.zone = workspace.timezone
        if post is not None and "initial" not in kwargs:
            variants = {v.account_id: v.text for v in post.variants.all()}
            kwargs["initial"] = {
                "accounts": [str(pk) for pk in variants],
                "content_type": post.content_type,
                "text": post.text,
                "theme": post.theme,
                "tags": ", ".join(post.tags),
                "campaign": post.campaign,
                "link": post.link,
                "link_context": post.link_context,
                "first_comment": post.first_comment,
                "poll_options": "\n".join(post.poll_options),
                **{f"variant_{pk}": text for pk, text in variants.items() if text != post.text},
            }
        super().__init__(*args, **kwargs)
        self.fields["accounts"].choices = [(str(a.pk), account_label(a)) for a in self.account_list]
        if library:
            self.fields["library"] = forms.MultipleChoiceField(
                label=_("Reuse from the media library"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[
                    (str(asset.pk), f"{asset} — {asset.alt_text or _('no alt text')}") for asset in library
                ],
                help_text=_("Files uploaded before, with the alt text kept with each."),
            )
        if post is None:  # a saved post is scheduled in its workflow card
            self.fields["publish_at"] = forms.CharField(
                label=_("Publish at"),
                required=False,
                widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}),
                help_text=_("In %(zone)s. Kept with the draft as its planned time; empty: decide later.")
                % {"zone": self.zone},
            )
        types = content_types(workspace)  # the policy's, in its order
        if post is not None and post.content_type not in dict(types):  # a type the policy has since dropped
            types.append((post.content_type, post.content_type))
        self.fields["content_type"].choices = types
        for account in self.account_list:
            self.fields[f"variant_{account.pk}"] = forms.CharField(
                label=_("Text for %(account)s") % {"account": account.name},
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                required=False,
                help_text=_("Empty: the text above."),
            )

    def variant_fields(self):
        return [self[f"variant_{a.pk}"] for a in self.account_list]

    def main_fields(self):
        return [
            self[name] for name in self.fields if not name.startswith("variant_") and name != "publish_at"
        ]

    def time_field(self):
        return self["publish_at"] if "publish_at" in self.fields else None

    def clean(self):
        data = super().clean()
        ceiling = platform.text_ceiling()
        for name in ["text", "first_comment", *(f"variant_{a.pk}" for a in self.account_list)]:
            value = data.get(name) or ""
            if len(value) > ceiling:  # refused here, before any platform or policy rule reads it
                self.add_error(name, platform.text_ceiling_message(len(value)))
        missing_alt = alt_text_problem(
            files=len(data.get("media_file") or []), alt_text=data.get("media_alt")
        )
        if missing_alt:
            self.add_error("media_alt", missing_alt)
        data["planned_at"] = None
        raw = (data.get("publish_at") or "").strip()
        if raw:
            moment = parse_local(raw, self.zone)
            if moment is None:
                self.add_error("publish_at", _("Enter a date and time, or leave it empty."))
            elif not moment_in_range(moment):
                self.add_error("publish_at", out_of_range_message())
            else:
                data["planned_at"] = moment
        return data

    def service_kwargs(self) -> dict:
        """The cleaned form as keyword arguments of ``post_create``/``post_update``."""
        data = self.cleaned_data
        account_ids = [int(pk) for pk in data["accounts"]]
        variant_texts = {
            pk: data[f"variant_{pk}"] for pk in account_ids if (data.get(f"variant_{pk}") or "").strip()
        }
        return {
            "account_ids": account_ids,
            "content_type": data["content_type"],
            "text": data["text"],
            "theme": data["theme"].strip(),
            "tags": split_list(data["tags"]),
            "campaign": data["campaign"].strip(),
            "link": data["link"],
            "link_context": data["link_context"].strip(),
            "first_comment": data["first_comment"],
            "poll_options": split_list(data["poll_options"], "\n"),
            "variant_texts": variant_texts,
        }

    def media_inputs(self) -> list[MediaInput]:
        uploads = self.cleaned_data.get("media_file") or []
        alts = alt_lines(self.cleaned_data.get("media_alt"))
        return [
            MediaInput(
                file=upload,
                mime_type=getattr(upload, "content_type", "") or "",
                alt_text=alt,
                size_bytes=upload.size,
            )
            for upload, alt in zip(uploads, alts, strict=False)
        ] + [MediaInput(asset_id=int(pk)) for pk in self.cleaned_data.get("library") or []]


class CommentForm(KopienaFormMixin, forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ScheduleForm(KopienaFormMixin, forms.Form):
    at = forms.CharField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}),
    )
    next_free_slot = forms.BooleanField(label=_("Use the next free queue slot instead"), required=False)
    override_reason = forms.CharField(
        label=_("Reason to override the policy (managers)"),
        required=False,
        help_text=_("Only when a cadence, mix or link rule refused the time."),
    )

    def __init__(self, *args, zone: str, **kwargs):
        self.zone = zone
        super().__init__(*args, **kwargs)
        self.fields["at"].help_text = _("In %(zone)s.") % {"zone": zone}

    def clean(self):
        data = super().clean()
        if data.get("next_free_slot"):
            data["moment"] = None
            return data
        moment = parse_local(data.get("at") or "", self.zone)
        if moment is None:
            self.add_error("at", _("Enter a date and time, or choose the next free slot."))
        elif not moment_in_range(moment):
            self.add_error("at", out_of_range_message())
            moment = None
        data["moment"] = moment
        return data


class QueueSlotForm(KopienaFormMixin, forms.Form):
    account = forms.ChoiceField(label=_("Account"))
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=Weekday.choices, coerce=int)
    local_time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [(str(a.pk), a.name) for a in accounts]


class ImportForm(KopienaFormMixin, forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    default_account = forms.ChoiceField(
        label=_("Account for files without an account column"),
        required=False,
        help_text=_("Hootsuite and Sprout files do not name the account."),
    )

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_account"].choices = [("", "—")] + [(str(a.pk), a.name) for a in accounts]


class FeedForm(KopienaFormMixin, forms.Form):
    account = forms.ChoiceField(label=_("Feed of"), required=False)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", _("The whole workspace"))] + [
            (str(a.pk), a.name) for a in accounts
        ]
