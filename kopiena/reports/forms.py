from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kopiena.reports.models import Period, Schedule, Section
from kopiena.teams.forms import KopienaFormMixin


class ClientReportForm(KopienaFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    sections = forms.MultipleChoiceField(
        label=_("Sections"), choices=Section.choices, widget=forms.CheckboxSelectMultiple
    )
    period = forms.ChoiceField(label=_("Default period"), choices=Period.choices)
    schedule = forms.ChoiceField(label=_("Send by e-mail"), choices=Schedule.choices)
    recipients = forms.CharField(
        label=_("Client's e-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line or separated by commas."),
    )
    language = forms.ChoiceField(label=_("Report language"), choices=settings.LANGUAGES)

    def clean_recipients(self) -> list[str]:
        raw = self.cleaned_data.get("recipients", "")
        return [part.strip() for part in raw.replace(",", "\n").splitlines() if part.strip()]


class BrandingForm(KopienaFormMixin, forms.Form):
    primary_colour = forms.CharField(
        label=_("Primary colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )
    report_footer = forms.CharField(label=_("Footer text"), max_length=200, required=False)
    logo = forms.FileField(label=_("Logo"), required=False, help_text=_("PNG or JPEG, at most 512 KB."))
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)


class ShareLinkForm(KopienaFormMixin, forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    days_valid = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=30)
