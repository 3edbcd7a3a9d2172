"""The default ``contests`` section of the policy: the compliance checklist (M5) and the templates of the
regulations, the winners' post and the reply to a winner, in en/lv/ru. The team edits them in the policy
document; placeholders in ``{braces}`` are listed in docs/contests.md."""

from __future__ import annotations

CHECKLIST = [
    {
        "key": "organiser",
        "label": {
            "en": "Organiser and contact",
            "lv": "Organizētājs un kontakti",
            "ru": "Организатор и контакты",
        },
        "requires": ["organiser", "organiser_contact"],
    },
    {
        "key": "dates",
        "label": {"en": "Dates and time zone", "lv": "Datumi un laika josla", "ru": "Даты и часовой пояс"},
        "requires": ["dates", "posts"],
    },
    {
        "key": "who_may_enter",
        "label": {"en": "Who may enter", "lv": "Kas drīkst piedalīties", "ru": "Кто может участвовать"},
        "requires": ["who_may_enter"],
    },
    {
        "key": "winners",
        "label": {
            "en": "How winners are chosen and told",
            "lv": "Kā izvēl un informē uzvarētājus",
            "ru": "Как выбирают и оповещают победителей",
        },
        "requires": ["winners", "winners_notice"],
    },
    {
        "key": "prizes",
        "label": {
            "en": "Prizes and their delivery",
            "lv": "Balvas un to piegāde",
            "ru": "Призы и их доставка",
        },
        "requires": ["prizes", "prize_delivery"],
    },
    {
        "key": "personal_data",
        "label": {
            "en": "Personal data processing, with the privacy policy's address",
            "lv": "Personas datu apstrāde ar saiti uz privātuma politiku",
            "ru": "Обработка персональных данных со ссылкой на политику конфиденциальности",
        },
        "requires": ["privacy_url"],
    },
    {
        "key": "platform_rules",
        "label": {
            "en": "Each platform's promotion rules checked (the platform does not sponsor or run it; no tagging people in photos to enter)",
            "lv": "Pārbaudīti katras platformas akciju noteikumi (platforma to nesponsorē un nerīko; nav jāatzīmē cilvēki foto, lai piedalītos)",
            "ru": "Проверены правила акций каждой платформы (платформа не спонсирует и не проводит конкурс; не нужно отмечать людей на фото для участия)",
        },
        "requires": [],
    },
    {
        "key": "complaints",
        "label": {"en": "How to complain", "lv": "Kā iesniegt sūdzību", "ru": "Как подать жалобу"},
        "requires": ["complaints"],
    },
]

REGULATIONS = {
    "en": """Regulations of the contest “{title}”

1. Organiser: {organiser}. Contact: {organiser_contact}.
2. The contest runs from {starts} to {ends} ({timezone}) under these posts: {posts}.
3. Who may enter: {who_may_enter} {eligibility}
4. How to enter: {how_to_enter}
5. Prizes: {prizes}. Number of winners: {winners_count}.
6. How winners are chosen: by a verifiable random draw. The draw's secret seed has the SHA-256 hash {seed_sha256}; at the draw the seed is revealed, and anyone can recompute the winners from it and the frozen list of entries at {verify_url}.
7. How winners are told: {winners_notice}
8. Prize delivery: {prize_delivery}
9. Personal data: entrants' data is processed only to run this contest, as described in the privacy policy {privacy_url}. Winners' data is kept for {retention_days} days after the draw and then erased.
10. {platforms} do not sponsor, endorse or run this contest and are not associated with it. You do not need to tag people in photos to enter.
11. Complaints: {complaints}
""",
    "lv": """Konkursa “{title}” noteikumi

1. Organizētājs: {organiser}. Kontakti: {organiser_contact}.
2. Konkurss notiek no {starts} līdz {ends} ({timezone}) pie šīm publikācijām: {posts}.
3. Kas drīkst piedalīties: {who_may_enter} {eligibility}
4. Kā piedalīties: {how_to_enter}
5. Balvas: {prizes}. Uzvarētāju skaits: {winners_count}.
6. Kā izvēl uzvarētājus: ar pārbaudāmu nejaušu izlozi. Izlozes slepenās sēklas SHA-256 jaucējvērtība ir {seed_sha256}; izlozē sēklu atklāj, un ikviens var pārrēķināt uzvarētājus no tās un iesaldētā dalībnieku saraksta: {verify_url}.
7. Kā informē uzvarētājus: {winners_notice}
8. Balvu piegāde: {prize_delivery}
9. Personas dati: dalībnieku datus apstrādā tikai šī konkursa norisei, kā aprakstīts privātuma politikā {privacy_url}. Uzvarētāju datus glabā {retention_days} dienas pēc izlozes, pēc tam tos dzēš.
10. {platforms} nesponsorē, neatbalsta un nerīko šo konkursu un nav ar to saistīta. Lai piedalītos, nav jāatzīmē cilvēki fotoattēlos.
11. Sūdzības: {complaints}
""",
    "ru": """Правила конкурса «{title}»

1. Организатор: {organiser}. Контакты: {organiser_contact}.
2. Конкурс проходит с {starts} по {ends} ({timezone}) под этими публикациями: {posts}.
3. Кто может участвовать: {who_may_enter} {eligibility}
4. Как участвовать: {how_to_enter}
5. Призы: {prizes}. Число победителей: {winners_count}.
6. Как выбирают победителей: проверяемым случайным розыгрышем. SHA-256 секретного зерна розыгрыша: {seed_sha256}; при розыгрыше зерно раскрывается, и любой может пересчитать победителей по нему и замороженному списку участников: {verify_url}.
7. Как оповещают победителей: {winners_notice}
8. Доставка призов: {prize_delivery}
9. Персональные данные: данные участников обрабатываются только для проведения конкурса, как описано в политике конфиденциальности {privacy_url}. Данные победителей хранятся {retention_days} дней после розыгрыша, затем удаляются.
10. {platforms} не спонсирует, не поддерживает и не проводит этот конкурс и не связана с ним. Для участия не нужно отмечать людей на фотографиях.
11. Жалобы: {complaints}
""",
}

WINNERS_POST = {
    "en": "The winners of “{title}” are {winners}. Congratulations! Check how the draw was made: {verify_url}",
    "lv": "Konkursa “{title}” uzvarētāji: {winners}. Apsveicam! Izlozes pārbaude: {verify_url}",
    "ru": "Победители конкурса «{title}»: {winners}. Поздравляем! Проверка розыгрыша: {verify_url}",
}

WINNER_REPLY = {
    "en": "Congratulations, {name}! You won in “{title}”. {winners_notice}",
    "lv": "Apsveicam, {name}! Jūs uzvarējāt konkursā “{title}”. {winners_notice}",
    "ru": "Поздравляем, {name}! Вы победили в конкурсе «{title}». {winners_notice}",
}

DEFAULT_SECTION = {
    "checklist": CHECKLIST,
    "regulations_template": REGULATIONS,
    "winners_post_template": WINNERS_POST,
    "winner_reply_template": WINNER_REPLY,
}
