"""Demo data for the inbox: the saved replies a small roastery's team gives every day (lv, ru, en)."""

from __future__ import annotations

from kopiena.inbox.models import SavedReply
from kopiena.inbox.saved_replies import saved_reply_create
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace

SAVED_REPLIES = [
    ("Piegāde", "lv", "Paldies, {name}! Piegādājam visā Latvijā 2–3 darba dienās, Rīgā — nākamajā dienā."),
    (
        "Доставка",
        "ru",
        "Спасибо, {name}! Доставляем по всей Латвии за 2–3 рабочих дня, по Риге — на следующий день.",
    ),
    ("Shipping", "en", "Thanks, {name}! We ship across the Baltics in 2–4 working days; Riga is next day."),
    ("Paldies par foto", "", "Paldies, {name}! 😍 Vai drīkstam dalīties ar jūsu foto mūsu lapā?"),
]


def load_demo_saved_replies(ctx) -> None:
    if SavedReply.objects.filter(workspace=ctx.workspace).exists():
        return
    manager = access_workspace(actor=ctx.people[Role.MANAGER], slug=ctx.workspace.slug)
    for title, language, text in SAVED_REPLIES:
        saved_reply_create(access=manager, title=title, text=text, language=language)
    ctx.log(f"Added {len(SAVED_REPLIES)} saved replies for the inbox.")
