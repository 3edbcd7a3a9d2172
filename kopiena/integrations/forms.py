"""Forms for connecting and editing accounts. The connect form's fields come from the connector."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kopiena.core.zones import is_zone
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.platforms import Platform
from kopiena.teams.forms import KopienaFormMixin


class ConnectForm(KopienaFormMixin, forms.Form):
    """Name + whatever the platform's connector needs (``Platform.fields``). Secrets are never re-rendered."""

    name = forms.CharField(
        label=_("Name in Kopiena"),
        max_length=120,
        required=False,
        help_text=_("Leave empty to use the account's own name."),
    )
    approval_required = forms.BooleanField(
        label=_("Posts need approval before they go out"), required=False, initial=True
    )

    def __init__(self, *args, platform: Platform, **kwargs):
        super().__init__(*args, **kwargs)
        for spec in platform.fields:
            widget = forms.PasswordInput(render_value=False) if spec.secret else forms.TextInput()
            widget.attrs.update({"class": "form-control", "autocomplete": "off", "spellcheck": "false"})
            self.fields[spec.key] = forms.CharField(
                label=spec.label,
                required=spec.required,
                help_text=spec.help,
                initial=spec.initial,
                widget=widget,
            )
        # The platform's own fields first, then our name for it and the approval switch.
        self.order_fields([spec.key for spec in platform.fields] + ["name", "approval_required"])
        self.platform = platform

    def values(self) -> dict[str, str]:
        return {spec.key: self.cleaned_data.get(spec.key, "") for spec in self.platform.fields}


class OAuthStartForm(KopienaFormMixin, forms.Form):
    """Only a server address, and only for platforms with many servers (Mastodon)."""

    base_url = forms.CharField(
        label=_("Server address"), max_length=200, help_text=_("Your instance, e.g. https://mastodon.social")
    )

    def __init__(self, *args, asks_for_server: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not asks_for_server:
            del self.fields["base_url"]


class PickForm(KopienaFormMixin, forms.Form):
    """Which of the accounts found through the sign-in to connect (labels only; tokens stay server-side)."""

    key = forms.ChoiceField(label=_("Account"), widget=forms.RadioSelect)

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = choices


class AccountForm(KopienaFormMixin, forms.Form):
    """A plain form (not a ModelForm, which would change the account before the service records "before")."""

    name = forms.CharField(label=_("Name"), max_length=120)
    timezone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        help_text=_("Empty: the workspace's time zone. e.g. Europe/Riga"),
    )
    approval_required = forms.BooleanField(label=_("Posts need approval before they go out"), required=False)

    def clean_timezone(self) -> str:
        value = self.cleaned_data["timezone"].strip()
        if value and not is_zone(value):
            raise forms.ValidationError(_("Unknown time zone; use a name such as Europe/Riga."))
        return value

    @classmethod
    def for_account(cls, account: ConnectedAccount, data=None) -> AccountForm:
        initial = {
            "name": account.name,
            "timezone": account.timezone,
            "approval_required": account.approval_required,
        }
        return cls(data, initial=initial)
