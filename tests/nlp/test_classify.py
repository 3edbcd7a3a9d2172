import pytest

from kopiena.nlp import Classification, classify_batch
from kopiena.nlp.model import get_model


def test_model_loads_with_all_heads():
    heads = set(get_model().heads)
    assert {"sentiment_en", "sentiment_lv", "sentiment_ru", "toxic", "spam", "complaint"} <= heads


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("I love this shop, the staff were amazing and so helpful! Thank you!", "positive"),
        ("Worst service ever, I am so disappointed and angry. Terrible.", "negative"),
        ("Paldies, ļoti garšīga kafija un lieliska apkalpošana, iesaku visiem!", "positive"),
        ("Briesmīga apkalpošana, esmu ļoti vīlies, vairs nekad nepirkšu.", "negative"),
        ("Спасибо огромное, всё очень понравилось, вы лучшие!", "positive"),
        ("Ужасный сервис, очень разочарован, больше никогда не закажу.", "negative"),
    ],
)
def test_obvious_sentiment(text, sentiment):
    assert classify_batch([text])[0].sentiment == sentiment


def test_toxic_and_spam_on_obvious_examples():
    toxic_en, toxic_ru, clean, spam = classify_batch(
        [
            "You are a fucking idiot, shut up you stupid moron",
            "Ты тупой идиот, заткнись, дебил",
            "Thanks for the quick delivery, the parcel arrived today.",
            "Check out my channel!!! Subscribe to me and win free iPhone http://bit.ly/free-prize",
        ]
    )
    assert toxic_en.toxic and toxic_ru.toxic
    assert not clean.toxic and not clean.spam
    assert spam.spam


def test_intents_in_three_languages():
    en, lv, ru = classify_batch(
        [
            "When will you open the new store? Please let me know.",
            "Kad atvērsiet jauno veikalu? Lūdzu, atbildiet.",
            "Когда откроется новый магазин? Подскажите, пожалуйста.",
        ]
    )
    for result in (en, lv, ru):
        assert "question" in result.intents
        assert "request" in result.intents
    complaint = classify_batch(["Kāpēc pasūtījums joprojām nav atnācis? Esmu ļoti vīlies, briesmīgi."])[0]
    assert "complaint" in complaint.intents


def test_batch_keeps_order_and_shape():
    texts = ["Great job!", "Kur ir mans pasūtījums?", "Где мой заказ?", ""] * 5
    results = classify_batch(texts)
    assert len(results) == len(texts)
    assert [r.language for r in results[:4]] == ["en", "lv", "ru", "unknown"]
    assert all(isinstance(r, Classification) for r in results)
    record = results[0].to_json()
    assert set(record) == {
        "language",
        "sentiment",
        "intents",
        "toxic",
        "spam",
        "acute",
        "acute_reasons",
        "scores",
    }
    assert abs(sum(record["scores"][k] for k in ("negative", "neutral", "positive")) - 1) < 0.01
    assert classify_batch([]) == []


def test_workspace_languages_restrict_detection():
    assert classify_batch(["Спасибо за помощь"], languages=["en", "lv"])[0].language == "unknown"
