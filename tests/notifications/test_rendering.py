"""16.8: a notice is worded when shown — in the reader's current language, times in the workspace's zone."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from kopiena.notifications.rendering import render
from kopiena.notifications.services import notify, thread_target
from kopiena.teams.models import Role
from tests.notifications.conftest import riga


def _page(client, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("notifications")).text


def test_switching_language_after_the_notice_was_written_changes_its_text(workspace, member, login):
    moderator = member(Role.MODERATOR)  # English profile when the notice is written
    notify(
        workspace_id=workspace.pk,
        recipients=[moderator],
        kind="inbox.sla_overdue",
        params={"subject": "Kad atvērsiet?", "due_at": riga(2026, 11, 24, 18, 0).isoformat()},
        target=thread_target(1),
    )
    client = login(moderator)
    assert "An answer is overdue" in _page(client, "en")
    latvian = _page(client, "lv")
    assert "Atbilde kavējas" in latvian and "An answer is overdue" not in latvian
    assert "Ответ просрочен" in _page(client, "ru")
    assert "“Kad atvērsiet?”" in latvian  # the people's own words stay as written


def test_text_given_as_callables_is_kept_in_every_language(workspace, member, login):
    from django.utils.translation import gettext as _

    moderator = member(Role.MODERATOR)
    notify(
        workspace_id=workspace.pk,
        recipients=[moderator],
        kind="note_mention",  # a caller of the original contract, e.g. another app's @mention
        title=lambda: _("Notifications"),
        body=lambda: "@moderator",
    )
    client = login(moderator)
    assert "Уведомления</strong>" in _page(client, "ru")
    assert "Paziņojumi</strong>" in _page(client, "lv")


def test_times_are_shown_in_the_workspaces_zone(workspace, member, owner):
    moderator = member(Role.MODERATOR)
    [notice] = notify(
        workspace_id=workspace.pk,
        recipients=[moderator],
        kind="inbox.sla_due_soon",
        params={"subject": "x", "due_at": "2026-11-24T14:00:00+00:00"},  # 16:00 in Riga (UTC+2)
    )
    with translation.override("en"):
        assert "16:00" in render(notice).body
    workspace.timezone = "America/New_York"
    workspace.save()
    notice.refresh_from_db()
    with translation.override("en"):
        assert "09:00" in render(notice).body  # the same moment, the zone the workspace chose now
    with translation.override("lv"):
        assert "09:00" in render(notice).body and "nov" in render(notice).body.lower()
