"""Share-link tokens: ``signing.dumps`` of (link id, nonce) with this module's salt.

The signature proves the token was made here (a guessed or edited id fails before any query); the row it
names decides the rest (revoked, expired, nonce changed), so revoking works at once and old tokens of a
deleted row never match a new one. Tokens are signed with SECRET_KEY and still verify under its fallbacks.
"""

from __future__ import annotations

from django.core import signing

SALT = "kopiena.reports.share"


def sign(pk: int, nonce: str) -> str:
    return signing.dumps([pk, nonce], salt=SALT, compress=False)


def unsign(token: str) -> tuple[int, str] | None:
    if not token or len(token) > 200:
        return None
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int)
        and isinstance(value[1], str)
    ):
        return None
    return value[0], value[1]
