"""``NgramCounts`` (the classifier's cached hashing) gives exactly the two HashingVectorizers' counts."""

from sklearn.feature_extraction.text import HashingVectorizer

from kopiena.nlp.features import _WORD_PATTERN, FeatureSpec, NgramCounts, normalise

TEXTS = [
    "Kāpēc mans pasūtījums #123 vēl nav piegādāts? 😡",
    "Почему мой заказ до сих пор не доставлен?!! верните деньги",
    "Love the new coffee maker, great job team! @user https://example.com/x",
    "a", "", "   ", "ab  c\t\td", "x" * 700, "\u00a0word\u2003x", "ok ok ok ok",
    "Nopelni 5000 EUR nedēļā no mājām! Raksti man privāti",
]  # fmt: skip


def _expected(spec: FeatureSpec, texts: list[str]):
    common = {"n_features": spec.n_features, "alternate_sign": False, "norm": None, "lowercase": False}
    char = HashingVectorizer(analyzer="char_wb", ngram_range=spec.char_ngrams, **common)
    word = HashingVectorizer(
        analyzer="word", ngram_range=spec.word_ngrams, token_pattern=_WORD_PATTERN, **common
    )
    return (char.transform(texts) + word.transform(texts)).tocsr()


def test_counts_equal_the_vectorizers_cold_warm_and_after_the_cache_fills(monkeypatch):
    spec = FeatureSpec()
    texts = [normalise(t) for t in TEXTS]
    counts = NgramCounts(spec)
    for _ in range(2):  # cold, then every word from the cache
        assert abs(counts(texts) - _expected(spec, texts)).nnz == 0
    monkeypatch.setattr(NgramCounts, "CACHE_MAX", 5)  # every batch now starts the caches afresh
    for start in range(0, len(texts), 3):
        batch = texts[start : start + 3]
        assert abs(counts(batch) - _expected(spec, batch)).nnz == 0


def test_an_empty_batch():
    assert NgramCounts(FeatureSpec())([]).shape == (0, FeatureSpec().n_features)
