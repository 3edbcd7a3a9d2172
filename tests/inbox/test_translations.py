"""The inbox catalogue (kopiena/inbox/locale) is used by the pages."""

from __future__ import annotations

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_the_empty_inbox_speaks_latvian_and_russian(login, owner, workspace):
    client = login(owner)
    url = f"/w/{workspace.slug}/inbox/"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "lv"
    assert "Sarunu vēl nav" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert "Разговоров пока нет" in client.get(url).content.decode()
