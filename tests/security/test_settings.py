"""Production settings: `check --deploy` clean, secure cookies, HSTS, no admin; CSP on every response."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys

import pytest


def _production_env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOPIENA_")}
    env.update(
        KOPIENA_ENV="production",
        KOPIENA_SECRET_KEYS=secrets.token_urlsafe(64),
        KOPIENA_AUDIT_KEYS=secrets.token_urlsafe(64),
        KOPIENA_ALLOWED_HOSTS="example.com",
        KOPIENA_VAR_DIR=str(tmp_path),
        KOPIENA_DATABASE_URL=f"sqlite:///{tmp_path}/deploy.sqlite3",
        DJANGO_SETTINGS_MODULE="kopiena.config.settings",
    )
    env.update(extra)
    return env


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.database_independent
def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    result = _run(_production_env(tmp_path), "-m", "kopiena", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.urls import Resolver404, resolve
try:
    resolve("/admin/")
    admin = True
except Resolver404:
    admin = False
print(json.dumps({
    "debug": settings.DEBUG,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "admin": admin,
}))
"""


@pytest.mark.database_independent
def test_production_cookies_are_secure_and_the_admin_is_gone(tmp_path):
    result = _run(_production_env(tmp_path), "-c", _PROBE)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts == {
        "debug": False,
        "session_secure": True,
        "session_httponly": True,
        "csrf_secure": True,
        "hsts": 31536000,
        "ssl_redirect": True,
        "admin": False,
    }


@pytest.mark.database_independent
def test_the_admin_exists_only_in_debug(tmp_path):
    env = _production_env(tmp_path, KOPIENA_ENV="development", KOPIENA_DEBUG="1")
    facts = json.loads(_run(env, "-c", _PROBE).stdout.strip().splitlines()[-1])
    assert facts["admin"] is True
    assert facts["session_secure"] is False  # plain http://127.0.0.1 in development


@pytest.mark.database_independent
def test_production_refuses_to_start_without_secret_keys(tmp_path):
    env = _production_env(tmp_path)
    del env["KOPIENA_SECRET_KEYS"]
    result = _run(env, "-m", "kopiena", "check")
    assert result.returncode != 0
    assert "KOPIENA_SECRET_KEYS" in result.stderr


@pytest.mark.database_independent
def test_production_refuses_to_start_without_audit_keys(tmp_path):
    env = _production_env(tmp_path)
    del env["KOPIENA_AUDIT_KEYS"]
    result = _run(env, "-m", "kopiena", "check")
    assert result.returncode != 0
    assert "KOPIENA_AUDIT_KEYS" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/login/", "/api/v1/docs", "/api/v1/openapi.json", "/no-such-page/", "/healthz"]
)
def test_every_response_carries_the_content_security_policy(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_swagger_ui_is_served_from_our_static_files_with_no_inline_script(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts
    for attributes in scripts:
        src = re.search(r'src="([^"]+)"', attributes)
        # Only same-origin files, or JSON data blocks (not executed, so CSP allows them).
        assert (src and src.group(1).startswith("/static/")) or 'type="application/json"' in attributes
    assert "cdn" not in html.lower()
    for static in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(static).status_code == 200, static
