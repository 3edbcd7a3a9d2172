"""Issue 9 item 15: development defaults — the debug 500 page never echoes a typed token or password, and
var/ with the database, its WAL, the keys and the sandbox snapshot is private to the user (0700/0600)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from kopiena.sandbox.state import SandboxState

TOKEN = "EAAGtypedPageToken0123456789secret"
PASSWORD = "hunter2-typed-password"
BEARER = "kop_bearer0123456789abcdef"
SESSION = "sessionvalue0123456789abcdef"


def _explode(request):
    access_token = request.POST.get("access_token")
    password = request.POST.get("password")
    raw = request.GET.get("token")
    settings_like = {"api_key": access_token, "note": "visible"}
    raise ValueError(
        f"boom {len(access_token or '') + len(password or '') + len(raw or '')} {settings_like!r:.0}"
    )


def _fine(request):
    return HttpResponse("ok")


urlpatterns = [path("explode/", _explode), path("fine/", _fine)]


@pytest.mark.urls("tests.security.test_dev_defaults")
def test_debug_500_page_hides_typed_secrets(settings):
    settings.DEBUG = True
    client = Client(raise_request_exception=False, enforce_csrf_checks=False)
    client.cookies["sessionid"] = SESSION
    response = client.post(
        f"/explode/?token={TOKEN}x&page=2",
        {"access_token": TOKEN, "password": PASSWORD, "text": "a visible comment"},
        HTTP_AUTHORIZATION=f"Bearer {BEARER}",
    )
    assert response.status_code == 500
    page = response.content.decode()
    assert "ValueError" in page and "a visible comment" in page  # it is the debug page, with context
    for secret in (TOKEN, PASSWORD, BEARER, SESSION):
        assert secret not in page, secret
    assert "********************" in page


def _modes_script() -> str:
    return """
import json, os, stat, django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS probe (x integer)")
    cursor.execute("INSERT INTO probe VALUES (1)")
name = connection.settings_dict["NAME"]
paths = {"var": str(settings.VAR_DIR), "db": name, "wal": name + "-wal", "shm": name + "-shm",
         "secret_keys": str(settings.VAR_DIR / "secret_keys"), "audit_keys": str(settings.VAR_DIR / "audit_keys")}
print(json.dumps({k: oct(stat.S_IMODE(os.stat(p).st_mode)) for k, p in paths.items() if os.path.exists(p)}))
"""


def test_fresh_var_directory_and_database_are_private(tmp_path):
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOPIENA_", "DJANGO_", "PYTEST_"))}
    env.update(KOPIENA_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="kopiena.config.settings")
    result = subprocess.run(
        [sys.executable, "-c", _modes_script()],
        env={**env, "PYTHONPATH": os.getcwd()},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        umask=0o022,
    )
    assert result.returncode == 0, result.stderr
    modes = json.loads(result.stdout.strip().splitlines()[-1])
    assert modes.pop("var") == "0o700"
    assert {"db", "wal", "shm", "secret_keys", "audit_keys"} <= set(modes)
    assert set(modes.values()) == {"0o600"}, modes


def test_an_existing_world_readable_database_is_tightened(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    db = var / "kopiena.sqlite3"
    db.touch(mode=0o644)
    db.chmod(0o644)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOPIENA_", "DJANGO_", "PYTEST_"))}
    env.update(KOPIENA_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="kopiena.config.settings")
    result = subprocess.run(
        [sys.executable, "-c", _modes_script()],
        env={**env, "PYTHONPATH": os.getcwd()},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["db"] == "0o600"


def test_sandbox_snapshot_is_private(tmp_path):
    target = tmp_path / "sandbox.json"
    old_umask = os.umask(0o022)
    try:
        SandboxState().save(target)
    finally:
        os.umask(old_umask)
    assert oct(target.stat().st_mode & 0o777) == "0o600"
