"""Issue 17 (speed): each distinct text is classified once per model and set of languages."""

from kopiena.nlp import classify as classify_module
from kopiena.nlp import classify_batch


def test_repeats_are_answered_once_and_alike():
    text = "Kad atvērsiet jauno kafejnīcu Cēsīs?"
    first, _other, again = classify_batch([text, "Очень вкусный кофе, спасибо", text])
    assert first is again
    assert classify_batch([text])[0] == first
    assert first.language == "lv" and "question" in first.intents


def test_the_allowed_languages_are_part_of_the_key():
    text = "Pasūtījums vēl nav atnācis"
    classify_batch([text])
    classify_batch([text], languages=["ru"])
    assert (None, text) in classify_module._cached and (("ru",), text) in classify_module._cached


def test_another_model_starts_an_empty_cache(monkeypatch):
    classify_batch(["Thanks for the quick answer!"])
    monkeypatch.setattr(classify_module, "_cached_model", object())
    classify_batch(["Where is your shop in Riga?"])
    assert set(classify_module._cached) == {(None, "Where is your shop in Riga?")}


def test_a_batch_that_fills_the_cache_keeps_its_earlier_hits(monkeypatch):
    # A text seen before, in a batch whose new texts overflow the cache: emptying the cache must not lose
    # the answer already found for it (this raised KeyError once 16,384 distinct texts had been seen).
    monkeypatch.setattr(classify_module, "CACHE_MAX", 3)
    seen = classify_batch(["Paldies, ļoti garšīgi!"])[0]
    batch = ["Paldies, ļoti garšīgi!", "Kur ir jūsu veikals?", "Где ваш магазин?", "Where is the shop?"]
    answers = classify_batch(batch)
    assert answers[0] == seen
    assert [a.language for a in answers[1:]] == ["lv", "ru", "en"]
