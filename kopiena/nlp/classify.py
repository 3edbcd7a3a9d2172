"""Comment classification: the function ingestion calls, in batches.

``classify_batch(texts, *, languages=None) -> list[Classification]``
    ``languages`` is the workspace's language set (ISO 639-1 codes; default en, lv, ru): language
    detection only chooses among them and answers ``"unknown"`` when unsure. One ``Classification`` per
    text, in order. Thread-safe; the model loads once per process (< 2 s).

A ``Classification`` carries ``language``, ``sentiment`` (negative | neutral | positive), ``intents``
(a subset of question, request, suggestion, complaint, praise, in that order), ``toxic``, ``spam``,
``acute`` with ``acute_reasons`` (threat, legal, safety, press, refund, fraud, strong_negative_complaint)
and ``scores`` (probabilities behind each decision, 0..1, four decimals). ``to_json()`` gives the record
that ``kopiena classify`` prints.

Sentiment uses the head trained for the detected language (English for ``unknown``); toxicity has
per-language thresholds. Complaint, question, request and suggestion come from the (English-trained)
model heads for English and from the multilingual patterns in ``lexicon.py`` for other languages
(suggestion: both, in English). Praise is derived: clearly positive sentiment, or praise words in a
comment that is neither negative nor a complaint.

On top (issue 17, see docs/model-card.md): the team's lexicons for scams, insults without swear words,
swearing and complaint cues, matched on diacritics-folded text, adjust spam, toxic, complaint, praise
and sentiment (a scam is neutral with no intents; a complaint cue or an insult is negative unless praise
and a contrast make it praise with a complaint in it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from . import lexicon
from .acute import STRONG_NEGATIVE
from .language import detect_languages
from .model import Model, get_model

SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("question", "request", "suggestion", "complaint", "praise")
SENTIMENT_HEAD = {"en": "sentiment_en", "lv": "sentiment_lv", "ru": "sentiment_ru"}
PRAISE_POSITIVE = 0.6
COMPLAINT_TOXIC = 0.62


@dataclass(frozen=True)
class Classification:
    language: str
    sentiment: str
    intents: tuple[str, ...]
    toxic: bool
    spam: bool
    acute: bool
    acute_reasons: tuple[str, ...]
    scores: dict[str, float] = field(hash=False)

    def to_json(self) -> dict:
        return {
            "language": self.language,
            "sentiment": self.sentiment,
            "intents": list(self.intents),
            "toxic": self.toxic,
            "spam": self.spam,
            "acute": self.acute,
            "acute_reasons": list(self.acute_reasons),
            "scores": dict(self.scores),
        }


def classify_batch(texts: Sequence[str], *, languages: Sequence[str] | None = None) -> list[Classification]:
    return classify_with(get_model(), texts, languages=languages)


def classify_with(
    model: Model, texts: Sequence[str], *, languages: Sequence[str] | None = None
) -> list[Classification]:
    """``classify_batch`` with an explicit model (training scores a model before it is saved). Each
    distinct text is classified once: repeats in the batch, and texts seen in recent batches with the
    same model and languages (reposts, quotes, spam waves in listening), are answered from a cache."""
    global _cached_model
    texts = list(texts)
    if not texts:
        return []
    if _cached_model is not model:
        _cached.clear()
        _cached_model = model
    allowed = tuple(languages) if languages is not None else None
    # Answers are collected here, not read back from the cache: emptying a full cache (here or in another
    # thread) must not lose this batch's earlier hits.
    found: dict[str, Classification] = {}
    missing = []
    for text in dict.fromkeys(texts):
        hit = _cached.get((allowed, text))
        if hit is None:
            missing.append(text)
        else:
            found[text] = hit
    if missing:
        if len(_cached) + len(missing) > CACHE_MAX:
            _cached.clear()
        for text, result in zip(missing, _classify(model, missing, allowed), strict=True):
            _cached[(allowed, text)] = result
            found[text] = result
    return [found[t] for t in texts]


# Classifications by (allowed languages, text) for one model: bounded, emptied when full or when another
# model is used. Classification is frozen; callers copy it (dataclasses.replace) to change it.
CACHE_MAX = 1 << 14
_cached: dict[tuple[tuple[str, ...] | None, str], Classification] = {}
_cached_model: Model | None = None


def _classify(model: Model, texts: list[str], languages: Sequence[str] | None) -> list[Classification]:
    detected = detect_languages(texts, languages)
    heads = model.head_scores(texts)
    sentiment = np.empty((len(texts), 3), dtype=np.float64)
    for language in set(detected):
        rows = [i for i, code in enumerate(detected) if code == language]
        sentiment[rows] = heads[SENTIMENT_HEAD.get(language, "sentiment_en")][rows]
    return [
        _one(text, language, sentiment[i], heads, i, model)
        for i, (text, language) in enumerate(zip(texts, detected, strict=True))
    ]


class _Signals(NamedTuple):
    """What the lexicons find in one text (the heads' scores aside): computed once per distinct text."""

    scam: bool
    cue: bool
    insult: bool
    swear: bool
    asks: bool
    request: bool
    suggestion: bool
    praise_words: bool
    contrast: bool
    acute: tuple[str, ...]


_SPAM = lexicon.Family(lexicon.SPAM)
_CUES = lexicon.Family(lexicon.COMPLAINT_CUE)
_PRAISE_EXTRA = lexicon.Family(lexicon.PRAISE_EXTRA)
_COMPLAINT, _PRAISE, _CONTRAST = (
    lexicon.gated(p) for p in (lexicon.COMPLAINT, lexicon.PRAISE, lexicon.CONTRAST)
)
_QUESTION, _REQUEST, _SUGGESTION = (
    lexicon.gated(p) for p in (lexicon.QUESTION, lexicon.REQUEST, lexicon.SUGGESTION)
)


@lru_cache(maxsize=1 << 16)
def _signals(text: str) -> _Signals:
    lowered = text.lower()
    folded = lexicon.fold(lowered)
    scripts = lexicon.scripts_of(folded)
    acute = lexicon.acute_kinds(lowered)
    insult, swear = lexicon.abuse(folded, scripts)
    if _SPAM.search(folded, scripts):
        return _Signals(True, False, insult, swear, False, False, False, False, False, acute)
    cue = _CUES.search(folded, scripts) or _COMPLAINT.search(lowered)
    praise_words = _PRAISE.search(lowered) or _PRAISE_EXTRA.search(folded, scripts)
    return _Signals(
        scam=False,
        cue=cue,
        insult=insult,
        swear=swear,
        asks=_QUESTION.search(lowered),
        request=_REQUEST.search(lowered),
        suggestion=_SUGGESTION.search(lowered),
        praise_words=praise_words,
        contrast=cue and praise_words and _CONTRAST.search(lowered),
        acute=acute,
    )


def _reasons(signals: _Signals, *, complaint: bool, negative: float) -> tuple[str, ...]:
    """``acute.acute_reasons`` from the signals already found."""
    if complaint and negative >= STRONG_NEGATIVE:
        return (*signals.acute, "strong_negative_complaint")
    return signals.acute


def _one(
    text: str, language: str, sentiment: np.ndarray, heads: dict, i: int, model: Model
) -> Classification:
    negative, neutral, positive = (float(x) for x in sentiment)
    label = SENTIMENTS[int(sentiment.argmax())]
    scores = {"negative": negative, "neutral": neutral, "positive": positive}
    decided = {}
    for name in ("toxic", "spam", "complaint", "question", "request", "suggestion"):
        score = float(heads[name][i])
        scores[name] = score
        decided[name] = score >= model.heads[name].threshold_for(language)

    # The intent heads are trained on English tweets and beat the patterns there on the dev splits
    # (question F1 74.0 vs 70.8 with patterns added); other languages rely on the patterns.
    english = language == "en"
    signals = _signals(text)

    # Brand-comment rules (issue 17): the team's lexicons for scams, insults without swear words and
    # complaints said without negative words; the heads, trained on tweets, miss them.
    # A scam or promotion in the lexicon is spam with neutral sentiment and no intents; the spam head
    # alone (YouTube comments) only sets the flag, the rest of the record stays as the heads say.
    scam, cue, insult, swear = signals.scam, signals.cue, signals.insult, signals.swear
    # The toxicity head (tweets, 2ch) mistakes an angry complaint, or a question, for abuse; without an
    # insult word those need a clearly toxic score (COMPLAINT_TOXIC: just above the highest plain
    # complaint on the brand tuning set, 0.60). Only an insult word makes the sentiment negative:
    # swearing and the head's score do not (on the tweet dev splits that cost 3 points of Russian
    # sentiment).
    asks = signals.asks
    sure = scores["toxic"] >= COMPLAINT_TOXIC
    # A scam is not abuse by the head's score alone, and an accusation, an alarm or a demand (fraud,
    # safety, legal, press, refund: acute, which a moderator sees first anyway) is held to the
    # complaint's bar: the head reads their urgency as abuse (Russian most of all: 2ch-trained, threshold
    # 0.45). Abuse in them needs an insult or a swear word from the lexicon, or a clearly toxic score.
    alarm = any(kind != "threat" for kind in signals.acute)
    toxic = insult or swear or (decided["toxic"] and not scam and (sure or not (cue or asks or alarm)))
    if scam:
        reasons = _reasons(signals, complaint=False, negative=negative)
        scores["spam"] = max(scores["spam"], 0.9)
        scores["praise"] = positive
        return Classification(
            language=language,
            sentiment="neutral",
            intents=(),
            toxic=toxic,
            spam=True,
            acute=bool(reasons),
            acute_reasons=reasons,
            scores={k: round(v, 4) for k, v in scores.items()},
        )

    head_label = label
    intents = [
        name
        for name, found in (("question", asks), ("request", signals.request))
        if (decided[name] if english else found)
    ]
    if "question" not in intents and asks:
        intents.insert(0, "question")
    # Suggestions are rare in the training data; the patterns add recall in English too.
    if (english and decided["suggestion"]) or signals.suggestion:
        intents.append("suggestion")
    praise_words = signals.praise_words
    accusation = "fraud" in signals.acute or "threat" in signals.acute
    # Praise with a complaint in it ("great coffee, but too few seats") stays positive; praise words
    # around a complaint without a contrast are sarcasm ("thanks for the hair in my coffee").
    mixed = signals.contrast and not toxic and not accusation
    if mixed:
        label = "positive"
    elif cue or insult or accusation:
        label = "negative"
    elif praise_words and label == "neutral" and "question" not in intents:
        label = "positive"
    # The complaint head learnt "delivery", "order" etc. as complaint words; a positive comment that
    # mentions them is not a complaint.
    complaint = cue or accusation or (english and decided["complaint"] and head_label != "positive")
    if complaint:
        intents.append("complaint")
    praise = label == "positive" and (praise_words or positive >= PRAISE_POSITIVE)
    scores["praise"] = positive
    if praise:
        intents.append("praise")

    reasons = _reasons(signals, complaint=complaint, negative=negative)
    return Classification(
        language=language,
        sentiment=label,
        intents=tuple(intents),
        toxic=toxic,
        spam=decided["spam"],
        acute=bool(reasons),
        acute_reasons=reasons,
        scores={k: round(v, 4) for k, v in scores.items()},
    )
