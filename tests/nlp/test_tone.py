import pytest

from kopiena.nlp import check_tone


def reasons(text, **kwargs):
    return {issue.reason for issue in check_tone(text, **kwargs)}


@pytest.mark.parametrize(
    ("text", "language", "reason", "fragment"),
    [
        ("As I already said, you should have read the terms.", "en", "arguing", "As I already said"),
        ("As I already said, you should have read the terms.", "en", "blame", "you should have"),
        ("You are wrong, the price was correct.", "en", "arguing", "You are wrong"),
        ("Oh really? Good luck with that 🙄", "en", "sarcasm", "good luck with that"),
        ("That is a stupid question.", "en", "insult", "stupid"),
        ("Kā jau teicu, jums vajadzēja izlasīt noteikumus.", "lv", "arguing", "Kā jau teicu"),
        ("Kā jau teicu, jums vajadzēja izlasīt noteikumus.", "lv", "blame", "jums vajadzēja"),
        ("Nu protams, mēs vienmēr esam vainīgi.", "lv", "sarcasm", "Nu protams"),
        ("Tas ir stulbs jautājums.", "lv", "insult", "stulbs"),
        ("Как я уже говорил, вы не правы.", "ru", "arguing", "Как я уже говорил"),
        ("Вам нужно было читать условия, сами виноваты.", "ru", "blame", "сами виноваты"),
        ("Ну конечно, мы во всём виноваты.", "ru", "sarcasm", "Ну конечно"),
        ("Это глупый вопрос.", "ru", "insult", "глупый"),
    ],
)
def test_flags_with_span_and_suggestion(text, language, reason, fragment):
    issues = [i for i in check_tone(text, language=language) if i.reason == reason]
    assert issues, check_tone(text, language=language)
    spans = [text[i.start : i.end].lower() for i in issues]
    assert fragment.lower() in spans
    assert all(i.message and i.suggestion for i in issues)


def test_caps_and_exclamation_storms():
    text = "We DID send it!!! Check again!!"
    found = check_tone(text, language="en")
    assert [text[i.start : i.end] for i in found if i.reason == "all_caps"] == ["DID"]
    assert [text[i.start : i.end] for i in found if i.reason == "exclamations"] == ["!!!", "!!"]
    assert "all_caps" in reasons("МЫ ВСЁ ОТПРАВИЛИ", language="ru")
    assert "all_caps" in reasons("MĒS TO NOSŪTĪJĀM", language="lv")


def test_suggestion_follows_the_reply_language():
    [issue] = [i for i in check_tone("Ну конечно.", language="ru") if i.reason == "sarcasm"]
    assert issue.suggestion == "Понимаем, что это неприятно."
    [issue] = [i for i in check_tone("Nu protams.") if i.reason == "sarcasm"]  # detected as Latvian
    assert issue.suggestion == "Saprotam, ka tas ir nepatīkami."


@pytest.mark.parametrize(
    ("language", "calm"),
    [
        (
            "en",
            "We are sorry for the trouble. We are checking your order now and will reply within 24 hours.",
        ),
        (
            "lv",
            "Atvainojamies par neērtībām. Mēs pārbaudīsim jūsu pasūtījumu un sazināsimies ar jums šodien.",
        ),
        ("ru", "Приносим извинения за неудобства. Мы проверим ваш заказ и свяжемся с вами в течение дня."),
    ],
)
def test_calm_replies_pass_even_in_acute_threads(language, calm):
    assert check_tone(calm, language=language, acute=True) == []


@pytest.mark.parametrize(
    ("language", "curt"),
    [("en", "Your order was shipped."), ("lv", "Pasūtījums ir nosūtīts."), ("ru", "Заказ отправлен.")],
)
def test_acute_thread_needs_apology_and_next_step(language, curt):
    assert reasons(curt, language=language, acute=True) == {"missing_apology", "missing_next_step"}
    assert reasons(curt, language=language, acute=False) == set()
