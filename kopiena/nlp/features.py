"""Text → sparse feature matrix, shared by training and inference.

The features are those of two sklearn ``HashingVectorizer`` objects (char_wb and word n-grams hashed into one
space): stateless, so the model file only has to store their parameters (JSON) plus an IDF vector and the
weight matrix (numpy), never a pickle. ``NgramCounts`` computes exactly their counts, but hashes each word's
char n-grams and each word n-gram once and then reuses them: a text's char_wb n-grams are the union of its
words', and words repeat from comment to comment, so most of the per-text work is a dictionary lookup
(hashing every n-gram of every text in Python was half of the classifier's time). Char n-grams
carry most of the signal for Latvian and Russian inflection, emoji and emoticons; word uni/bigrams add
phrases ("not good"). URLs and @mentions are replaced with placeholders because platforms shorten and
vary them, so their literal text is noise.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher
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


class _HashedWords:
    """Words → their hashed char n-grams (indices and counts), stored flat so that a batch gathers every
    word's n-grams with a few numpy operations instead of a Python step per word or n-gram."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.starts = np.zeros(1 << 12, dtype=np.int64)
        self.lengths = np.zeros(1 << 12, dtype=np.int64)
        self.indices = np.zeros(1 << 16, dtype=np.int32)
        self.counts = np.zeros(1 << 16, dtype=np.float32)
        self.filled = 0

    def add(self, words: list[str], hashed: sparse.csr_matrix) -> None:
        first, size = len(self.ids), hashed.nnz
        while first + len(words) > self.starts.size:
            self.starts = np.resize(self.starts, self.starts.size * 2)
            self.lengths = np.resize(self.lengths, self.lengths.size * 2)
        while self.filled + size > self.indices.size:
            self.indices = np.resize(self.indices, self.indices.size * 2)
            self.counts = np.resize(self.counts, self.counts.size * 2)
        self.indices[self.filled : self.filled + size] = hashed.indices
        self.counts[self.filled : self.filled + size] = hashed.data
        self.starts[first : first + len(words)] = self.filled + hashed.indptr[:-1]
        self.lengths[first : first + len(words)] = np.diff(hashed.indptr)
        self.filled += size
        self.ids.update(zip(words, range(first, first + len(words)), strict=True))


class NgramCounts:
    """``char_wb.transform(texts) + word.transform(texts)`` of the two HashingVectorizers (same indices, same
    counts), with the hashed char n-grams of each word and the index of each word n-gram cached (bounded:
    started afresh when full). One batch at a time (a lock): the caches are shared by threads."""

    CACHE_MAX = 1 << 17

    def __init__(self, spec: FeatureSpec) -> None:
        common = {"n_features": spec.n_features, "alternate_sign": False, "norm": None, "lowercase": False}
        self.char = HashingVectorizer(analyzer="char_wb", ngram_range=spec.char_ngrams, **common)
        # Word n-grams hash into the same space as char n-grams; collisions are rare at 2**19 and cost
        # less than a second matrix of the same size.
        self.word = HashingVectorizer(
            analyzer="word", ngram_range=spec.word_ngrams, token_pattern=_WORD_PATTERN, **common
        )
        self.n_features = spec.n_features
        self._hasher = FeatureHasher(n_features=spec.n_features, input_type="string", alternate_sign=False)
        self._tokens = self.word.build_tokenizer()
        self._word_ngrams = self.word._word_ngrams
        self._char_ngrams = self.char._char_wb_ngrams
        self._words = _HashedWords()
        self._grams: dict[str, int] = {}  # word n-gram → its index
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> sparse.csr_matrix:
        word_lists = [text.split() for text in texts]
        gram_lists = [self._word_ngrams(self._tokens(text)) for text in texts]
        words = [word for text_words in word_lists for word in text_words]
        grams = [gram for text_grams in gram_lists for gram in text_grams]
        with self._lock:
            word_ids = self._word_ids(words)
            gram_indices = self._gram_indices(grams)
            hashed = self._words
            lengths = hashed.lengths[word_ids]
            ends = np.cumsum(lengths)
            # Each word's run of n-grams: positions start, start+1, … start+length-1 in the flat store.
            positions = np.repeat(hashed.starts[word_ids] - (ends - lengths), lengths) + np.arange(
                ends[-1] if ends.size else 0
            )
            char_indices, char_counts = hashed.indices[positions], hashed.counts[positions]
        rows = np.arange(len(texts))
        words_per_text = np.fromiter(map(len, word_lists), dtype=np.int64, count=len(texts))
        word_rows = np.repeat(rows, words_per_text)
        grams_per_text = np.fromiter(map(len, gram_lists), dtype=np.int64, count=len(texts))
        matrix = sparse.coo_matrix(
            (
                np.concatenate([char_counts.astype(np.float64), np.ones(len(grams))]),
                (
                    np.concatenate([np.repeat(word_rows, lengths), np.repeat(rows, grams_per_text)]),
                    np.concatenate([char_indices, gram_indices]),
                ),
            ),
            shape=(len(texts), self.n_features),
        ).tocsr()  # sums the duplicates
        matrix.sum_duplicates()  # sorts the indices as the vectorizers do
        return matrix

    def _word_ids(self, words: list[str]) -> np.ndarray:
        ids = self._words.ids
        new = list({word: None for word in words if word not in ids})
        if len(ids) + len(new) > self.CACHE_MAX:
            self._words = _HashedWords()
            ids = self._words.ids
            new = list(dict.fromkeys(words))
        if new:
            self._words.add(new, self._hasher.transform(self._char_ngrams(word) for word in new))
        return np.fromiter((ids[word] for word in words), dtype=np.int64, count=len(words))

    def _gram_indices(self, grams: list[str]) -> np.ndarray:
        known = self._grams
        new = list({gram: None for gram in grams if gram not in known})
        if len(known) + len(new) > self.CACHE_MAX:
            known = self._grams = {}
            new = list(dict.fromkeys(grams))
        if new:
            known.update(
                zip(new, self._hasher.transform([gram] for gram in new).indices.tolist(), strict=True)
            )
        return np.fromiter((known[gram] for gram in grams), dtype=np.int32, count=len(grams))


class Featurizer:
    """Hashed char + word n-gram counts → sublinear TF × IDF → L2-normalised rows."""

    def __init__(self, spec: FeatureSpec, idf: np.ndarray | None = None) -> None:
        self.spec = spec
        self.idf = idf
        self._counts = NgramCounts(spec)

    def counts(self, texts: list[str]) -> sparse.csr_matrix:
        matrix = self._counts([normalise(t) for t in texts])
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
