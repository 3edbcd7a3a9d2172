"""Topics in a period's comments, for "posts from comment topics" (seed C10) and trends.

``find_topics(comments, previous=None, *, max_topics=8, languages=None) -> list[Topic]``
    ``comments`` and ``previous`` are sequences of ``str`` or ``TopicComment`` (text, optional id and
    sentiment; a missing sentiment is computed with ``classify_batch``). Comments are grouped with NMF
    over TF-IDF word uni/bigrams (stop words of en/lv/ru removed); each ``Topic`` has its top ``terms``,
    a short ``label``, ``count`` and ``share`` of the period's comments, up to three ``representatives``
    (the comments most typical of it), ``sentiment`` counts and, when ``previous`` is given,
    ``previous_count`` and ``growth`` ((count - previous) / max(previous, 1)). Topics come largest
    first; comments that fit no topic are not forced into one. Deterministic (fixed seed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from .features import normalise

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "if",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "them",
        "there",
        "they",
        "this",
        "to",
        "too",
        "was",
        "we",
        "were",
        "what",
        "when",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "yours",
        "just",
        "can",
        "do",
        "does",
        "did",
        "am",
        "been",
        "get",
        "got",
        "im",
        "it's",
        "i'm",
        "dont",
        "don't",
        "u",
        "ur",
        "all",
        "any",
        "how",
        "about",
        "more",
        "very",
        "really",
        "also",
        "one",
        "httpurl",
        "user",
        "rt",
        "un",
        "ir",
        "ar",
        "par",
        "uz",
        "no",
        "kas",
        "ka",
        "kā",
        "bet",
        "vai",
        "es",
        "tu",
        "viņš",
        "viņa",
        "mēs",
        "jūs",
        "viņi",
        "tas",
        "tā",
        "to",
        "tie",
        "tās",
        "šis",
        "šī",
        "jau",
        "vēl",
        "arī",
        "ne",
        "nav",
        "būs",
        "bija",
        "esmu",
        "esam",
        "tik",
        "lai",
        "pie",
        "pēc",
        "līdz",
        "kad",
        "kur",
        "jo",
        "man",
        "tev",
        "mums",
        "jums",
        "savu",
        "sava",
        "mans",
        "mana",
        "ļoti",
        "и",
        "в",
        "во",
        "не",
        "что",
        "он",
        "на",
        "я",
        "с",
        "со",
        "как",
        "а",
        "то",
        "все",
        "она",
        "так",
        "его",
        "но",
        "да",
        "ты",
        "к",
        "у",
        "же",
        "вы",
        "за",
        "бы",
        "по",
        "только",
        "ее",
        "мне",
        "было",
        "вот",
        "от",
        "меня",
        "еще",
        "нет",
        "о",
        "из",
        "ему",
        "теперь",
        "когда",
        "даже",
        "ну",
        "вдруг",
        "ли",
        "если",
        "уже",
        "или",
        "ни",
        "быть",
        "был",
        "него",
        "до",
        "вас",
        "нибудь",
        "опять",
        "уж",
        "вам",
        "ведь",
        "там",
        "потом",
        "себя",
        "ничего",
        "ей",
        "может",
        "они",
        "тут",
        "где",
        "есть",
        "надо",
        "ней",
        "для",
        "мы",
        "тебя",
        "их",
        "чем",
        "была",
        "сам",
        "чтоб",
        "без",
        "будто",
        "чего",
        "раз",
        "тоже",
        "себе",
        "под",
        "будет",
        "ж",
        "тогда",
        "кто",
        "этот",
        "того",
        "потому",
        "этого",
        "какой",
        "совсем",
        "ним",
        "здесь",
        "этом",
        "один",
        "почти",
        "мой",
        "тем",
        "чтобы",
        "нее",
        "сейчас",
        "были",
        "куда",
        "зачем",
        "всех",
        "никогда",
        "можно",
        "при",
        "наконец",
        "два",
        "об",
        "другой",
        "хоть",
        "после",
        "над",
        "больше",
        "тот",
        "через",
        "эти",
        "нас",
        "про",
        "всего",
        "них",
        "какая",
        "много",
        "разве",
        "три",
        "эту",
        "моя",
        "впрочем",
        "хорошо",
        "свою",
        "этой",
        "перед",
        "иногда",
        "лучше",
        "чуть",
        "том",
        "нельзя",
        "такой",
        "им",
        "более",
        "всегда",
        "конечно",
        "всю",
        "между",
        "это",
    ]
)
# Words of two or more letters: numbers and single letters make poor topic terms.
TERM_PATTERN = r"(?u)\b[^\W\d_]{2,}\b"
MIN_TOPIC_WEIGHT = 0.05
MIN_TERM_SHARE = 0.2
SEED = 20261127


@dataclass(frozen=True)
class TopicComment:
    text: str
    id: str | None = None
    sentiment: str | None = None


@dataclass(frozen=True)
class Topic:
    label: str
    terms: tuple[str, ...]
    count: int
    share: float
    representatives: tuple[TopicComment, ...]
    sentiment: dict[str, int] = field(hash=False)
    previous_count: int | None = None
    growth: float | None = None


def _as_comments(items: Sequence[str | TopicComment], languages: Sequence[str] | None) -> list[TopicComment]:
    comments = [item if isinstance(item, TopicComment) else TopicComment(text=item) for item in items]
    missing = [i for i, c in enumerate(comments) if c.sentiment is None]
    if missing:
        from .classify import classify_batch

        results = classify_batch([comments[i].text for i in missing], languages=languages)
        for i, result in zip(missing, results, strict=True):
            comments[i] = TopicComment(text=comments[i].text, id=comments[i].id, sentiment=result.sentiment)
    return comments


def find_topics(
    comments: Sequence[str | TopicComment],
    previous: Sequence[str | TopicComment] | None = None,
    *,
    max_topics: int = 8,
    languages: Sequence[str] | None = None,
) -> list[Topic]:
    current = _as_comments(comments, languages)
    if len(current) < 2:
        return []
    vectorizer = TfidfVectorizer(
        preprocessor=normalise,
        token_pattern=TERM_PATTERN,
        stop_words=sorted(STOP_WORDS),
        ngram_range=(1, 2),
        min_df=2,
        max_df=0.5,
        sublinear_tf=True,
    )
    try:
        matrix = vectorizer.fit_transform([c.text for c in current])
    except ValueError:  # no term occurs in two comments: nothing to group
        return []
    # About three comments per topic at least; max_topics caps it for real periods with many comments.
    n_topics = max(1, min(max_topics, matrix.shape[1], len(current) // 3))
    nmf = NMF(n_components=n_topics, init="nndsvda", random_state=SEED, max_iter=300)
    weights = nmf.fit_transform(matrix)
    assignment = np.where(weights.max(axis=1) >= MIN_TOPIC_WEIGHT, weights.argmax(axis=1), -1)

    previous_counts = None
    if previous is not None:
        previous_texts = [c if isinstance(c, str) else c.text for c in previous]
        previous_counts = np.zeros(n_topics, dtype=int)
        if previous_texts:
            previous_weights = nmf.transform(vectorizer.transform(previous_texts))
            kept = previous_weights.max(axis=1) >= MIN_TOPIC_WEIGHT
            previous_counts = np.bincount(previous_weights.argmax(axis=1)[kept], minlength=n_topics)

    vocabulary = vectorizer.get_feature_names_out()
    topics = []
    for k in range(n_topics):
        members = np.flatnonzero(assignment == k)
        if members.size == 0:
            continue
        terms = tuple(
            vocabulary[j] for j in nmf.components_[k].argsort()[::-1][:8] if nmf.components_[k][j] > 0
        )
        best = members[np.argsort(-weights[members, k])][:3]
        sentiment = {"negative": 0, "neutral": 0, "positive": 0}
        for i in members:
            sentiment[current[i].sentiment] = sentiment.get(current[i].sentiment, 0) + 1
        previous_count = None if previous_counts is None else int(previous_counts[k])
        topics.append(
            Topic(
                label=", ".join(terms[:3]),
                terms=terms,
                count=int(members.size),
                share=round(members.size / len(current), 4),
                representatives=tuple(current[i] for i in best),
                sentiment=sentiment,
                previous_count=previous_count,
                growth=None
                if previous_count is None
                else round((members.size - previous_count) / max(previous_count, 1), 4),
            )
        )
    return sorted(topics, key=lambda t: (-t.count, t.label))
