"""Bluesky rich text: grapheme counting and facets (links, mentions, tags) with UTF-8 BYTE offsets,
as https://docs.bsky.app/docs/advanced-guides/post-richtext requires."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from kopiena.connectors.bluesky import constants as api

_LINK = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’”]")
_MENTION = re.compile(r"(?<![\w@])@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,})")
_TAG = re.compile(r"(?<![\w#&])#(\w{1,64})")

_ZWJ = "\u200d"


def grapheme_count(text: str) -> int:
    """User-perceived characters, close enough to Unicode segmentation for the limit check: marks,
    variation selectors, skin tones and the character after a zero-width joiner join the previous
    one; a pair of regional indicators is one flag."""
    count, join_next, pending_flag = 0, False, False
    for char in text:
        code = ord(char)
        if join_next:
            join_next = False
            continue
        if char == _ZWJ:
            join_next = True
            continue
        if unicodedata.combining(char) or 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF:
            continue
        if 0x1F1E6 <= code <= 0x1F1FF:
            if pending_flag:
                pending_flag = False
                continue
            pending_flag = True
        else:
            pending_flag = False
        count += 1
    return count


def _byte_span(text: str, start: int, end: int) -> dict[str, int]:
    byte_start = len(text[:start].encode("utf-8"))
    return {"byteStart": byte_start, "byteEnd": byte_start + len(text[start:end].encode("utf-8"))}


def facets(text: str, resolve_handle: Callable[[str], str | None]) -> list[dict[str, Any]]:
    """Facets for every link, resolvable @mention and #tag in ``text``. A mention whose handle does
    not resolve stays plain text (as the official app does)."""
    found: list[dict[str, Any]] = []
    for match in _LINK.finditer(text):
        found.append({"index": _byte_span(text, *match.span()),
                      "features": [{"$type": api.FACET_LINK, "uri": match.group(0)}]})  # fmt: skip
    for match in _MENTION.finditer(text):
        did = resolve_handle(match.group(1))
        if did:
            found.append({"index": _byte_span(text, *match.span()),
                          "features": [{"$type": api.FACET_MENTION, "did": did}]})  # fmt: skip
    link_spans = [m.span() for m in _LINK.finditer(text)]
    for match in _TAG.finditer(text):
        if any(start <= match.start() < end for start, end in link_spans) or match.group(1).isdigit():
            continue  # "#anchor" inside a URL, or "#1" — not a tag
        found.append({"index": _byte_span(text, *match.span()),
                      "features": [{"$type": api.FACET_TAG, "tag": match.group(1)}]})  # fmt: skip
    return sorted(found, key=lambda f: f["index"]["byteStart"])
