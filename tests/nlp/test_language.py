from kopiena.nlp.language import detect_languages


def test_script_and_lingua_pick_the_right_language():
    texts = [
        "Why is my order still not here? I paid a week ago.",
        "Labdien, kāpēc mans pasūtījums vēl nav atnācis?",
        "Paldies, viss ir kartiba, jusu veikals ir labakais",  # Latvian typed without diacritics
        "Здравствуйте, когда будет доставка?",
    ]
    assert detect_languages(texts) == ["en", "lv", "lv", "ru"]


def test_no_letters_or_too_short_is_unknown():
    assert detect_languages(["👍👍🔥", "ok", "12345", "@brand https://t.co/x"]) == ["unknown"] * 4


def test_only_the_workspace_languages_are_considered():
    # Russian text in an English + Latvian workspace is not forced into either.
    assert detect_languages(["Спасибо большое за помощь"], ["en", "lv"]) == ["unknown"]
    assert detect_languages(["Guten Morgen, wie geht es Ihnen heute?"], ["de", "en"]) == ["de"]
