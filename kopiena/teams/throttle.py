"""Login throttling: a hard limit per client address, a slow-down per username.

* **Per address** (``settings.LOGIN_RATE_LIMIT`` failed sign-ins per 15 minutes): a password is checked
  only after a slot is *reserved* — the counter is incremented under a row lock before the check, and a
  success gives the slot back. Forty parallel guesses therefore get at most the limit checked (the old
  read-then-write counter in the cache let 16 of 40 through a limit of 10).
* **Per username**: no lockout that anyone could trigger against a named person. From the limit on, each
  further attempt must wait a delay that doubles (2 s, 4 s, … up to ``USER_DELAY_CAP_SECONDS``) after the
  previous one; a success clears it. A browser that has signed in as that person before (a signed
  "known device" cookie) is not slowed down at all, so an attacker cannot keep the owner out.
* **The client address** is ``REMOTE_ADDR``; ``X-Forwarded-For`` is believed only when the request comes
  from a proxy listed in ``settings.TRUSTED_PROXIES`` (``KOPIENA_TRUSTED_PROXIES``), and then the
  right-most address that is not itself a trusted proxy is the client. Otherwise everyone behind a proxy
  would share one bucket, or anyone could pick their own bucket by sending the header.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction

from kopiena.core.clock import now
from kopiena.teams.models import LoginThrottle

WINDOW = timedelta(minutes=15)
USER_DELAY_CAP_SECONDS = 30
KNOWN_DEVICE_COOKIE = "kopiena_known_device"
_KNOWN_DEVICE_SALT = "kopiena.teams.known-device"
KNOWN_DEVICE_MAX_AGE = 365 * 24 * 3600


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.TRUSTED_PROXIES]


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str:
    """The address a request comes from, honouring X-Forwarded-For only from trusted proxies."""
    remote = (request.META.get("REMOTE_ADDR") or "").strip() or "unknown"
    networks = _networks()
    if not networks or not _is_trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a garbled header from behind the proxy: fall back to the proxy's bucket
    return remote


def known_device_value(user) -> str:
    return signing.dumps(user.pk, salt=_KNOWN_DEVICE_SALT)


def known_device_user_id(request) -> int | None:
    raw = request.COOKIES.get(KNOWN_DEVICE_COOKIE) if request is not None else None
    if not raw:
        return None
    try:
        return int(signing.loads(raw, salt=_KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Refusal:
    seconds: int
    per_user: bool  # True: the username is being slowed down; False: the address hit its limit


def _locked_row(key: str) -> LoginThrottle:
    """The counter row for ``key``, locked until the caller's transaction ends: PostgreSQL locks the row
    (``SELECT … FOR UPDATE``); SQLite's IMMEDIATE transactions already hold the database's write lock.
    Read, decide and write happen under that lock, so parallel attempts cannot lose updates."""
    current = now()
    # ON CONFLICT DO NOTHING: a parallel first attempt may create the row at the same moment.
    LoginThrottle.objects.bulk_create([LoginThrottle(key=key, window_started=current)], ignore_conflicts=True)
    row = LoginThrottle.objects.select_for_update().get(key=key)
    if row.window_started + WINDOW <= current:
        row.count, row.window_started, row.blocked_until = 0, current, None
    return row


def _key_ip(ip: str) -> str:
    return f"ip:{ip}"[:200]


def _key_user(username: str) -> str:
    return f"user:{username.strip().lower()}"[:200]


def reserve(*, ip: str, username: str, known_user: bool) -> Refusal | None:
    """Take one attempt from the address's budget (and the username's pace) before the password is
    checked; a Refusal says how long to wait, and then nothing was taken."""
    current = now()
    limit = settings.LOGIN_RATE_LIMIT
    with transaction.atomic():
        ip_row = _locked_row(_key_ip(ip))
        if ip_row.count >= limit:
            wait = ip_row.window_started + WINDOW - current
            return Refusal(max(int(wait.total_seconds()), 1), per_user=False)
        user_row = None
        if username and not known_user:
            user_row = _locked_row(_key_user(username))
            if user_row.blocked_until and user_row.blocked_until > current:
                wait = user_row.blocked_until - current
                return Refusal(max(int(wait.total_seconds() + 0.999), 1), per_user=True)
            user_row.count += 1
            if user_row.count >= limit:
                delay = min(2 ** (user_row.count - limit + 1), USER_DELAY_CAP_SECONDS)
                user_row.blocked_until = current + timedelta(seconds=delay)
            user_row.save()
        ip_row.count += 1
        ip_row.save()
    if random.random() < 0.01:
        LoginThrottle.objects.filter(window_started__lt=current - 4 * WINDOW).delete()
    return None


def succeeded(*, ip: str, username: str) -> None:
    """A correct password gives the address its slot back and clears the username's slow-down."""
    with transaction.atomic():
        row = _locked_row(_key_ip(ip))
        row.count = max(row.count - 1, 0)
        row.save()
        LoginThrottle.objects.filter(key=_key_user(username)).delete()
