"""Listening models, one module per concern (other modules of the app add theirs here)."""

from kopiena.listening.models.competitors import (
    Competitor,
    CompetitorAccount,
    CompetitorEngagement,
    CompetitorPost,
)
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
from kopiena.listening.models.people import Person, PersonHandle, PersonNote, PersonTask, TrendIdea
from kopiena.listening.models.queries import ListeningQuery
from kopiena.listening.models.sources import ListeningSource, SourceCursor, SourceHealth, SourceKind

__all__ = [
    "AuthorStat",
    "Competitor",
    "CompetitorAccount",
    "CompetitorEngagement",
    "CompetitorPost",
    "DomainStat",
    "HourlyVolume",
    "ListeningQuery",
    "ListeningSource",
    "Mention",
    "MentionMatch",
    "MentionSentiment",
    "Person",
    "PersonHandle",
    "PersonNote",
    "PersonTask",
    "SourceCursor",
    "SourceHealth",
    "SourceKind",
    "SpamReview",
    "Spike",
    "SpikeKind",
    "TrendIdea",
]
