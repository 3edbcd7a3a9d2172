"""Forms for signing in, workspaces, the team, API tokens and the profile.

``KopienaFormMixin`` gives any form the house look (Bootstrap classes, ``teams/_form.html``): other apps'
forms can inherit it too, then ``{{ form }}`` renders consistently everywhere.
"""

from __future__ import annotations

import math
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kopiena.teams import throttle
from kopiena.teams.models import Role, User
from kopiena.teams.throttle import client_ip, known_device_user_id

# Languages a community writes in (not the UI language): the ones Kopiena's audience meets most.
COMMUNITY_LANGUAGES = [
    ("lv", _("Latvian")),
    ("ru", _("Russian")),
    ("en", _("English")),
    ("lt", _("Lithuanian")),
    ("et", _("Estonian")),
    ("uk", _("Ukrainian")),
    ("de", _("German")),
    ("pl", _("Polish")),
    ("fi", _("Finnish")),
    ("sv", _("Swedish")),
]

# Countries whose public holidays the business calendar can follow (all supported by `holidays`).
COUNTRIES = [
    ("LV", _("Latvia")),
    ("LT", _("Lithuania")),
    ("EE", _("Estonia")),
    ("FI", _("Finland")),
    ("SE", _("Sweden")),
    ("NO", _("Norway")),
    ("DK", _("Denmark")),
    ("DE", _("Germany")),
    ("PL", _("Poland")),
    ("UA", _("Ukraine")),
    ("GB", _("United Kingdom")),
    ("IE", _("Ireland")),
    ("FR", _("France")),
    ("ES", _("Spain")),
    ("IT", _("Italy")),
    ("NL", _("Netherlands")),
    ("US", _("United States")),
]


class KopienaFormMixin:
    """Bootstrap classes on every widget and one shared template for the whole form."""

    template_name = "teams/_form.html"  # in an app directory, where the default form renderer looks

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class RateLimitedLoginMixin:
    """Sign-in throttling for any AuthenticationForm (ours and the admin's): see ``kopiena.teams.throttle``.

    A slot is reserved before the password is checked; a refused attempt never reaches the check."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request is not None else "unknown"
        known_id = known_device_user_id(self.request)
        known_user = (
            known_id is not None and User.objects.filter(pk=known_id, username__iexact=username).exists()
        )
        refusal = throttle.reserve(ip=ip, username=username, known_user=known_user)
        if refusal is not None:
            if refusal.per_user:
                raise forms.ValidationError(
                    _(
                        "Too many failed attempts for this account. Wait a few seconds (%(seconds)s s) "
                        "and try again."
                    )
                    % {"seconds": refusal.seconds},
                    code="rate_limited",
                )
            minutes = max(math.ceil(refusal.seconds / 60), 1)
            raise forms.ValidationError(
                ngettext(
                    "Too many failed attempts. Try again in %(minutes)d minute.",
                    "Too many failed attempts. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="rate_limited",
            )
        cleaned = super().clean()  # raises ValidationError on a wrong password: the slot stays taken
        throttle.succeeded(ip=ip, username=username)
        return cleaned


class LoginForm(RateLimitedLoginMixin, KopienaFormMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That username and password do not match. Check them and try again."),
    }


class AdminLoginForm(RateLimitedLoginMixin, AdminAuthenticationForm):
    """``/admin/login/`` (development only) with the same throttling as the sign-in page."""


class WorkspaceForm(KopienaFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Business hours, the calendar and reports use this time zone."),
    )
    country = forms.ChoiceField(
        label=_("Country"), choices=COUNTRIES, help_text=_("Its public holidays close the business calendar.")
    )
    languages = forms.MultipleChoiceField(
        label=_("Community languages"),
        choices=COMMUNITY_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The languages your audience writes in."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]


class InviteForm(KopienaFormMixin, forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CONTRIBUTOR)


class RoleForm(KopienaFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ApiTokenForm(KopienaFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("Say where it will be used, e.g. “reporting spreadsheet”."),
    )


class ProfileForm(KopienaFormMixin, forms.ModelForm):
    language = forms.ChoiceField(label=_("Interface language"), choices=settings.LANGUAGES)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language"]


class InvitationSignupForm(KopienaFormMixin, BaseUserCreationForm):
    """A new account for someone who was invited; the email is the invitation's."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name"]

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.email = self.email
        if commit:
            user.save()
        return user


class PasswordChangeForm(KopienaFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(KopienaFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(KopienaFormMixin, auth_forms.SetPasswordForm):
    pass
