"""Issue 17: insults and swearing written to get past a filter are still found (``lexicon.abuse``), and
ordinary words that look like them are not."""

import pytest

from kopiena.nlp import classify_batch, lexicon


def _abuse(text: str) -> tuple[bool, bool]:
    return lexicon.abuse(lexicon.fold(text.lower()))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ваш кассир просто кретин", (True, False)),
        ("Ты тупоооой совсем?", (True, False)),  # stretched letters
        ("Менеджер — идиoт", (True, False)),  # Latin "o" inside a Cyrillic word
        ("oфициант — дeбил", (True, False)),  # Latin "o" and "e"
        ("Ваш курьер д.е.б.и.л", (True, False)),  # letters spelt out with separators
        ("Оператор т у п о й", (True, False)),
        ("Какая х*йня с этим тарифом", (False, True)),  # masked letters
        ("Опять бл@ть не работает", (False, True)),
        ("Вы п***ц", (False, True)),
        ("ну ты и с*ка", (False, True)),
        ("Что за хуууйня", (False, True)),
        ("vy tam vse kretiny", (True, False)),  # transliterated
        ("blyat opyat ne rabotaet", (False, True)),
        ("This is f*cking ridiculous", (False, True)),
    ],
)
def test_obfuscated_abuse_is_found(text, expected):
    assert _abuse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Касса не работала, сообщение так и не пришло",  # double letters: not stretched abuse
        "Цена* указана без НДС",  # a footnote star
        "@user спасибо, ссылка работает",  # a mention
        "Сумма 5*3 евро, оплата 2 раза",
        "Par šo bezdarbību uzrakstīšu avīzei",  # Latvian, not transliterated Russian
        "Заказ 3шт, доставка в Ригу",
        "Козельск далеко от нас",
    ],
)
def test_ordinary_text_is_not_abuse(text):
    assert _abuse(text) == (False, False)


def test_an_accusation_or_a_scam_is_not_toxic_without_an_abusive_word():
    accusation, scam, insult = classify_batch(
        [
            "С моего счёта списали 300 евро, вы обманщики!",
            "Подписывайтесь на мой канал, там розыгрыш айфона!!! Ссылка в профиле",
            "Вы обманщики и тупые бараны!",
        ]
    )
    assert "fraud" in accusation.acute_reasons and not accusation.toxic
    assert scam.spam and not scam.toxic
    assert insult.toxic and "fraud" in insult.acute_reasons
