"""Plain text → LinkedIn's "little" text format
(https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format).

Unescaped reserved characters are parsed as markup, and LinkedIn silently cuts the post at the first one it
cannot parse (a post with "(50% off)" went out as its first half). Every reserved character is escaped with a
backslash, except that a ``#word`` becomes a hashtag element and web addresses are left as they are so they
still link."""

from __future__ import annotations

import re

from kopiena.connectors.linkedin.constants import LITTLE_RESERVED

_TOKEN = re.compile(r"(?P<url>https?://\S+)|(?P<tag>(?<![\w#])#(?P<word>\w+))")


def _escape(text: str) -> str:
    return "".join(f"\\{ch}" if ch in LITTLE_RESERVED else ch for ch in text)


def to_little(text: str) -> str:
    out, last = [], 0
    for match in _TOKEN.finditer(text):
        out.append(_escape(text[last : match.start()]))
        if match["url"]:
            out.append(match["url"])
        else:
            out.append("{hashtag|\\#|" + _escape(match["word"]) + "}")
        last = match.end()
    out.append(_escape(text[last:]))
    return "".join(out)


def from_little(text: str) -> str:
    """What a reader sees: hashtag templates as ``#word``, mentions as their name, escapes removed."""
    text = re.sub(r"\{hashtag\|\\#\|([^}]*)\}", r"#\1", text)
    text = re.sub(r"@\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"\\(.)", r"\1", text)
