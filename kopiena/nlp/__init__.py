"""Comment understanding: language, sentiment, intents, toxicity, spam, acute; tone guard; topics.

Pure Python (numpy, scipy, scikit-learn, lingua); no Django, no ORM, so ingestion, the CLI and tests
can call it anywhere. Public API:

``classify_batch(texts, *, languages=None) -> list[Classification]``  (``classify.py``)
    One ``Classification`` per text, in order: ``language`` (ISO 639-1 or ``"unknown"``, chosen among
    ``languages``, the workspace's languages, default en/lv/ru), ``sentiment`` (negative | neutral |
    positive), ``intents`` (subset of question, request, suggestion, complaint, praise), ``toxic``,
    ``spam``, ``acute``, ``acute_reasons`` and ``scores``. ``.to_json()`` is the ``kopiena classify``
    record. Call it with batches (hundreds to thousands of texts): it is much faster per text.

``check_tone(text, *, language=None, acute=False) -> list[ToneIssue]``  (``tone.py``)
    Issues in a drafted reply: span ``start``/``end``, ``reason`` code, ``message``, calmer
    ``suggestion`` in the reply's language.

``find_topics(comments, previous=None, *, max_topics=8, languages=None) -> list[Topic]``  (``topics.py``)
    Topics of a period's comments with terms, representatives, counts, sentiment mix and growth.

``negative_storm(replies, *, window_seconds=3600, min_negative=5, min_share=0.6)``  (``acute.py``)
    Detects a storm of negative replies on one post from ``(created_at, Classification)`` pairs.

``detect_languages(texts, allowed=None) -> list[str]``  (``language.py``)
"""

from .acute import NegativeStorm, negative_storm
from .classify import Classification, classify_batch
from .language import detect_languages
from .tone import ToneIssue, check_tone
from .topics import Topic, TopicComment, find_topics

__all__ = [
    "Classification",
    "NegativeStorm",
    "ToneIssue",
    "Topic",
    "TopicComment",
    "check_tone",
    "classify_batch",
    "detect_languages",
    "find_topics",
    "negative_storm",
]
