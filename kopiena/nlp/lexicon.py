"""Hand-written multilingual patterns (en, lv, ru) shared by intents, acute detection and the tone guard.

Patterns are compiled without IGNORECASE (three times faster on this hot path) and must be matched
against ``text.lower()``. Latvian and Russian are inflected, so patterns match word stems (``\\bstem\\w*``) where the stem cannot
begin an unrelated common word, and spell out word forms where it could (Russian ``иск`` vs ``искать``).
"""

from __future__ import annotations

import re


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# --- intents -------------------------------------------------------------------------------------------
QUESTION = _any(
    r"\?",
    r"^\s*(?:who|what|when|where|why|how|which|is|are|can|could|do|does|did|will|would|should)\b",
    r"^\s*(?:kāpēc|kapec|kad|kur|kas|kā|cik|vai|kurš|kura|kuru|kādēļ)\b",
    r"^\s*(?:почему|когда|где|что|как|сколько|кто|зачем|какой|какая|какие|куда|откуда|можно ли)\b",
    r"\b(?:ли)\b",
)
REQUEST = _any(
    r"\b(?:please|pls|plz|kindly)\b",
    r"\b(?:can|could|would) you\b",
    r"\b(?:help me|dm me|send me|let me know|i need|i want my)\b",
    r"\b(?:lūdzu|ludzu|lūgums|lūdzam|palīdziet|palīdzi|atsūtiet|atsūti|sazinieties|vai varat|vai varētu)\b",
    r"\b(?:пожалуйста|прошу|просим|помогите|подскажите|верните|свяжитесь|напишите|можете ли|не могли бы)\b",
)
SUGGESTION = _any(
    r"\b(?:you|u|they|we) (?:should|could|ought to)\b",
    r"\bit would be (?:nice|great|good|better|cool|helpful)\b",
    r"\b(?:i suggest|i recommend|suggestion|how about|why not|why don'?t you|consider adding|please add|would love (?:to see|if))\b",
    r"\b(?:vajadzētu|vajadzetu|būtu labi|butu labi|būtu lieliski|iesaku|ieteikums|ierosinu|varētu pievienot|kāpēc ne)\b",
    r"\b(?:предлагаю|предложение|было бы (?:хорошо|здорово|неплохо|классно|удобно)|лучше бы|стоит добавить|добавьте|советую|почему бы не)\b",
)
COMPLAINT = _any(
    r"\b(?:not working|doesn'?t work|does not work|broken|still waiting|never (?:arrived|received|came)|worst|terrible|awful|disappointed|unacceptable|no response|cancel(?:led)? my|charged twice|late again|rude)\b",
    r"\b(?:nestrādā|nestrada|salūzis|salūza|joprojām gaidu|vēl gaidu|nav saņemts|nesaņēmu|briesmīg\w*|šausmīg\w*|vīlies|vīlusies|nepieņemam\w*|neviens neatbild|rupj\w*|kavējas|kavējās)\b",
    r"\b(?:не работает|сломал\w*|до сих пор жду|так и не (?:пришл\w*|получил\w*)|не получил\w*|ужасн\w*|отвратительн\w*|разочарован\w*|безобрази\w*|никто не отвечает|хамств\w*|хамят|опять задерж\w*|кошмар)\b",
)
PRAISE = _any(
    r"\b(?:thank(?:s| you)|love (?:it|this|you)|great|awesome|amazing|excellent|perfect|the best|well done|fantastic|brilliant)\b",
    r"\b(?:paldies|lieliski|lielisk\w*|super|superīg\w*|brīnišķīg\w*|forši|foršs|vislabāk\w*|malači|malacis|apbrīnojam\w*)\b",
    r"\b(?:спасибо|благодар\w*|отлично|отличн\w*|супер|класс|классн\w*|прекрасн\w*|молодцы|лучш\w*|восхитительн\w*)\b",
    r"(?:❤|😍|🥰|👏|🙏|💯|👍)",
)

# --- acute situations ------------------------------------------------------------------------------------
ACUTE = {
    "threat": _any(
        r"\b(?:i(?:'ll| will) (?:kill|hurt|find|destroy|burn)|kill you|you(?:'ll| will) regret|watch your back|blow up|shoot)\b",
        r"\b(?:nogalināšu|nositīšu|sadedzināšu|uzspridzināšu|jūs to nožēlosiet|tu to nožēlosi|pažēlosiet|es jūs atradīšu)\b",
        r"\b(?:убью|убить вас|прибью|сожгу|взорву|пожалеете|пожалеешь|найду вас|найду тебя|урою)\b",
    ),
    "legal": _any(
        r"\b(?:lawyer|attorney|sue|suing|lawsuit|court|legal action|consumer protection|ombudsman|regulator|police|trading standards)\b",
        r"\b(?:advokāt\w*|jurist\w*|tiesā|tiesu|tiesa|tiesāšos|tiesvedīb\w*|prasīb\w*|ptac|patērētāju tiesību|policij\w*|iesniegšu sūdzību)\b",
        r"\b(?:суд|суда|судом|в суд|адвокат\w*|юрист\w*|иск|иска|иском|прокуратур\w*|полици\w*|роспотребнадзор\w*|защиты прав потребителей)\b",
    ),
    "safety": _any(
        r"\b(?:injur\w*|hospital\w*|poison\w*|allergic reaction|caught fire|on fire|explod\w*|electric shock|unsafe|dangerous|hazard\w*|chok(?:ed|ing)|burned me|sick after)\b",
        r"\b(?:saindē\w*|slimnīc\w*|ievainoj\w*|traum\w*|alerģisk\w*|ugunsgrēk\w*|aizdeg\w*|bīstam\w*|sprādz\w*|apdedz\w*|strāvas trieci\w*)\b",
        r"\b(?:отрави\w*|отравлен\w*|больниц\w*|травм\w*|аллергическ\w*|пожар\w*|загорел\w*|взорвал\w*|опасн\w*|ожог\w*|током ударил\w*|ударило током)\b",
    ),
    "press": _any(
        r"\b(?:journalist\w*|the press|media|newspaper|reporter\w*|go viral|on tv|news outlet)\b",
        r"\b(?:žurnālist\w*|presei|presē|medijiem|mediji|avīz\w*|televīzij\w*|ziņu portāl\w*|delfi|tvnet|lsm)\b",
        r"\b(?:журналист\w*|сми|прессу|прессе|газет\w*|телевидени\w*|огласк\w*|на тв)\b",
    ),
    "refund": _any(
        r"\b(?:refund\w*|money back|chargeback|reimburse\w*|compensation)\b",
        r"\b(?:naudu atpakaļ|atmaks\w*|kompensācij\w*|atgrieziet naudu|atdodiet naudu)\b",
        r"\b(?:верните деньги|вернуть деньги|возврат\w*|компенсаци\w*|деньги назад)\b",
    ),
    "fraud": _any(
        r"\b(?:scam\w*|fraud\w*|stole|stolen|steal\w*|cheat\w*|rip[- ]?off|con artists?)\b",
        r"\b(?:krāpniek\w*|krāpšan\w*|krāpj\w*|apkrāp\w*|zagļi|zādzīb\w*|apzag\w*|afēr\w*)\b",
        r"\b(?:мошенни\w*|обман\w*|развод\w*|кидал\w*|кинули|афер\w*|украли|воры|ворует|ворюг\w*)\b",
    ),
}
