"""Issue 9 item 10: login throttling — atomic counters, the real client address behind trusted proxies
only, a per-username slow-down instead of a lockout, and /admin/login/ limited too."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.test import Client
from django.urls import reverse

from kopiena.core.clock import now as real_now
from kopiena.teams import throttle
from kopiena.teams.throttle import KNOWN_DEVICE_COOKIE, client_ip
from tests.conftest import PASSWORD


def _login(client, username, password, ip="203.0.113.5", **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )


@pytest.fixture
def checks():
    """How many passwords were actually checked and found wrong (Django's own signal)."""
    seen = []

    def count(sender, **kwargs):
        seen.append(1)

    user_login_failed.connect(count)
    yield seen
    user_login_failed.disconnect(count)


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_guesses_get_at_most_the_limit_checked(owner, settings, checks):
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("needs a file database shared by threads")
    settings.LOGIN_RATE_LIMIT = 10
    start = threading.Barrier(40)
    statuses = []

    def guess(n: int):
        try:
            client = Client()
            start.wait()
            statuses.append(_login(client, owner.username, f"guess {n}", ip="198.51.100.77").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 40  # every one answered (refused or wrong), none an error
    assert len(checks) <= 10  # before: 16 of 40 got through a limit of 10


@pytest.mark.django_db
def test_the_address_limit_refuses_without_checking(owner, settings, checks, client):
    settings.LOGIN_RATE_LIMIT = 3
    for name in ["a", "b", "c"]:
        _login(client, name, "guess", ip="192.0.2.7")
    response = _login(client, owner.username, PASSWORD, ip="192.0.2.7")
    assert "Too many failed attempts. Try again in 15 minutes." in response.text
    assert len(checks) == 3
    assert _login(client, owner.username, PASSWORD, ip="192.0.2.8").status_code == 302


@pytest.mark.django_db
def test_a_named_person_is_slowed_down_not_locked_out(owner, settings, client, monkeypatch):
    settings.LOGIN_RATE_LIMIT = 3
    for n in range(3):  # an attacker from three addresses
        _login(client, owner.username, "guess", ip=f"198.51.100.{n}")
    refused = _login(client, owner.username, PASSWORD, ip="198.51.100.99")
    assert "Wait a few seconds" in refused.text and "_auth_user_id" not in client.session
    # A few seconds later (not 15 minutes) the right password works.
    monkeypatch.setattr(throttle, "now", lambda: real_now() + timedelta(seconds=3))
    assert _login(client, owner.username, PASSWORD, ip="198.51.100.99").status_code == 302


@pytest.mark.django_db
def test_the_slow_down_grows_but_is_capped(owner, settings, client, monkeypatch):
    settings.LOGIN_RATE_LIMIT = 2
    clock = {"t": real_now()}
    monkeypatch.setattr(throttle, "now", lambda: clock["t"])
    waits = []
    for n in range(8):
        _login(client, owner.username, "guess", ip=f"198.51.100.{n}")
        row = throttle.LoginThrottle.objects.get(key=f"user:{owner.username}")
        waits.append(int((row.blocked_until - clock["t"]).total_seconds()) if row.blocked_until else 0)
        clock["t"] += timedelta(seconds=60)
    assert waits == [0, 2, 4, 8, 16, 30, 30, 30]


@pytest.mark.django_db
def test_a_browser_that_signed_in_before_is_not_slowed_down(owner, settings, client):
    settings.LOGIN_RATE_LIMIT = 3
    assert _login(client, owner.username, PASSWORD).status_code == 302
    assert client.cookies[KNOWN_DEVICE_COOKIE]["httponly"]
    client.post(reverse("logout"))
    attacker = Client()
    for n in range(5):
        _login(attacker, owner.username, "guess", ip=f"198.51.100.{n}")
    assert "Wait a few seconds" in _login(attacker, owner.username, PASSWORD, ip="198.51.100.9").text
    assert _login(client, owner.username, PASSWORD).status_code == 302  # the owner's own browser


@pytest.mark.django_db
def test_forwarded_for_is_believed_only_from_trusted_proxies(owner, settings, client, rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.3")
    assert client_ip(request) == "10.0.0.2"  # no trusted proxies configured: the header is ignored
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request) == "203.0.113.9"
    spoofed = rf.get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(spoofed) == "198.51.100.1"  # not from the proxy: the header is anyone's

    # Behind the proxy, one bucket per real client, not one for everybody.
    settings.LOGIN_RATE_LIMIT = 2
    for name in ["a", "b"]:
        _login(client, name, "guess", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert "Too many" in _login(client, "c", "x", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.50").text
    ok = _login(client, owner.username, PASSWORD, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.51")
    assert ok.status_code == 302


@pytest.mark.django_db
@pytest.mark.urls("tests.security.admin_urls")  # the admin is mounted only in debug mode
def test_admin_login_is_limited_too(owner, settings, checks, client):
    settings.LOGIN_RATE_LIMIT = 2
    owner.is_staff = True
    owner.save()
    for _ in range(4):
        response = client.post(
            "/admin/login/", {"username": owner.username, "password": "guess"}, REMOTE_ADDR="192.0.2.40"
        )
    assert len(checks) == 2
    assert "Too many failed attempts" in response.text
