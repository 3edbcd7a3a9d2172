"""The integrations catalogue (kopiena/integrations/locale) is used by Django."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation


@pytest.mark.django_db
def test_the_accounts_page_speaks_latvian_and_russian(login, owner, workspace):
    client = login(owner)
    url = f"/w/{workspace.slug}/settings/accounts/"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "lv"
    assert "Nav pievienotu kontu" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert "Нет подключённых аккаунтов" in client.get(url).content.decode()


def test_service_messages_are_translated():
    with translation.override("lv"):
        assert translation.gettext("Give the account a name.") == "Piešķiriet kontam nosaukumu."
