"""Real processes: ``kopiena run`` serving HTTP, a ``kopiena worker`` killed and restarted (the banner
follows), and ``kopiena clock`` twice (only one leads; the other takes over when the leader is killed:
the advisory lock on PostgreSQL, the lease on SQLite). The subprocesses get a database of their own on
the engine the suite runs on, never the pytest database."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

pytestmark = pytest.mark.slow

KOPIENA = [sys.executable, "-m", "kopiena"]
SETUP_USER = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from kopiena.teams.models import User
from kopiena.teams.services import workspace_create
user = User.objects.create_user(username="ilze", email="ilze@example.lv", password="x" * 12)
ws = workspace_create(owner=user, name="Banner Test")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(ws.slug, session.session_key)
"""


@pytest.fixture
def database_url(tmp_path: Path):
    """A database of their own for the subprocesses, on the engine the suite runs on."""
    url = os.environ.get("KOPIENA_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'kopiena.sqlite3'}"
        return
    import psycopg

    parsed = urlsplit(url)
    name = f"kopiena_processes_{os.getpid()}"
    admin_url = urlunsplit(parsed._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(parsed._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KOPIENA_", "PYTEST_", "DJANGO_"))
    }
    environ.update(
        KOPIENA_DATABASE_URL=database_url,
        KOPIENA_VAR_DIR=str(tmp_path),
        KOPIENA_SECRET_KEYS="process-test-key-" + "x" * 40,
        KOPIENA_WORKER_STALE_SECONDS="3",
        PYTHONUNBUFFERED="1",
    )
    subprocess.run([*KOPIENA, "migrate", "-v0"], env=environ, check=True, timeout=180)
    return environ


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([*KOPIENA, *args], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def test_run_serves_and_the_banner_follows_a_killed_and_restarted_worker(env, tmp_path):
    slug, session_key = (
        subprocess.run(
            [*KOPIENA, "shell", "-c", SETUP_USER], env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
        .split()
    )
    web_log = tmp_path / "web.log"
    web = start(["run", "--port", "0", "--no-worker", "--no-migrate"], env, web_log)
    worker = None
    try:
        assert wait_for(lambda: "running at" in web_log.read_text(), 30), web_log.read_text()
        base = re.search(r"running at (http://\S+/)", web_log.read_text()).group(1)
        http = httpx.Client(base_url=base, cookies={"sessionid": session_key}, timeout=10)
        page_url = f"/w/{slug}/settings/health/"

        def banner_shown() -> bool:
            response = http.get(page_url)
            assert response.status_code == 200
            return 'data-testid="worker-banner"' in response.text

        assert http.get("/healthz").status_code == 503
        assert banner_shown()

        worker = start(["worker", "--interval", "0.2"], env, tmp_path / "worker.log")
        assert wait_for(lambda: http.get("/healthz").status_code == 200, 30)
        assert wait_for(lambda: not banner_shown(), 15)

        worker.kill()  # SIGKILL: no graceful goodbye, only the heartbeats stop
        worker.wait(10)
        assert wait_for(banner_shown, 20)
        assert http.get("/healthz").status_code == 503

        worker = start(["worker", "--interval", "0.2"], env, tmp_path / "worker2.log")
        assert wait_for(lambda: not banner_shown(), 20)
        assert stop(worker) == 0
        assert wait_for(banner_shown, 15)  # a graceful stop is reported at once (cache aside)
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
        assert stop(web) == 0, web_log.read_text()
    assert "Stopped." in web_log.read_text()


def test_two_clocks_one_leader_and_takeover(env, tmp_path):
    first_log, second_log = tmp_path / "clock1.log", tmp_path / "clock2.log"
    first = start(["clock"], env, first_log)
    second = None
    try:
        assert wait_for(lambda: "is the leader" in first_log.read_text(), 30), first_log.read_text()
        second = start(["clock"], env, second_log)
        assert wait_for(lambda: "started" in second_log.read_text(), 30)
        time.sleep(2)
        assert "is the leader" not in second_log.read_text()
        first.kill()  # dies without releasing: PostgreSQL drops its lock at once; a SQLite lease expires
        first.wait(10)
        assert wait_for(lambda: "is the leader" in second_log.read_text(), 30), second_log.read_text()
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)
