"""Signing in and out, login rate limiting, password reset and the language switch."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from kopiena.audit.models import AuditEvent
from tests.conftest import PASSWORD


def _login(client, username, password, ip="203.0.113.5"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_login_and_logout(owner, workspace, client):
    response = _login(client, owner.username, PASSWORD)
    assert response["Location"] == reverse("home")
    assert client.get(reverse("logout")).status_code == 405  # logging out is a POST
    client.post(reverse("logout"))
    assert client.get(reverse("calendar", kwargs={"ws": workspace.slug})).status_code == 302


@pytest.mark.django_db
def test_wrong_password_says_so(owner, client):
    response = _login(client, owner.username, "wrong password")
    assert response.status_code == 200
    assert "That username and password do not match." in response.text


@pytest.mark.django_db
@override_settings(LOGIN_RATE_LIMIT=3)
def test_login_rate_limit_per_username_slows_down_even_the_right_password(owner, client):
    # A slow-down of a few seconds, not a 15-minute lockout anyone could trigger (issue 9.10;
    # tests/security/test_login_limits.py has the rest).
    for n in range(3):
        _login(client, owner.username, "guess", ip=f"198.51.100.{n}")
    response = _login(client, owner.username, PASSWORD, ip="198.51.100.99")
    assert response.status_code == 200
    assert "Too many failed attempts for this account. Wait a few seconds" in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(LOGIN_RATE_LIMIT=3)
def test_login_rate_limit_per_address_covers_other_usernames(owner, make_user, client):
    for name in ["a", "b", "c"]:
        _login(client, name, "guess", ip="192.0.2.7")
    response = _login(client, owner.username, PASSWORD, ip="192.0.2.7")
    assert "Too many failed attempts." in response.text
    # Another address may still sign in as that person.
    assert _login(client, owner.username, PASSWORD, ip="192.0.2.8").status_code == 302


@pytest.mark.django_db
@override_settings(LOGIN_RATE_LIMIT=3)
def test_failures_below_the_limit_do_not_lock(owner, client):
    for _ in range(2):
        _login(client, owner.username, "guess")
    assert _login(client, owner.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_password_reset_by_email(owner, client):
    response = client.post(reverse("password_reset"), {"email": owner.email})
    assert response["Location"] == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == [owner.email]
    link = re.search(r"https?://[^/]+(/password/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    new_password = "another long passphrase 42"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert response["Location"] == reverse("password_reset_complete")
    owner.refresh_from_db()
    assert owner.check_password(new_password)


@pytest.mark.django_db
def test_language_switch_translates_the_navigation(owner, workspace, login):
    client = login(owner)
    url = reverse("calendar", kwargs={"ws": workspace.slug})
    assert ">Inbox<" in client.get(url).text.replace("</i>", ">")
    response = client.post(reverse("language_switch"), {"language": "lv", "next": url})
    assert response["Location"] == url
    latvian = client.get(url).text
    assert '<html lang="lv"' in latvian
    for label in ["Kalendārs", "Iesūtne", "Konkursi", "Iestatījumi", "Audita žurnāls"]:
        assert label in latvian
    client.post(reverse("language_switch"), {"language": "ru", "next": url})
    russian = client.get(url).text
    assert "Календарь" in russian and "Входящие" in russian
    owner.refresh_from_db()
    assert owner.language == "ru"  # kept for the next sign-in


@pytest.mark.django_db
def test_times_are_shown_in_the_workspace_time_zone(owner, workspace, login):
    """The audit log's times (stored in UTC) appear in the workspace's zone, Riga here (UTC+2 in winter)."""
    event = AuditEvent.objects.filter(workspace=workspace).first()
    riga = event.created_at.astimezone(ZoneInfo("Europe/Riga"))
    text = login(owner).get(reverse("audit_log", kwargs={"ws": workspace.slug})).text
    assert f'datetime="{riga.isoformat()}"' in text


@pytest.mark.django_db
def test_language_switch_needs_the_csrf_token(owner, workspace):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(reverse("language_switch"), {"language": "lv"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_signing_in_applies_the_profile_language(owner, client):
    owner.language = "ru"
    owner.save(update_fields=["language"])
    response = _login(client, owner.username, PASSWORD)
    assert response.cookies["django_language"].value == "ru"
    assert "Входящие" in client.get("/", follow=True).text


@pytest.mark.django_db
def test_the_language_chosen_on_the_sign_in_page_is_kept(owner, client):
    """Issue 16 item 12: the profile says Russian, the person picks Latvian on the sign-in page: Latvian
    stays after signing in (and becomes the profile's), the cookie is not overwritten."""
    owner.language = "ru"
    owner.save(update_fields=["language"])
    client.post(reverse("language_switch"), {"language": "lv", "next": reverse("login")})
    assert '<html lang="lv"' in client.get(reverse("login")).text
    response = _login(client, owner.username, PASSWORD)
    assert "django_language" not in response.cookies  # the choice made on the page stands
    assert client.cookies["django_language"].value == "lv"
    page = client.get("/", follow=True).text
    assert '<html lang="lv"' in page and "Iesūtne" in page
    owner.refresh_from_db()
    assert owner.language == "lv"


@pytest.mark.django_db
def test_profile_saves_name_and_language(owner, login):
    client = login(owner)
    response = client.post(
        reverse("profile"),
        {"first_name": "Anna", "last_name": "Kalniņa", "email": owner.email, "language": "lv"},
    )
    assert response.cookies["django_language"].value == "lv"
    owner.refresh_from_db()
    assert (owner.first_name, owner.language) == ("Anna", "lv")
