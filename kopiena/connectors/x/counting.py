"""How X counts a post's length (twitter-text, configuration v3): code points in the light ranges weigh
1, others 2; an emoji sequence (with its joiners, variation selectors and skin tones) weighs 2 in all; a web
address weighs 23 whatever its length."""

from __future__ import annotations

import re

from kopiena.connectors.x.constants import LIGHT_RANGES, URL_LENGTH

URL = re.compile(r"https?://\S+|(?<![\w@])(?:www\.)\S+", re.IGNORECASE)
_JOINERS = {0x200D, 0xFE0F, 0xFE0E, 0x20E3}


def _is_emoji(code: int) -> bool:
    return code >= 0x1F000 or 0x2600 <= code <= 0x27BF or 0x2B00 <= code <= 0x2BFF


def _light(code: int) -> bool:
    return any(low <= code <= high for low, high in LIGHT_RANGES)


def weighted_length(text: str) -> int:
    total, last = 0, 0
    for match in URL.finditer(text):
        total += _plain(text[last : match.start()]) + URL_LENGTH
        last = match.end()
    return total + _plain(text[last:])


def _plain(text: str) -> int:
    total, index, codes = 0, 0, [ord(ch) for ch in text]
    while index < len(codes):
        code = codes[index]
        if _is_emoji(code):
            index += 1
            # the rest of the sequence: modifiers, selectors, and ZWJ-joined emoji
            while index < len(codes) and (
                codes[index] in _JOINERS
                or 0x1F3FB <= codes[index] <= 0x1F3FF
                or (codes[index - 1] == 0x200D and _is_emoji(codes[index]))
            ):
                index += 1
            total += 2
            continue
        total += 1 if _light(code) else 2
        index += 1
    return total
