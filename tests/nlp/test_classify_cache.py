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
