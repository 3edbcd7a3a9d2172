"""The inbox catalogue (kopiena/inbox/locale) is complete, compiled, and used by the pages."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.conf import settings

from tests.ui.test_translations import _parse_po

LOCALE = Path(__file__).resolve().parents[2] / "kopiena" / "inbox" / "locale"


@pytest.mark.parametrize("language", ["lv", "ru"])
def test_catalogue_is_complete_and_compiled(language):
    directory = LOCALE / language / "LC_MESSAGES"
    entries = [e for e in _parse_po(directory / "django.po") if e["msgid"]]
    assert len(entries) > 80
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"] or not e.get("msgstr")] == []
    with (directory / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in entries:
        assert compiled._catalog.get(entry["msgid"]) == entry["msgstr"], (
            f"{entry['msgid']!r}: run msgfmt again"
        )


@pytest.mark.django_db
def test_the_empty_inbox_speaks_latvian_and_russian(login, owner, workspace):
    client = login(owner)
    url = f"/w/{workspace.slug}/inbox/"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "lv"
    assert "Sarunu vēl nav" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert "Разговоров пока нет" in client.get(url).content.decode()
