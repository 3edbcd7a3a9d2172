"""Publishing fixtures: connected accounts and a post factory."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kopiena.core.clock import now
from kopiena.integrations.models import ConnectedAccount
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace


@pytest.fixture
def make_account(workspace):
    def make(name: str = "Grauzdētava Mastodon", *, ws=None, approval_required: bool = True, **extra):
        ws = ws or workspace
        return ConnectedAccount.objects.create(
            workspace=ws,
            platform=extra.pop("platform", "mastodon"),
            name=name,
            handle=extra.pop("handle", name.lower().replace(" ", "_")),
            base_url=extra.pop("base_url", "http://127.0.0.1:9"),
            approval_required=approval_required,
            **extra,
        )

    return make


@pytest.fixture
def access_for(workspace):
    def make(user):
        return access_workspace(actor=user, slug=workspace.slug)

    return make


@pytest.fixture
def manager_access(member, access_for):
    return access_for(member(Role.MANAGER))


@pytest.fixture
def contributor_access(member, access_for):
    return access_for(member(Role.CONTRIBUTOR))


@pytest.fixture
def soon():
    return now() + timedelta(hours=2)
