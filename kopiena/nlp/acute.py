"""Acute situations (seed M3): comments and threads that need a senior person now.

``acute_reasons(text, *, complaint, negative) -> tuple[str, ...]``
    Reason codes for one comment: ``threat``, ``legal``, ``safety``, ``press``, ``refund``, ``fraud``
    (multilingual patterns in ``lexicon.ACUTE``) and ``strong_negative_complaint`` (a complaint whose
    negative-sentiment probability is at least ``STRONG_NEGATIVE``). ``classify_batch`` fills
    ``Classification.acute_reasons`` with it.

``negative_storm(replies, *, window_seconds=3600, min_negative=5, min_share=0.6) -> NegativeStorm | None``
    For the replies to ONE post, given as ``(created_at, Classification)`` pairs (aware datetimes, any
    order): the time window of ``window_seconds`` with the most negative or toxic replies, if it holds at
    least ``min_negative`` of them and they are at least ``min_share`` of all replies in that window.
    The inbox calls this when a reply arrives and escalates the thread with reason ``negative_storm``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from . import lexicon

if TYPE_CHECKING:
    from .classify import Classification

STRONG_NEGATIVE = 0.75


def acute_reasons(text: str, *, complaint: bool, negative: float) -> tuple[str, ...]:
    lowered = text.lower()
    reasons = list(lexicon.acute_kinds(lowered))
    if complaint and negative >= STRONG_NEGATIVE:
        reasons.append("strong_negative_complaint")
    return tuple(reasons)


@dataclass(frozen=True)
class NegativeStorm:
    start: datetime
    end: datetime
    negative_count: int
    total_count: int

    @property
    def share(self) -> float:
        return self.negative_count / self.total_count

    reason = "negative_storm"


def negative_storm(
    replies: Sequence[tuple[datetime, Classification]],
    *,
    window_seconds: int = 3600,
    min_negative: int = 5,
    min_share: float = 0.6,
) -> NegativeStorm | None:
    ordered = sorted(replies, key=lambda pair: pair[0])
    times = [when for when, _ in ordered]
    is_negative = [c.sentiment == "negative" or c.toxic for _, c in ordered]
    window = timedelta(seconds=window_seconds)
    best: NegativeStorm | None = None
    end = 0
    negatives_in_window = 0
    # Two pointers: each window starts at a reply and reaches every reply within window_seconds of it.
    for start in range(len(ordered)):
        while end < len(ordered) and times[end] - times[start] <= window:
            negatives_in_window += is_negative[end]
            end += 1
        total = end - start
        is_storm = negatives_in_window >= min_negative and negatives_in_window / total >= min_share
        if is_storm and (best is None or negatives_in_window > best.negative_count):
            best = NegativeStorm(times[start], times[end - 1], negatives_in_window, total)
        negatives_in_window -= is_negative[start]
    return best
