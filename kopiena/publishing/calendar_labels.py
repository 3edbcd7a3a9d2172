"""How the calendar labels a post so that a month cell stays readable (issue 16 item 5): the first words of
the text, and per target account a small badge — the account's initials on its own colour (no platform
gives us a stored avatar) with the platform's icon from the vendored Bootstrap Icons."""

from __future__ import annotations

import hashlib

from kopiena.core.words import word

# The first words of a post in a month cell: at most this many words and characters.
SHORT_WORDS = 4
SHORT_CHARS = 26

# Bootstrap Icons 1.13 (kopiena/static/vendor/bootstrap-icons-1.13.2) names per connector key; a platform
# without its own icon gets the generic one.
PLATFORM_ICONS = {
    "mastodon": "bi-mastodon",
    "bluesky": "bi-bluesky",
    "telegram": "bi-telegram",
    "facebook": "bi-facebook",
    "instagram": "bi-instagram",
    "threads": "bi-threads",
    "youtube": "bi-youtube",
    "tiktok": "bi-tiktok",
    "x": "bi-twitter-x",
    "linkedin": "bi-linkedin",
    "google_business": "bi-google",
    "rss": "bi-rss",
}
GENERIC_ICON = "bi-globe2"
_AVATAR_COLOURS = ["#2d6a8a", "#8a2d5f", "#3f6b2a", "#6a4c93", "#9c3d1f", "#1e6f5c", "#5a5f8a", "#8a5a00"]


def short_title(title: str, words: int = SHORT_WORDS, chars: int = SHORT_CHARS) -> str:
    """The first ``words`` words of ``title``, cut at a word boundary to at most ``chars`` characters
    (a single longer word is cut inside), with "…" when anything was left out."""
    parts = (title or "").split()
    kept: list[str] = []
    for part in parts[:words]:
        candidate = " ".join([*kept, part])
        if len(candidate) > chars:
            break
        kept.append(part)
    if not kept and parts:
        return parts[0][: chars - 1] + "…"
    shown = " ".join(kept)
    return shown if len(kept) == len(parts) else shown.rstrip(".,;:!?—-") + "…"


def initials(name: str) -> str:
    """Up to two letters for an avatar: the first letters of the first two words ("Kafija LV" → "KL")."""
    letters = [part[0] for part in (name or "").replace("_", " ").split() if part[:1].isalnum()]
    return "".join(letters[:2]).upper() or "?"


def account_badge(*, account_id: int, name: str, platform: str) -> dict:
    """What the calendar draws for one target account (JSON-ready; the page renders it as text)."""
    digest = int(hashlib.sha256(f"{account_id}:{name}".encode()).hexdigest(), 16)
    return {
        "name": name,
        "initials": initials(name),
        "colour": _AVATAR_COLOURS[digest % len(_AVATAR_COLOURS)],
        "icon": PLATFORM_ICONS.get(platform, GENERIC_ICON),
        "platform": word("platform", platform),
    }
