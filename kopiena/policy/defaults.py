"""The policy a workspace starts with, taken from SEED.md (M1–M9, C1) in English, Latvian and Russian.

Every value here is a starting point a team is expected to tune; the comments name the seed item.
"""

from __future__ import annotations

from functools import cache

from kopiena.contests.defaults import DEFAULT_SECTION as CONTESTS_DEFAULTS
from kopiena.policy.schema import PolicyDocument


def _theme(key: str, en: str, lv: str, ru: str, tags_en: list[str], tag_lv: str, tag_ru: str) -> dict:
    return {
        "key": key,
        "names": {"en": en, "lv": lv, "ru": ru},
        "hashtags": {"en": tags_en, "lv": [tag_lv], "ru": [tag_ru]},
    }


# C1: weekday themes, as the article lists them.
WEEKDAY_THEMES = {
    "monday": [
        _theme(
            "motivation_monday",
            "Motivation Monday",
            "Motivācijas pirmdiena",
            "Мотивирующий понедельник",
            ["#MotivationMonday"],
            "#MotivācijasPirmdiena",
            "#МотивирующийПонедельник",
        ),
        _theme(
            "music_monday",
            "Music Monday",
            "Mūzikas pirmdiena",
            "Музыкальный понедельник",
            ["#MusicMonday"],
            "#MūzikasPirmdiena",
            "#МузыкальныйПонедельник",
        ),
    ],
    "tuesday": [
        _theme(
            "tuesday_tip",
            "Tuesday tip",
            "Otrdienas padoms",
            "Совет вторника",
            ["#TuesdayTip"],
            "#OtrdienasPadoms",
            "#СоветВторника",
        ),
        _theme(
            "trivia_tuesday",
            "Trivia Tuesday",
            "Erudīcijas otrdiena",
            "Викторина вторника",
            ["#TriviaTuesday"],
            "#ErudīcijasOtrdiena",
            "#ВикторинаВторника",
        ),
    ],
    "wednesday": [
        _theme(
            "wise_wednesday",
            "Wise Wednesday",
            "Gudrā trešdiena",
            "Мудрая среда",
            ["#WiseWednesday"],
            "#GudrāTrešdiena",
            "#МудраяСреда",
        ),
        _theme(
            "wednesday_wisdom",
            "Wednesday wisdom",
            "Trešdienas gudrība",
            "Мудрость среды",
            ["#WednesdayWisdom"],
            "#TrešdienasGudrība",
            "#МудростьСреды",
        ),
    ],
    "thursday": [
        _theme(
            "throwback_thursday",
            "Throwback Thursday",
            "Atmiņu ceturtdiena",
            "Ностальгический четверг",
            ["#ThrowbackThursday", "#TBT"],
            "#AtmiņuCeturtdiena",
            "#НостальгическийЧетверг",
        ),
        _theme(
            "thursday_thoughts",
            "Thursday thoughts",
            "Ceturtdienas pārdomas",
            "Мысли четверга",
            ["#ThursdayThoughts"],
            "#CeturtdienasPārdomas",
            "#МыслиЧетверга",
        ),
        _theme(
            "thankful_thursday",
            "Thankful Thursday",
            "Pateicības ceturtdiena",
            "Четверг благодарности",
            ["#ThankfulThursday"],
            "#PateicībasCeturtdiena",
            "#ЧетвергБлагодарности",
        ),
    ],
    "friday": [
        _theme(
            "follow_friday",
            "Follow Friday",
            "Seko piektdienā",
            "Пятница рекомендаций",
            ["#FollowFriday", "#FF"],
            "#SekoPiektdienā",
            "#ПятницаРекомендаций",
        ),
        _theme(
            "tgif",
            "TGIF",
            "Beidzot piektdiena",
            "Наконец-то пятница",
            ["#TGIF"],
            "#BeidzotPiektdiena",
            "#НаконецТоПятница",
        ),
        _theme(
            "friday_fun",
            "Friday fun",
            "Piektdienas jautrība",
            "Пятничное веселье",
            ["#FridayFun"],
            "#PiektdienasJautrība",
            "#ПятничноеВеселье",
        ),
    ],
    "saturday": [
        _theme(
            "selfie_saturday",
            "Selfie Saturday",
            "Sestdienas pašbilde",
            "Субботнее селфи",
            ["#SelfieSaturday"],
            "#SestdienasPašbilde",
            "#СубботнееСелфи",
        ),
        _theme(
            "saturday_swag",
            "Saturday swag",
            "Sestdienas stils",
            "Субботний стиль",
            ["#SaturdaySwag"],
            "#SestdienasStils",
            "#СубботнийСтиль",
        ),
        _theme(
            "social_saturday",
            "Social Saturday",
            "Sabiedriskā sestdiena",
            "Общительная суббота",
            ["#SocialSaturday"],
            "#SabiedriskāSestdiena",
            "#ОбщительнаяСуббота",
        ),
    ],
    "sunday": [
        _theme(
            "sunday_funday",
            "Sunday Funday",
            "Jautrā svētdiena",
            "Весёлое воскресенье",
            ["#SundayFunday"],
            "#JautrāSvētdiena",
            "#ВесёлоеВоскресенье",
        ),
        _theme(
            "sunday_selfie",
            "Sunday selfie",
            "Svētdienas pašbilde",
            "Воскресное селфи",
            ["#SundaySelfie"],
            "#SvētdienasPašbilde",
            "#ВоскресноеСелфи",
        ),
    ],
}

