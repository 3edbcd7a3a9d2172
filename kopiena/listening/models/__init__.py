"""Listening models, one module per concern (other modules of the app add theirs here)."""

from kopiena.listening.models.mentions import (
    AuthorStat,
    DomainStat,
    HourlyVolume,
    Mention,
    MentionMatch,
    MentionSentiment,
    SpamReview,
    Spike,
    SpikeKind,
)
from kopiena.listening.models.queries import ListeningQuery
from kopiena.listening.models.sources import ListeningSource, SourceCursor, SourceHealth, SourceKind

__all__ = [
    "AuthorStat",
    "DomainStat",
    "HourlyVolume",
    "ListeningQuery",
    "ListeningSource",
    "Mention",
    "MentionMatch",
    "MentionSentiment",
    "SourceCursor",
    "SourceHealth",
    "SourceKind",
    "SpamReview",
    "Spike",
    "SpikeKind",
]
