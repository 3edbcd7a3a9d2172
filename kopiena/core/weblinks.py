"""Addresses that came from outside (a platform's item or author URL, an RSS entry's link, the URL a
platform gives a published post) may become a link only if they are web addresses.

``javascript:``, ``data:``, ``vbscript:`` and friends would run or render in our origin when clicked (the
CSP is the second line of defence, not the first). Browsers ignore tabs, newlines and leading control
characters inside a scheme and decode HTML entities in attributes, so the check looks at the value the
browser would see: entities decoded, every control character and space removed.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")


def safe_web_url(value: str | None) -> str:
    """``value`` normalised if it is an absolute http(s) address, else "" (never a link)."""
    if not value:
        return ""
    probe = _INVISIBLE.sub("", html.unescape(str(value)))
    try:
        parts = urlsplit(probe)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return ""
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        return ""
    return probe
