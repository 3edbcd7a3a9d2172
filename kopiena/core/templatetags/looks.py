"""``{% load looks %}``: platform icons and avatars, the same everywhere (issue 16 item 19).

``{% platform_icon account.platform %}`` — the platform's mark (Bootstrap Icons' brand glyphs, already
vendored; a lettered mark where there is none, e.g. VK), with the platform's name as its accessible label.
``{% avatar name %}`` — a picture when there is one (``url=``), otherwise up to two initials in a circle
whose colour is derived from the name, so one person or account keeps one colour on every page.
"""

from __future__ import annotations

import zlib

from django import template

from kopiena.core import words

register = template.Library()

# platform key → Bootstrap Icons glyph (bi-<name>); None: a lettered mark (no glyph for the brand).
PLATFORM_ICONS: dict[str, str | None] = {
    "mastodon": "mastodon",
    "bluesky": "bluesky",
    "facebook": "facebook",
    "instagram": "instagram",
    "threads": "threads",
    "linkedin": "linkedin",
    "x": "twitter-x",
    "tiktok": "tiktok",
    "telegram": "telegram",
    "youtube": "youtube",
    "google_business": "google",
    "rss": "rss",
    "vk": None,
    "sandbox": "box-seam",
}
AVATAR_COLOURS = 8  # .kp-avatar-c0 … .kp-avatar-c7 in app.css


@register.inclusion_tag("partials/_platform_icon.html")
def platform_icon(platform, label: bool = False) -> dict:
    key = str(platform or "")
    glyph = PLATFORM_ICONS.get(key, "globe2")
    return {
        "key": key.replace("_", "-"),
        "glyph": glyph,
        "letters": key[:2].upper() if glyph is None else "",
        "name": words.word("platform", key) if key else "",
        "label": label,
    }


def initials(name: str) -> str:
    """ "Anna Bērziņa" → "AB", "@kafijas_draugs" → "K", "" → "?"."""
    parts = [
        part for part in str(name or "").replace("@", " ").replace("_", " ").split() if part[:1].isalnum()
    ]
    if not parts:
        return "?"
    letters = parts[0][0] + (parts[1][0] if len(parts) > 1 else "")
    return letters.upper()


def avatar_colour(name: str) -> int:
    return zlib.crc32(str(name or "").strip().lower().encode()) % AVATAR_COLOURS


@register.inclusion_tag("partials/_avatar.html")
def avatar(name, url: str = "", size: str = "") -> dict:
    name = str(name or "")
    return {
        "name": name,
        "url": url if str(url).startswith(("https://", "/")) else "",
        "initials": initials(name),
        "colour": avatar_colour(name),
        "size": size,
    }
