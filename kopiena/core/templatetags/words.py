"""``{% load words %}``: ``{{ codes|words:"role" }}``, ``{{ code|word:"acute" }}``, ``{{ key|platform_key }}``
(see kopiena.core.words)."""

from django import template

from kopiena.core import words as _words

register = template.Library()


@register.filter
def word(value, kind: str) -> str:
    return _words.word(kind, value)


@register.filter
def words(value, kind: str) -> str:
    if isinstance(value, str):
        value = [value]
    return _words.words(kind, value)


@register.filter
def platform_key(value) -> str:
    return _words.platform_key(value)


@register.filter
def audit_action(value) -> str:
    from kopiena.audit.labels import action_label

    return action_label(str(value))


@register.filter
def object_type(value) -> str:
    from kopiena.audit.labels import object_type_label

    return object_type_label(str(value))


@register.filter
def hours(value, digits="1") -> str:
    """A number of hours with the unit in the reader's language: "4.5 h", "4,5 ч"."""
    from django.template.defaultfilters import floatformat
    from django.utils.translation import gettext

    return gettext("%(hours)s h") % {"hours": floatformat(value, digits)}


@register.filter
def flag_message(flag) -> str:
    """A post's stored policy flag in the reader's language (kopiena.publishing.checks.flag_message)."""
    from kopiena.publishing.checks import flag_message as render

    return render(flag)
