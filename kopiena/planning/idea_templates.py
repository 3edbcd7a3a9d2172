"""Templates and examples for each kind of idea (C1–C10), in English, Latvian and Russian.

A template is filled with ``{title}``, ``{name}`` (a day's or event's name), ``{text}``, ``{code}`` (a promo
code) and ``{count}``; the planner writes proposals with them in the workspace's first language. The
examples are what the idea bank shows a person who has not written such a post before.
"""

from __future__ import annotations

from kopiena.planning.models import IdeaKind

TEMPLATES: dict[str, dict[str, dict[str, str]]] = {
    IdeaKind.QUESTION: {
        "en": {"template": "{title}", "example": "Where would you like to spend this summer's holidays?"},
        "lv": {"template": "{title}", "example": "Kur jūs vēlētos pavadīt šīs vasaras atvaļinājumu?"},
        "ru": {"template": "{title}", "example": "Где бы вы хотели провести отпуск этим летом?"},
    },
    IdeaKind.LINK: {
        "en": {
            "template": "Worth reading: {title} {link}",
            "example": "Worth reading: how to store coffee beans",
        },
        "lv": {
            "template": "Vērts izlasīt: {title} {link}",
            "example": "Vērts izlasīt: kā uzglabāt kafijas pupiņas",
        },
        "ru": {
            "template": "Стоит прочитать: {title} {link}",
            "example": "Стоит прочитать: как хранить кофейные зёрна",
        },
    },
    IdeaKind.EVENT: {
        "en": {
            "template": "See you at {name}! {text}",
            "example": "See you at the Old Town charity run on Saturday!",
        },
        "lv": {
            "template": "Tiekamies pasākumā {name}! {text}",
            "example": "Tiekamies Vecrīgas labdarības skrējienā sestdien!",
        },
        "ru": {
            "template": "Встретимся на событии «{name}»! {text}",
            "example": "Встретимся на благотворительном забеге в Старой Риге в субботу!",
        },
    },
    IdeaKind.TESTIMONIAL: {
        "en": {
            "template": "“{text}” — {name}",
            "example": "“The best flat white in Riga!” — Laura (shared with her permission)",
        },
        "lv": {
            "template": "“{text}” — {name}",
            "example": "“Labākais flat white Rīgā!” — Laura (publicēts ar viņas atļauju)",
        },
        "ru": {
            "template": "«{text}» — {name}",
            "example": "«Лучший флэт уайт в Риге!» — Лаура (с её разрешения)",
        },
    },
    IdeaKind.FAQ: {
        "en": {
            "template": "You often ask: {title} Here is the answer.",
            "example": "You often ask: do you ship abroad? Here is the answer.",
        },
        "lv": {
            "template": "Jūs bieži jautājat: {title} Lūk, atbilde.",
            "example": "Jūs bieži jautājat: vai sūtāt uz ārzemēm? Lūk, atbilde.",
        },
        "ru": {
            "template": "Вы часто спрашиваете: {title} Вот ответ.",
            "example": "Вы часто спрашиваете: доставляете ли вы за границу? Вот ответ.",
        },
    },
    IdeaKind.NEWS: {
        "en": {
            "template": "News: {title}",
            "example": "News: our second café opens in Āgenskalns on 1 March.",
        },
        "lv": {
            "template": "Jaunumi: {title}",
            "example": "Jaunumi: 1. martā Āgenskalnā atveram otro kafejnīcu.",
        },
        "ru": {
            "template": "Новости: {title}",
            "example": "Новости: 1 марта в Агенскалнсе открывается наше второе кафе.",
        },
    },
    IdeaKind.NEWSLETTER: {
        "en": {
            "template": "This month's newsletter: {title}",
            "example": "This month's newsletter: three new single origins and a brewing guide.",
        },
        "lv": {
            "template": "Šī mēneša jaunumu vēstule: {title}",
            "example": "Šī mēneša vēstulē: trīs jaunas vienas izcelsmes kafijas un pagatavošanas ceļvedis.",
        },
        "ru": {
            "template": "Рассылка этого месяца: {title}",
            "example": "В рассылке этого месяца: три новых моносорта и гид по заварке.",
        },
    },
    IdeaKind.DISCOUNT: {
        "en": {
            "template": "Only for our followers: {title} Code {code}.",
            "example": "Only for our followers: 15 % off beans this week. Code SOCIAL15.",
        },
        "lv": {
            "template": "Tikai mūsu sekotājiem: {title} Kods {code}.",
            "example": "Tikai mūsu sekotājiem: −15 % pupiņām šonedēļ. Kods SOCIAL15.",
        },
        "ru": {
            "template": "Только для подписчиков: {title} Код {code}.",
            "example": "Только для подписчиков: −15 % на зёрна на этой неделе. Код SOCIAL15.",
        },
    },
    IdeaKind.HOLIDAY: {
        "en": {
            "template": "Today is {name}! How are you marking it?",
            "example": "Today is World Octopus Day! How are you marking it?",
        },
        "lv": {
            "template": "Šodien ir {name}! Kā jūs to atzīmējat?",
            "example": "Šodien ir Pasaules astoņkāju diena! Kā jūs to atzīmējat?",
        },
        "ru": {
            "template": "Сегодня {name}! Как вы отмечаете?",
            "example": "Сегодня Всемирный день осьминога! Как вы отмечаете?",
        },
    },
    IdeaKind.THEME: {
        "en": {"template": "{name}: {text}", "example": "Throwback Thursday: our very first roast in 2016."},
        "lv": {
            "template": "{name}: {text}",
            "example": "Atmiņu ceturtdiena: mūsu pirmā grauzdēšana 2016. gadā.",
        },
        "ru": {
            "template": "{name}: {text}",
            "example": "Четверг воспоминаний: наша первая обжарка в 2016 году.",
        },
    },
    IdeaKind.TOPIC: {
        "en": {
            "template": "Many of you wrote about {title}. Let's talk about it!",
            "example": "Many of you wrote about oat milk. Let's talk about it!",
        },
        "lv": {
            "template": "Daudzi no jums rakstīja par tēmu “{title}”. Parunāsim!",
            "example": "Daudzi no jums rakstīja par auzu pienu. Parunāsim!",
        },
        "ru": {
            "template": "Многие из вас писали о теме «{title}». Давайте обсудим!",
            "example": "Многие из вас писали об овсяном молоке. Давайте обсудим!",
        },
    },
}

# What a theme-only post says when no idea fills the slot (the manager adds the substance).
THEME_FILLER = {
    "en": "a story from behind the counter.",
    "lv": "stāsts no letes otras puses.",
    "ru": "история из-за стойки.",
}
# Meaning of name days, in the language of the post.
NAMEDAY_TEXT = {
    "en": "Happy name day to {name}!",
    "lv": "Sveicam vārda dienā {name}!",
    "ru": "Поздравляем с именинами: {name}!",
}


def template_for(kind: str, language: str) -> dict[str, str]:
    by_language = TEMPLATES[kind]
    return by_language.get(language) or by_language["en"]


def fill(kind: str, language: str, **values: str) -> str:
    values = {"title": "", "name": "", "text": "", "code": "", "link": "", "count": "", **values}
    return " ".join(template_for(kind, language)["template"].format(**values).split())
