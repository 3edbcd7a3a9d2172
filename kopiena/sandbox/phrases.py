"""What the simulated audience says, by language and intent. Written for the sandbox (a Riga coffee
roastery); a mix on purpose: questions, complaints, praise and the occasional spam or rude one, so
the inbox's classifier, routing and SLA clocks have something real-looking to work on."""

from __future__ import annotations

PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "lv": {
        "question": (
            "Vai jūs piegādājat arī uz Jūrmalu?",
            "Cik maksā kilograms Etiopijas kafijas?",
            "Kādas ir jūsu darba stundas svētdienās?",
            "Vai ir pieejamas kafijas pupiņas bez kofeīna?",
            "Kur var nopirkt jūsu kafiju Liepājā?",
            "Vai jūs rīkojat kafijas degustācijas?",
        ),
        "complaint": (
            "Pasūtījums kavējas jau trešo dienu, neviens neatbild uz e-pastu.",
            "Vakar kafija bija pārāk rūgta, agrāk bija labāka.",
            "Iepakojums atnāca saplēsts, ko tagad darīt?",
            "Kafejnīcā nācās gaidīt 20 minūtes, tas nav normāli.",
        ),
        "praise": (
            "Labākā kafija Rīgā! Paldies!",
            "Jūsu jaunais grauzdējums ir vienkārši brīnišķīgs ☕",
            "Ļoti laipns personāls, noteikti atnākšu vēlreiz.",
            "Paldies par ātro piegādi!",
        ),
        "spam": ("Nopelni 5000 EUR nedēļā no mājām! Raksti man privāti 💰💰💰",),
        "toxic": ("Jūsu kafija ir pilnīgs mēsls, jūs esat krāpnieki!",),
    },
    "ru": {
        "question": (
            "А доставка в Юрмалу есть?",
            "Сколько стоит килограмм колумбийского зерна?",
            "Вы работаете в праздники?",
            "Можно ли заказать кофе в зёрнах для офиса?",
            "Есть ли у вас молоко без лактозы?",
        ),
        "complaint": (
            "Заказ до сих пор не пришёл, уже неделя прошла.",
            "Кофе был холодный, бариста даже не извинился.",
            "Списали деньги дважды, верните, пожалуйста.",
            "Почему цены снова выросли?",
        ),
        "praise": (
            "Очень вкусный кофе, спасибо!",
            "Лучшая кофейня в Риге, рекомендую всем.",
            "Отличный сервис и приятная атмосфера.",
        ),
        "spam": ("Лучшие подписчики дёшево! Пиши в директ, скидка 90%",),
        "toxic": ("Вы идиоты, ваш кофе — помои!",),
    },
    "en": {
        "question": (
            "Do you ship to Tallinn?",
            "What time do you open on Sunday?",
            "Is the Kenya roast good for espresso?",
            "Do you have gift cards?",
            "Can I visit the roastery for a tour?",
        ),
        "complaint": (
            "My order arrived two days late and the bag was open.",
            "Ordered a flat white, got a latte. Twice.",
            "Your website checkout keeps failing.",
        ),
        "praise": (
            "Great beans, thanks! ☕",
            "Best coffee I had in Riga, hands down.",
            "Love the new seasonal blend!",
        ),
        "spam": ("Crypto giveaway!!! Send 1 BTC get 2 back, link in bio",),
        "toxic": ("This is the worst coffee ever, you people are clueless.",),
    },
}

# How often each intent comes up: mostly real conversation, a little noise.
INTENT_WEIGHTS: dict[str, int] = {"question": 40, "complaint": 22, "praise": 28, "spam": 5, "toxic": 5}
