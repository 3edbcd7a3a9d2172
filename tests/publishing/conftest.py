"""Publishing fixtures: connected accounts and a post factory."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from kopiena.connectors.http import RATE_LIMITER
from kopiena.core.clock import now
from kopiena.integrations.models import ConnectedAccount
from kopiena.publishing.fakeplatform import KEY, FakePlatform, use_fake_platform
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace


@pytest.fixture(autouse=True)
def _fake_connector():
    """Accounts here use the local fake platform's connector (the real Mastodon one has its own tests)."""
    RATE_LIMITER.reset()  # account ids repeat between tests; a Retry-After must not leak into the next
    with use_fake_platform():
        yield


@pytest.fixture(autouse=True)
def _import_uploads_in_tmp(settings, tmp_path):
    """Previewed import files are kept under VAR_DIR/imports: a test's own folder, not the worktree's."""
    settings.VAR_DIR = tmp_path


@pytest.fixture
def fake_platform():
    with FakePlatform(seed=1) as platform:
        yield platform


@pytest.fixture
def make_account(workspace):
    def make(name: str = "Grauzdētava Mastodon", *, ws=None, approval_required: bool = True, **extra):
        ws = ws or workspace
        return ConnectedAccount.objects.create(
            workspace=ws,
            platform=extra.pop("platform", KEY),
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


def daytime(days_ahead: int = 1, hour: int = 12, minute: int = 0) -> datetime:
    """A Riga-daytime moment ``days_ahead`` days from now (clear of the default policy's quiet hours)."""
    riga = ZoneInfo("Europe/Riga")
    day = now().astimezone(riga).date() + timedelta(days=days_ahead)
    return datetime.combine(day, time(hour, minute), tzinfo=riga).astimezone(UTC)


@pytest.fixture
def soon():
    return daytime(1)
