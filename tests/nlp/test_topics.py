from kopiena.nlp import TopicComment, find_topics

DELIVERY = [
    "The delivery was late again, courier never called",
    "Delivery late for the third time, courier lost my parcel",
    "Courier delivery is always late",
    "Why is delivery so late, courier did not come",
    "Piegāde kavējas, kurjers nezvanīja, piegāde atkal vēlu",
    "Kurjers pazaudēja paku, piegāde kavējas",
]
COFFEE = [
    "The new pumpkin coffee is delicious",
    "Pumpkin coffee is my favourite this autumn",
    "Loved the pumpkin coffee with cinnamon",
    "Is the pumpkin coffee available in small size?",
    "Тыквенный кофе просто супер, тыквенный кофе лучший",
    "Тыквенный кофе с корицей очень вкусный",
]


def comments(texts, sentiment):
    return [TopicComment(text=t, id=str(i), sentiment=sentiment) for i, t in enumerate(texts)]


def test_groups_comments_into_topics_with_terms_counts_and_sentiment():
    topics = find_topics(comments(DELIVERY, "negative") + comments(COFFEE, "positive"), max_topics=4)
    assert topics
    by_term = {t.label: t for t in topics}
    delivery = next(t for t in topics if {"delivery", "courier", "late", "piegāde"} & set(t.terms))
    coffee = next(t for t in topics if {"pumpkin", "coffee", "тыквенный"} & set(t.terms))
    assert delivery is not coffee, by_term
    assert delivery.sentiment["negative"] > delivery.sentiment["positive"]
    assert coffee.sentiment["positive"] > coffee.sentiment["negative"]
    assert 1 <= len(delivery.representatives) <= 3
    assert all(r.text in DELIVERY + COFFEE for r in delivery.representatives)
    assert sum(t.count for t in topics) <= len(DELIVERY) + len(COFFEE)
    assert 0 < delivery.share <= 1
    assert delivery.growth is None and delivery.previous_count is None


def test_growth_against_the_previous_period():
    now = comments(DELIVERY, "negative") + comments(COFFEE, "positive")
    previous = DELIVERY[:1] + COFFEE
    topics = find_topics(now, previous, max_topics=4)
    coffee = next(t for t in topics if "pumpkin" in t.terms or "coffee" in t.terms)
    delivery = next(t for t in topics if "delivery" in t.terms or "courier" in t.terms)
    assert delivery.previous_count is not None and delivery.growth is not None
    assert delivery.growth > coffee.growth


def test_plain_strings_get_sentiment_from_the_classifier():
    topics = find_topics(DELIVERY + COFFEE, max_topics=3)
    assert topics
    assert all(sum(t.sentiment.values()) == t.count for t in topics)


def test_too_little_text_gives_no_topics():
    assert find_topics([]) == []
    assert find_topics(["one comment"]) == []
    assert find_topics(["alpha", "beta", "gamma"]) == []  # no shared term
