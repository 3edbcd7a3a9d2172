from datetime import UTC, datetime, timedelta

import pytest

from kopiena.nlp import classify_batch, negative_storm
from kopiena.nlp.acute import acute_reasons


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("I will contact my lawyer and see you in court.", "legal"),
        ("Es vērsīšos PTAC un iesniegšu prasību tiesā.", "legal"),
        ("Я подам на вас в суд и напишу в Роспотребнадзор.", "legal"),
        ("My child got food poisoning and ended up in hospital.", "safety"),
        ("Pēc jūsu kūkas bērns saindējās un nonāca slimnīcā.", "safety"),
        ("После вашего торта ребёнок отравился, лежим в больнице.", "safety"),
        ("I am sending this to a journalist at the local newspaper.", "press"),
        ("Par šo uzrakstīšu žurnālistiem un delfi.", "press"),
        ("Я передам эту историю журналистам.", "press"),
        ("I want a refund, give me my money back.", "refund"),
        ("Pieprasu atmaksu, atdodiet naudu!", "refund"),
        ("Верните деньги, требую возврат.", "refund"),
        ("This shop is a scam, you stole my money.", "fraud"),
        ("Jūs esat krāpnieki!", "fraud"),
        ("Вы мошенники и обманщики!", "fraud"),
        ("If this happens again you'll regret it, watch your back.", "threat"),
        ("Ja vēlreiz tā notiks, jūs to nožēlosiet.", "threat"),
        ("Ещё раз так сделаете — пожалеете.", "threat"),
    ],
)
def test_acute_reasons_in_three_languages(text, reason):
    assert reason in acute_reasons(text, complaint=False, negative=0.0)
    result = classify_batch([text])[0]
    assert result.acute
    assert reason in result.acute_reasons


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, the delivery was quick and the courier was polite.",
        "Paldies, viss atnāca laikā.",
        "Спасибо, всё пришло вовремя.",
        "Where can I find your opening hours?",
    ],
)
def test_ordinary_comments_are_not_acute(text):
    result = classify_batch([text])[0]
    assert not result.acute
    assert result.acute_reasons == ()


def test_strong_negative_complaint_needs_both():
    assert acute_reasons("it broke", complaint=True, negative=0.9) == ("strong_negative_complaint",)
    assert acute_reasons("it broke", complaint=True, negative=0.4) == ()
    assert acute_reasons("it broke", complaint=False, negative=0.9) == ()


def _replies(sentiments_and_minutes):
    texts = {"negative": "Terrible, awful, worst service ever.", "positive": "Love it, thank you so much!"}
    start = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    results = classify_batch([texts[s] for s, _ in sentiments_and_minutes])
    return [
        (start + timedelta(minutes=m), r) for (_, m), r in zip(sentiments_and_minutes, results, strict=True)
    ]


def test_negative_storm_found_within_the_window():
    replies = _replies([("positive", 0), *[("negative", 30 + i) for i in range(6)], ("positive", 40)])
    storm = negative_storm(replies, window_seconds=3600, min_negative=5, min_share=0.6)
    assert storm is not None
    assert storm.negative_count == 6
    assert storm.total_count >= 7
    assert storm.reason == "negative_storm"


def test_spread_out_or_mixed_replies_are_not_a_storm():
    spread = _replies([("negative", i * 120) for i in range(6)])  # one every two hours
    assert negative_storm(spread, window_seconds=3600, min_negative=5) is None
    mixed = _replies([(s, i) for i, s in enumerate(["negative", "positive"] * 6)])
    assert negative_storm(mixed, min_negative=5, min_share=0.6) is None
    assert negative_storm([], min_negative=1) is None
