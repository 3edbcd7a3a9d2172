"""Forms of the publishing UI: the composer, review decisions, scheduling, queue slots, import."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from kopiena.core.params import moment_in_range, out_of_range_message
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
    media_file = forms.FileField(
        label=_("Add an image or video file"),
        required=False,
        help_text=_("JPEG, PNG, GIF or WebP images; MP4, MOV or WebM videos."),
    )
    media_alt = forms.CharField(
        label=_("Alt text for the file"),
        required=False,
        help_text=_("Describe the image for people who cannot see it."),
    )

    def __init__(self, *args, accounts, workspace, post: Post | None = None, **kwargs):
        self.account_list = list(accounts)
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
        self.fields["accounts"].choices = [(str(a.pk), f"{a.name} ({a.platform})") for a in self.account_list]
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
        return [self[name] for name in self.fields if not name.startswith("variant_")]

    def clean(self):
        data = super().clean()
        if data.get("media_file") and not (data.get("media_alt") or "").strip():
            self.add_error("media_alt", _("Add alt text so everyone can follow the post."))
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
        upload = self.cleaned_data.get("media_file")
        if not upload:
            return []
        return [
            MediaInput(
                file=upload,
                mime_type=getattr(upload, "content_type", "") or "",
                alt_text=self.cleaned_data["media_alt"].strip(),
                size_bytes=upload.size,
            )
        ]


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
