"""Shared fixtures: people in every role, two workspaces, logged-in clients."""

from __future__ import annotations

import pytest

from kopiena.teams.models import Role, User
from kopiena.teams.selectors import access_workspace
from kopiena.teams.services import membership_add, workspace_create

PASSWORD = "correct horse battery staple"


def pytest_configure(config):
    """A fast password hasher for tests: the production PBKDF2 costs ~0.25 s of CPU per user created or
    logged in, and the suite creates thousands. Production settings are checked on their own
    (tests/security/test_production_settings.py), and nothing here depends on the hasher's cost."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    """Tests marked ``database_independent`` (production start-ups in a subprocess with a database of their
    own, page language checks, the page crawl and API fuzzing as the roles other than the owner, whose
    queries the owner's run already sends) run in the SQLite half of `make test` only: running them again
    against PostgreSQL tests the same thing twice and costs minutes of CI."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return
    kept = [item for item in items if item.get_closest_marker("database_independent") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


@pytest.fixture(autouse=True)
def _audit_anchor_per_test(settings, tmp_path):
    """Each test's audit anchor in its own directory: an anchor from another test (or from the developer's
    own var/) would describe another database's chain, and `audit verify` would rightly refuse it."""
    settings.AUDIT_ANCHOR_PATH = tmp_path / "audit_anchor.jsonl"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with no account rate-limited: the limiter is per process and keyed by account, and
    a key can come back in a later test (a reused row id), which then met an earlier test's 429 block."""
    from kopiena.connectors.http import RATE_LIMITER

    RATE_LIMITER.reset()
    yield


@pytest.fixture(autouse=True)
def _english_at_the_start():
    """Each test starts in English: a test-client request leaves the language it activated (the
    LocaleMiddleware's) on the thread, and notices are worded in the active language when read."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def make_user(db):
    counter = {"n": 0}

    def make(username: str | None = None, **extra) -> User:
        counter["n"] += 1
        username = username or f"user{counter['n']}"
        return User.objects.create_user(
            username=username, email=f"{username}@example.lv", password=PASSWORD, **extra
        )

    return make


@pytest.fixture
def workspace(make_user):
    owner = make_user("owner")
    return workspace_create(owner=owner, name="Rīgas Grauzdētava", timezone="Europe/Riga", country="LV")


@pytest.fixture
def other_workspace(make_user):
    stranger = make_user("stranger")
    return workspace_create(owner=stranger, name="Other Agency Client")


@pytest.fixture
def member(make_user, workspace):
    """``member(role)`` → a user holding ``role`` in ``workspace``."""

    def make(role: str = Role.MANAGER) -> User:
        user = make_user(f"{role}-{User.objects.count()}")
        membership_add(access=None, workspace=workspace, user=user, role=role)
        return user

    return make


@pytest.fixture
def owner(workspace):
    return workspace.memberships.get(role=Role.OWNER).user


@pytest.fixture
def owner_access(owner, workspace):
    return access_workspace(actor=owner, slug=workspace.slug)


@pytest.fixture
def login(client):
    def do(user: User):
        client.force_login(user)
        return client

    return do
