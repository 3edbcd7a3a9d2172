"""Forms of the idea bank page (ideas and local events)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kopiena.planning.models import IdeaKind


class IdeaForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[c for c in IdeaKind.choices if c[0] != IdeaKind.TESTIMONIAL]
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Draft text"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    hashtags = forms.CharField(label=_("Hashtags"), required=False, help_text=_("Separated by spaces"))
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    day = forms.DateField(
        label=_("For the day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    promo_code = forms.CharField(label=_("Promo code"), required=False, max_length=40)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["hashtags"] = data["hashtags"].split()
        return data


class EventForm(forms.Form):
    title = forms.CharField(label=_("Event"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=255)
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")


class ConsentForm(forms.Form):
    person_name = forms.CharField(label=_("Person"), max_length=200)
    person_handle = forms.CharField(label=_("Their account"), required=False, max_length=255)
    purpose = forms.CharField(label=_("What they agreed to"), widget=forms.Textarea(attrs={"rows": 2}))
    accounts = forms.MultipleChoiceField(label=_("Accounts"), widget=forms.CheckboxSelectMultiple)
    evidence_url = forms.URLField(label=_("Evidence link"), required=False, assume_scheme="https")
    evidence_file = forms.FileField(label=_("Evidence file"), required=False)
    expires_on = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    quote = forms.CharField(
        label=_("Their testimonial"),
        required=False,
        max_length=200,
        help_text=_("Saved as a testimonial idea for the planner"),
    )

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accounts"].choices = [(a.pk, a.name) for a in accounts]

    def service_kwargs(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("accounts", "quote")}
        data["account_ids"] = [int(pk) for pk in self.cleaned_data["accounts"]]
        return data
