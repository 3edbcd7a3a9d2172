"""Encryption of credentials at rest with MultiFernet.

Fernet keys are derived (HKDF-SHA256) from ``KOPIENA_SECRET_KEYS``, newest first: the first key encrypts,
every key decrypts, and ``kopiena keys rotate`` re-encrypts every credential with the newest key.
"""

from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class CredentialDecryptError(Exception):
    """No configured key opens this credential (a key was removed from KOPIENA_SECRET_KEYS too early)."""


def _fernet_for(secret: str) -> Fernet:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"kopiena.credentials", info=b"fernet-v1").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(raw))


def multi_fernet() -> MultiFernet:
    return MultiFernet([_fernet_for(secret) for secret in settings.SECRET_KEYS])


def encrypt_secret(data: dict) -> str:
    return multi_fernet().encrypt(json.dumps(data, sort_keys=True).encode()).decode()


def decrypt_secret(token: str) -> dict:
    try:
        return json.loads(multi_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise CredentialDecryptError("No key in KOPIENA_SECRET_KEYS can decrypt this credential.") from exc


def rotate_secret(token: str) -> str:
    """Re-encrypt with the newest key (MultiFernet.rotate keeps the original timestamp)."""
    try:
        return multi_fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise CredentialDecryptError("No key in KOPIENA_SECRET_KEYS can decrypt this credential.") from exc


def is_current(token: str) -> bool:
    """True if ``token`` is already encrypted with the newest key (so rotation can skip it)."""
    try:
        _fernet_for(settings.SECRET_KEYS[0]).decrypt(token.encode())
    except InvalidToken:
        return False
    return True
