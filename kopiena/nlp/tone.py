"""Tone guard for drafted replies (seed M3: calm, official, no emotions, never argue).

``check_tone(text, *, language=None, acute=False) -> list[ToneIssue]``
    Each issue has the character span ``start``/``end`` in ``text`` (``end`` exclusive; the whole text for
    issues about what is missing), a ``reason`` code, an English ``message`` for the agent (the UI
    translates it by reason code) and a calmer ``suggestion`` in the reply's language. Reasons:
    ``sarcasm``, ``blame``, ``arguing``, ``all_caps``, ``exclamations``, ``insult``, ``emotional``, and
    for acute threads ``missing_apology`` (only when ``must_apologise``, the acute playbook's field) and
    ``missing_next_step``. ``formality`` (the policy's tone section): ``formal`` flags informal address
    ("hey", "tu", "ты") as ``informal_address``; ``informal`` flags stiff address ("Dear Sir or Madam",
    "Godātais", "Уважаемый") as ``formal_address``; ``neutral`` (the default) flags neither. ``language`` (en, lv, ru) picks the
    suggestion language and the patterns; ``None`` detects it, and patterns of all three languages are
    checked because replies often mix them. Issues come sorted by position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .language import detect_language


@dataclass(frozen=True)
class ToneIssue:
    start: int
    end: int
    reason: str
    message: str
    suggestion: str


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.UNICODE)


# reason -> language -> pattern
PATTERNS: dict[str, dict[str, re.Pattern[str]]] = {
    "sarcasm": {
        "en": _rx(
            r"\b(?:yeah,? right|oh,? (?:really|great|sure)|good luck with that|thanks for nothing|as if|obviously|clearly you)\b|🙄|🙃|😏"
        ),
        "lv": _rx(r"\b(?:nu protams|jā,? jā|nu gan|acīmredzot|paldies par neko|nu jau nu)\b|🙄|🙃|😏"),
        "ru": _rx(
            r"(?:\bну конечно\b|\bага,? щас\b|\bда-да\b|\bочевидно\b|\bспасибо за ничего\b|\bну-ну\b|🙄|🙃|😏)"
        ),
    },
    "blame": {
        "en": _rx(
            r"\byou (?:should have|shouldn'?t have|should've|failed to|didn'?t read|did not read|forgot to|caused)\b|\byour (?:fault|mistake|problem)\b|\bif you had\b"
        ),
        "lv": _rx(
            r"\b(?:jums vajadzēja|tev vajadzēja|jūs neizlasījāt|jūs aizmirsāt|jūsu vaina|pats vainīgs|pašu vaina|paši vainīgi)\b"
        ),
        "ru": _rx(
            r"\b(?:вам (?:надо|нужно|следовало) было|вы должны были|вы не прочитали|вы забыли|сами виноваты|ваша вина|ваша ошибка)\b"
        ),
    },
    "arguing": {
        "en": _rx(
            r"\b(?:as i (?:already|have already) (?:said|told you|explained)|you are wrong|you're wrong|that'?s not true|you don'?t understand|i already told you|how many times)\b"
        ),
        "lv": _rx(
            r"\b(?:kā jau teicu|kā jau es teicu|jums nav taisnība|jūs maldāties|tā nav taisnība|jūs nesaprotat|cik reizes)\b"
        ),
        "ru": _rx(
            r"\b(?:как я уже (?:говорил|говорила|сказал|сказала|писал|писала)|вы не правы|вы ошибаетесь|это неправда|вы не понимаете|сколько раз)\b"
        ),
    },
    "insult": {
        "en": _rx(r"\b(?:idiot\w*|stupid|dumb|moron\w*|ridiculous|pathetic|clueless|liar|shut up)\b"),
        "lv": _rx(r"\b(?:idiot\w*|muļķ\w*|stulb\w*|dumj\w*|debil\w*|melis|meli|aizveries|smieklīg\w*)\b"),
        "ru": _rx(
            r"(?:\bидиот\w*|\bтуп(?:ой|ая|ые|ое|ица)\b|\bдурак\w*|\bдура\b|\bглуп\w*|\bдебил\w*|\bврун\w*|\bлжец\w*|\bзаткнитесь\b|\bсмешно\b)"
        ),
    },
    "emotional": {
        "en": _rx(
            r"\b(?:ridiculous|outrageous|unbelievable|insane|crazy|absurd|annoying|sick of|fed up|furious|hate)\b"
        ),
        "lv": _rx(r"\b(?:neticami|traki|absurd\w*|apnicis|apnikusi|kaitinoš\w*|nikns|niknums|ienīstu)\b"),
        "ru": _rx(
            r"(?:\bневероятно\b|\bбезумие\b|\bабсурд\w*|\bнадоел\w*|\bбесит\b|\bдостал\w*|\bненавижу\b|\bвозмутительно\b)"
        ),
    },
}
APOLOGY = {
    "en": _rx(r"\b(?:sorry|apologi[sz]e|apologies|regret)\b"),
    "lv": _rx(r"\b(?:atvainoj\w*|atvainojamies|žēl|nožēlojam)\b"),
    "ru": _rx(r"(?:\bизвин\w*|\bпрости\w*|\bсожале\w*|\bприносим извинения\b)"),
}
NEXT_STEP = {
    "en": _rx(
        r"\b(?:we will|we'll|we are (?:checking|looking)|please (?:send|dm|contact|write)|our team will|within \d+|by (?:today|tomorrow|monday|tuesday|wednesday|thursday|friday))\b"
    ),
    "lv": _rx(
        r"\b(?:mēs (?:pārbaudīsim|sazināsimies|atrisināsim|atgriezīsimies|izskatīsim)|lūdzu (?:atsūtiet|rakstiet|sazinieties)|līdz rītdienai|šodien|stundu laikā|dienu laikā)\b"
    ),
    "ru": _rx(
        r"(?:\bмы (?:проверим|свяжемся|решим|разберёмся|разберемся|вернём|вернем)\b|\bпожалуйста,? (?:напишите|пришлите|свяжитесь)\b|\bв течение\b|\bсегодня\b|\bзавтра\b)"
    ),
}
# The policy's tone.formality: address that does not fit the register the brand chose.
FORMALITY: dict[str, dict[str, re.Pattern[str]]] = {
    "informal_address": {  # flagged when the policy says formal
        "en": _rx(r"\b(?:hey|hiya|yo|dude|buddy|mate|guys)\b"),
        "lv": _rx(r"\b(?:tu|tev|tevi|tavs|tava|tavu|tavā|tavas|tavi|čau|sveiks|sveika)\b"),
        "ru": _rx(r"(?<!\w)(?:ты|тебя|тебе|тобой|твой|твоя|твоё|твое|твои|привет)(?!\w)"),
    },
    "formal_address": {  # flagged when the policy says informal
        "en": _rx(r"\b(?:dear (?:sir|madam|customer)|sir or madam|to whom it may concern|kind regards)\b"),
        "lv": _rx(r"\b(?:godāt\w*|cienījam\w*|ar cieņu)\b"),
        "ru": _rx(r"(?<!\w)(?:уважаем\w*|с уважением)(?!\w)"),
    },
}
_FORMALITY_FLAGGED = {"formal": "informal_address", "informal": "formal_address"}
_CAPS_WORD = re.compile(r"\b[^\W\d_a-zа-яāčēģīķļņšūž]{3,}\b", re.UNICODE)
_EXCLAMATIONS = re.compile(r"[!¡]{2,}|[!?]{3,}")

MESSAGES = {
    "sarcasm": "Sarcasm reads as mockery; say plainly what you mean.",
    "blame": "Do not blame the customer; describe what will happen next instead.",
    "arguing": "Do not argue; acknowledge the point and restate the facts calmly.",
    "all_caps": "Capital letters read as shouting.",
    "exclamations": "Several exclamation marks read as emotional; use one or none.",
    "insult": "Insulting or dismissive words are never acceptable in an official reply.",
    "emotional": "Emotional wording; keep the reply calm and neutral.",
    "missing_apology": "This is an acute thread: apologise for the inconvenience.",
    "missing_next_step": "This is an acute thread: say what happens next and when.",
    "informal_address": "The policy asks for a formal tone: address the person formally.",
    "formal_address": "The policy asks for an informal tone: this address sounds stiff.",
}
SUGGESTIONS = {
    "en": {
        "sarcasm": "I understand this is frustrating.",
        "blame": "Let's sort this out together: here is what we will do next.",
        "arguing": "Thank you for pointing this out. To clarify:",
        "all_caps": "(write it in normal sentence case)",
        "exclamations": ".",
        "insult": "(remove this word)",
        "emotional": "(use a neutral word, e.g. 'unexpected')",
        "missing_apology": "We are sorry for the inconvenience.",
        "missing_next_step": "We are checking this now and will get back to you within 24 hours.",
        "informal_address": "Hello,",
        "formal_address": "Hi,",
    },
    "lv": {
        "sarcasm": "Saprotam, ka tas ir nepatīkami.",
        "blame": "Atrisināsim to kopā: lūk, ko mēs darīsim tālāk.",
        "arguing": "Paldies, ka norādījāt uz to. Precizēsim:",
        "all_caps": "(rakstiet parastiem burtiem)",
        "exclamations": ".",
        "insult": "(izņemiet šo vārdu)",
        "emotional": "(izmantojiet neitrālu vārdu, piem., 'negaidīti')",
        "missing_apology": "Atvainojamies par sagādātajām neērtībām.",
        "missing_next_step": "Mēs to pārbaudīsim un sazināsimies ar jums 24 stundu laikā.",
        "informal_address": "(uzrunājiet ar “Jūs”)",
        "formal_address": "Sveiki,",
    },
    "ru": {
        "sarcasm": "Понимаем, что это неприятно.",
        "blame": "Давайте решим это вместе: вот что мы сделаем дальше.",
        "arguing": "Спасибо, что обратили на это внимание. Уточним:",
        "all_caps": "(пишите обычными буквами)",
        "exclamations": ".",
        "insult": "(уберите это слово)",
        "emotional": "(используйте нейтральное слово, например «неожиданно»)",
        "missing_apology": "Приносим извинения за неудобства.",
        "missing_next_step": "Мы проверим это и свяжемся с вами в течение 24 часов.",
        "informal_address": "(обращайтесь на «вы»)",
        "formal_address": "Здравствуйте,",
    },
}
LANGUAGES = ("en", "lv", "ru")


def check_tone(
    text: str,
    *,
    language: str | None = None,
    acute: bool = False,
    must_apologise: bool = True,
    formality: str = "neutral",
) -> list[ToneIssue]:
    if language not in LANGUAGES:
        detected = detect_language(text) if language is None else "unknown"
        language = detected if detected in LANGUAGES else "en"
        pattern_languages = LANGUAGES
    else:
        pattern_languages = (language,)
    suggestions = SUGGESTIONS[language]

    def issue(start: int, end: int, reason: str) -> ToneIssue:
        return ToneIssue(
            start=start, end=end, reason=reason, message=MESSAGES[reason], suggestion=suggestions[reason]
        )

    issues: list[ToneIssue] = []
    seen: set[tuple[int, int]] = set()
    for reason, by_language in PATTERNS.items():
        for code in pattern_languages:
            for match in by_language[code].finditer(text):
                # "ridiculous" is both an insult and emotional: report the stronger reason once.
                if (match.start(), match.end()) not in seen:
                    seen.add((match.start(), match.end()))
                    issues.append(issue(match.start(), match.end(), reason))
    for match in _CAPS_WORD.finditer(text):
        issues.append(issue(match.start(), match.end(), "all_caps"))
    for match in _EXCLAMATIONS.finditer(text):
        issues.append(issue(match.start(), match.end(), "exclamations"))
    flagged = _FORMALITY_FLAGGED.get(formality)
    if flagged:
        for code in pattern_languages:
            for match in FORMALITY[flagged][code].finditer(text):
                if (match.start(), match.end()) not in seen:
                    seen.add((match.start(), match.end()))
                    issues.append(issue(match.start(), match.end(), flagged))
    if acute:
        # An apology or a next step in any of the three languages counts (answers mix languages).
        if must_apologise and not any(APOLOGY[code].search(text) for code in LANGUAGES):
            issues.append(issue(0, len(text), "missing_apology"))
        if not any(NEXT_STEP[code].search(text) for code in LANGUAGES):
            issues.append(issue(0, len(text), "missing_next_step"))
    return sorted(issues, key=lambda i: (i.start, i.end, i.reason))
