"""Shared fixtures: people in every role, two workspaces, logged-in clients."""

from __future__ import annotations

import pytest

from kopiena.teams.models import Role, User
from kopiena.teams.selectors import access_workspace
from kopiena.teams.services import membership_add, workspace_create

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _audit_anchor_per_test(settings, tmp_path):
    """Each test's audit anchor in its own directory: an anchor from another test (or from the developer's
    own var/) would describe another database's chain, and `audit verify` would rightly refuse it."""
    settings.AUDIT_ANCHOR_PATH = tmp_path / "audit_anchor.jsonl"


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