# M6: the schedule is split by content type; keys match publishing.models.ContentType.
CONTENT_TYPES = {
    "photo": {"en": "Photo", "lv": "Foto", "ru": "Фото"},
    "video": {"en": "Video", "lv": "Video", "ru": "Видео"},
    "text": {"en": "Text", "lv": "Teksts", "ru": "Текст"},
    "audio": {"en": "Audio", "lv": "Audio", "ru": "Аудио"},
    "comic": {"en": "Comic / illustration", "lv": "Komikss / ilustrācija", "ru": "Комикс / иллюстрация"},
    "poll": {"en": "Poll", "lv": "Aptauja", "ru": "Опрос"},
    "link": {"en": "Link share", "lv": "Saite", "ru": "Ссылка"},
    "story": {"en": "Story / reel", "lv": "Stāsts / rullītis", "ru": "История / рилс"},
    "carousel": {"en": "Carousel", "lv": "Karuselis", "ru": "Карусель"},
}

DEFAULT_DATA = {
    "schema_version": 1,
    "publishing": {
        # M1: a schedule that does not annoy the audience.
        "cadence": {
            "default": {
                "max_per_day": 2,
                "max_per_week": 10,
                "min_gap_minutes": 180,
                "quiet_hours": [{"start": "22:00", "end": "08:00", "days": []}],
                "manager_may_override": True,
            },
            "accounts": {},
        },
        # M6: not only photos or only comics.
        "content_mix": {
            "types": CONTENT_TYPES,
            "default": {
                "targets": {
                    "photo": 25,
                    "video": 20,
                    "text": 10,
                    "audio": 5,
                    "comic": 10,
                    "poll": 5,
                    "link": 10,
                    "story": 10,
                    "carousel": 5,
                },
                "tolerance_percent": 10,
            },
            "accounts": {},
        },
        # M9 / C4: links to our own site only when the context calls for it.
        "links": {
            "own_domains": [],
            "max_own_link_share_percent": 30,
            "require_context": True,
            "allowed_contexts": [],
            "utm": {
                "enabled": True,
                "only_own_domains": True,
                "params": {"utm_source": "{platform}", "utm_medium": "social", "utm_campaign": "{campaign}"},
            },
        },
        "themes": {"enabled": True, "weekdays": WEEKDAY_THEMES},
        # R8: freelancers draft, managers approve.
        "approval": {
            "roles_needing_approval": ["contributor"],
            "approver_roles": ["owner", "manager"],
            "link_posts": False,
            "accounts": [],
        },
    },
    "engagement": {
        "business_hours": {
            "timezone": None,
            "country": None,
            "weekly": {
                day: [{"start": "09:00", "end": "18:00"}]
                for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
            },
            "closed_dates": [],
            "open_dates": [],
        },
        # M8: average response time no more than 6 hours within working hours.
        "response_targets": {
            "first_response_seconds": 6 * 3600,
            "by_priority": {"urgent": 3600, "high": 3 * 3600},
            "by_kind": {},
            "business_time": True,
        },
        # M2/M4: who must answer which questions.
        "routing": {
            "rules": [
                {
                    "name": "acute situations go to a manager",
                    "when": {"acute": True},
                    "assign_to": {"role": "manager"},
                    "priority": "urgent",
                },
                {
                    "name": "complaints and negative comments go to a manager",
                    "when": {"intents": ["complaint"]},
                    "assign_to": {"role": "manager"},
                    "priority": "high",
                },
                {
                    "name": "negative comments go to a manager",
                    "when": {"sentiments": ["negative"]},
                    "assign_to": {"role": "manager"},
                    "priority": "high",
                },
                {
                    "name": "questions go to a moderator",
                    "when": {"intents": ["question"]},
                    "assign_to": {"role": "moderator"},
                    "priority": "normal",
                },
            ],
            "fallback": {"name": "everything else", "assign_to": {"role": "moderator"}, "priority": "normal"},
        },
        # M3: stay calm and official; it may be a provocation or a really unhappy customer.
        "acute_playbook": {
            "responder_roles": ["manager"],
            "responder_people": [],
            "tone": {
                "en": "Calm and official. No emotions, no arguing.",
                "lv": "Mierīgi un lietišķi. Bez emocijām, bez strīdēšanās.",
                "ru": "Спокойно и официально. Без эмоций, без споров.",
            },
            "must_apologise": True,
            "reply_needs_approval": True,
            "escalate_after_seconds": 3600,
            "escalate_to_roles": ["owner"],
            "guidance": {
                "en": "It may be a competitor's provocation or a really unhappy customer: thank them, "
                "apologise for the trouble and move to solving the problem.",
                "lv": "Tā var būt konkurenta provokācija vai patiešām neapmierināts klients: pateicieties, "
                "atvainojieties par sagādātajām neērtībām un ķerieties pie problēmas risināšanas.",
                "ru": "Это может быть провокация конкурента или действительно недовольный клиент: "
                "поблагодарите, извинитесь за неудобства и переходите к решению проблемы.",
            },
        },
        # M4: never delete negative comments. Never!
        "moderation": {
            "never_delete_negative": True,
            "hide_only": ["spam", "toxic"],
            "hide_roles": ["owner", "manager", "moderator"],
            "delete_spam": False,
        },
        "tone": {
            "formality": "neutral",
            "banned_phrases": {
                "en": ["calm down", "you are wrong", "not our problem"],
                "lv": ["nomierinieties", "jums nav taisnība", "tā nav mūsu problēma"],
                "ru": ["успокойтесь", "вы не правы", "это не наша проблема"],
            },
        },
        # M9: they asked for the catalogue; an answer backed by an FAQ page.
        "links_in_replies": {
            "only_in_context": True,
            "allowed_contexts": ["asked_for_catalogue", "asked_for_link", "faq_answer", "support_article"],
        },
    },
    # M8: answer everyone, including people who don't follow the brand; R12: monitor and notice storms.
    "listening": {
        "inbox": {
            "enabled": True,
            "intents": ["question", "complaint"],
            "acute": True,
            "only_non_followers": True,
            "languages": [],
        },
        "alerts": {
            "enabled": True,
            "notify_roles": ["owner", "manager"],
            "notify_people": [],
            "baseline_weeks": 4,
            "threshold": 3.0,
            "min_mentions": 10,
            "negative_share_min_points": 20,
        },
    },
    # M5/R3: what contest regulations must cover before approval, and their templates.
    "contests": CONTESTS_DEFAULTS,
}


@cache
def default_policy() -> PolicyDocument:
    """The SEED.md defaults as a validated document (frozen, so sharing one instance is safe)."""
    return PolicyDocument.model_validate(DEFAULT_DATA)
