"""The file of an import preview, kept on the server until the person confirms it.

The preview page used to carry the whole file back in a hidden base64 field, which the request size
limit refused for files over about 1.9 MB. Now the checked file is written under
``<VAR_DIR>/imports/<token>/`` (directory 0700, files 0600) with who may use it: the token is random
(32 bytes), bound to the workspace and the person who previewed it, used once, and expires after
``KEEP_SECONDS``; expired uploads are removed whenever a new one is stored. Anything else — an unknown,
malformed, expired or someone else's token — is a 404 (no hint which).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import Http404

from kopiena.teams.selectors import Access

KEEP_SECONDS = 2 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{40,64}")


@dataclass(frozen=True)
class StoredImport:
    token: str
    filename: str
    default_account: str
    content: bytes


def _root() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def import_file_store(*, access: Access, content: bytes, filename: str, default_account: str = "") -> str:
    """Keep ``content`` for ``access``'s person in ``access``'s workspace; returns the token."""
    import_files_purge()
    root = _root()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    folder = root / token
    folder.mkdir(mode=0o700)
    meta = {
        "workspace_id": access.workspace.pk,
        "user_id": access.user.pk,
        "filename": Path(filename or "upload.csv").name[:200],
        "default_account": str(default_account or ""),
        "stored_at": time.time(),
    }
    _write(folder / "content", content)
    _write(folder / "meta.json", json.dumps(meta).encode())
    return token


def import_file_load(*, access: Access, token: str) -> StoredImport:
    """The stored upload ``token`` names, if it is ``access``'s own and not expired; else ``Http404``."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise Http404
    folder = _root() / token
    try:
        meta = json.loads((folder / "meta.json").read_bytes())
        content = (folder / "content").read_bytes()
    except (OSError, ValueError):
        raise Http404 from None
    if time.time() - meta.get("stored_at", 0) > KEEP_SECONDS:
        import_file_discard(token=token)
        raise Http404
    if meta.get("workspace_id") != access.workspace.pk or meta.get("user_id") != access.user.pk:
        raise Http404
    return StoredImport(
        token=token, filename=meta["filename"], default_account=meta["default_account"], content=content
    )


def import_file_discard(*, token: str) -> None:
    if isinstance(token, str) and _TOKEN.fullmatch(token):
        shutil.rmtree(_root() / token, ignore_errors=True)


def import_files_purge(*, older_than_seconds: int = KEEP_SECONDS) -> int:
    """Remove uploads stored more than ``older_than_seconds`` ago; returns how many."""
    root = _root()
    if not root.is_dir():
        return 0
    limit, removed = time.time() - older_than_seconds, 0
    for folder in root.iterdir():
        try:
            stored_at = json.loads((folder / "meta.json").read_bytes()).get("stored_at", 0)
        except (OSError, ValueError):
            stored_at = folder.stat().st_mtime if folder.exists() else 0
        if stored_at < limit:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
