"""Text → sparse feature matrix, shared by training and inference.

The vectorisers are sklearn ``HashingVectorizer`` objects: stateless, so the model file only has to store
their parameters (JSON) plus an IDF vector and the weight matrix (numpy), never a pickle. Char n-grams
carry most of the signal for Latvian and Russian inflection, emoji and emoticons; word uni/bigrams add
phrases ("not good"). URLs and @mentions are replaced with placeholders because platforms shorten and
vary them, so their literal text is noise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_REPEAT = re.compile(r"(.)\1{3,}")
_WORD_PATTERN = r"(?u)\b\w+\b|[!?]"


def normalise(text: str) -> str:
    """Lower-case and replace the parts of a comment that vary without meaning."""
    text = _URL.sub(" httpurl ", text)
    text = _MENTION.sub(" @user ", text)
    # "soooooo" and "!!!!!!" are the same signal at any length; cap runs at three.
    text = _REPEAT.sub(r"\1\1\1", text)
    return text.lower()


@dataclass(frozen=True)
class FeatureSpec:
    """Parameters of the hashed feature space; stored in the model JSON."""

    n_features: int = 2**19
    char_ngrams: tuple[int, int] = (1, 5)
    word_ngrams: tuple[int, int] = (1, 2)

    def to_json(self) -> dict:
        return {
            "n_features": self.n_features,
            "char_ngrams": list(self.char_ngrams),
            "word_ngrams": list(self.word_ngrams),
        }

    @classmethod
    def from_json(cls, data: dict) -> FeatureSpec:
        return cls(
            n_features=int(data["n_features"]),
            char_ngrams=tuple(data["char_ngrams"]),
            word_ngrams=tuple(data["word_ngrams"]),
        )


class Featurizer:
    """Hashed char + word n-gram counts → sublinear TF × IDF → L2-normalised rows."""

    def __init__(self, spec: FeatureSpec, idf: np.ndarray | None = None) -> None:
        self.spec = spec
        self.idf = idf
        common = {"n_features": spec.n_features, "alternate_sign": False, "norm": None, "lowercase": False}
        self._char = HashingVectorizer(analyzer="char_wb", ngram_range=spec.char_ngrams, **common)
        # Word n-grams hash into the same space as char n-grams; collisions are rare at 2**19 and cost
        # less than a second matrix of the same size.
        self._word = HashingVectorizer(
            analyzer="word", ngram_range=spec.word_ngrams, token_pattern=_WORD_PATTERN, **common
        )

    def counts(self, texts: list[str]) -> sparse.csr_matrix:
        normalised = [normalise(t) for t in texts]
        matrix = self._char.transform(normalised) + self._word.transform(normalised)
        matrix = matrix.tocsr()
        # Sublinear tf: log(1 + count) keeps long, repetitive comments from dominating.
        np.log1p(matrix.data, out=matrix.data)
        return matrix

    def fit_idf(self, texts: list[str]) -> np.ndarray:
        counts = self.counts(texts)
        document_frequency = np.bincount(counts.indices, minlength=self.spec.n_features)
        self.idf = (np.log((1 + counts.shape[0]) / (1 + document_frequency)) + 1).astype(np.float32)
        return self.idf

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        if self.idf is None:
            raise RuntimeError("fit_idf() or a stored IDF vector is needed before transform()")
        matrix = self.counts(texts)
        matrix.data *= self.idf[matrix.indices]
        row_norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        row_norms[row_norms == 0] = 1.0
        matrix.data /= np.repeat(row_norms, np.diff(matrix.indptr))
        return matrix.astype(np.float32)
