"""``{% load weblinks %}`` … ``href="{{ item.url|web_url }}"``: any address from outside, http(s) only."""

from __future__ import annotations

from django import template

from kopiena.core.weblinks import safe_web_url

register = template.Library()


@register.filter
def web_url(value) -> str:
    """The address if it is http(s), else "" (templates then show the text without a link)."""
    return safe_web_url(value)
