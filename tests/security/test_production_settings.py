"""Issue 9 item 16: the language cookie is Secure (and HttpOnly, SameSite) in production; anonymous /healthz
says only ok / not ok; ``kopiena run`` in production serves pages and static files without a manual
``collectstatic`` — on a fresh install and over a manifest left by an older version."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from kopiena.teams.models import Role
from tests.security.test_settings import _production_env, _run

_COOKIE_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
response = Client(HTTP_HOST="example.com").post("/language/", {"language": "lv", "next": "/login/"}, secure=True)
cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
print(json.dumps({"value": cookie.value, "secure": bool(cookie["secure"]), "httponly": bool(cookie["httponly"]),
                  "samesite": cookie["samesite"]}))
"""


@pytest.mark.database_independent
def test_language_cookie_is_secure_httponly_and_samesite_in_production(tmp_path):
    result = _run(_production_env(tmp_path), "-c", _COOKIE_PROBE)
    assert result.returncode == 0, result.stderr
    cookie = json.loads(result.stdout.strip().splitlines()[-1])
    assert cookie == {"value": "lv", "secure": True, "httponly": True, "samesite": "Lax"}


@pytest.mark.django_db
def test_anonymous_healthz_says_only_ok_or_not(client, make_user, member):
    anonymous = client.get("/healthz")
    assert anonymous.status_code == 503  # no worker in the test database
    assert anonymous.json() == {"status": "unhealthy"}

    client.force_login(member(Role.OWNER))  # an ordinary user, even a workspace owner: status alone
    assert client.get("/healthz").json() == {"status": "unhealthy"}

    client.force_login(make_user("ops", is_staff=True))
    detailed = client.get("/healthz").json()
    assert {"workers", "queues", "database", "failed_tasks_last_24h"} <= set(detailed)
    client.force_login(make_user("root", is_superuser=True))
    assert "queues" in client.get("/healthz").json()


def _serve(env: dict, log_path) -> tuple[subprocess.Popen, str]:
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "kopiena", "run", "--port", "0", "--no-worker", "--no-clock"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        match = re.search(r"running at (http://[^/\s]+)/", log_path.read_text())
        if match:
            return process, match.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.5)
    process.kill()
    raise AssertionError(log_path.read_text())


def _get(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": "example.com"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", errors="replace")


@pytest.mark.database_independent
@pytest.mark.parametrize("old_manifest", [False, True], ids=["fresh-install", "manifest-of-an-older-version"])
def test_kopiena_run_in_production_needs_no_manual_collectstatic(tmp_path, old_manifest):
    env = _production_env(tmp_path, KOPIENA_SSL_REDIRECT="0")
    if old_manifest:  # what an earlier version's collectstatic left: a manifest without today's files
        (tmp_path / "static").mkdir()
        (tmp_path / "static" / "staticfiles.json").write_text('{"paths": {}, "version": "1.1", "hash": "x"}')
    process, base = _serve(env, tmp_path / "run.log")
    try:
        status, page = _get(base + "/login/")
        assert status == 200, page[:2000]
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
        assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet)  # the hashed name from the manifest
        assert _get(base + stylesheet)[0] == 200
        assert _get(base + "/healthz")[1] in ('{"status": "ok"}', '{"status": "unhealthy"}')
    finally:
        process.terminate()
        process.wait(timeout=60)
