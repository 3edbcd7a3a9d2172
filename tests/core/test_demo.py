"""The demo loader: idempotent, one person per role with the printed password, the roastery calendar."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from kopiena.core import demo
from kopiena.core.business_time import is_open
from kopiena.inbox.models import SavedReply
from kopiena.teams.models import Membership, Role, Workspace

RIGA = ZoneInfo("Europe/Riga")


@pytest.mark.django_db
def test_demo_load_is_idempotent_and_complete():
    first = demo.demo_load()
    second = demo.demo_load()
    assert first.workspace.pk == second.workspace.pk
    assert Workspace.objects.filter(slug=demo.DEMO_WORKSPACE_SLUG).count() == 1
    workspace = second.workspace
    assert workspace.name == "Kafijas Grauzdētava Rīga"
    assert (workspace.timezone, workspace.country, workspace.languages) == (
        "Europe/Riga",
        "LV",
        ["lv", "ru", "en"],
    )
    roles = dict(Membership.objects.filter(workspace=workspace).values_list("user__username", "role"))
    assert sorted(roles.values()) == sorted(Role.values)
    for person in demo.DEMO_PEOPLE:
        assert authenticate(username=person.username, password=demo.DEMO_PASSWORD) is not None
    # The inbox has the roastery's saved replies in each language, once however often the demo loads.
    saved = SavedReply.objects.filter(workspace=workspace)
    assert saved.count() == 4 and set(saved.values_list("language", flat=True)) == {"lv", "ru", "en", ""}


@pytest.mark.django_db
def test_demo_restores_a_changed_role_and_password():
    ctx = demo.demo_load()
    olga = ctx.people[Role.MODERATOR]
    Membership.objects.filter(user=olga).update(role=Role.ANALYST)
    olga.set_password("something-else-entirely")
    olga.save()
    demo.demo_load()
    assert Membership.objects.get(user=olga).role == Role.MODERATOR
    assert authenticate(username="olga", password=demo.DEMO_PASSWORD) is not None


@pytest.mark.django_db
def test_demo_calendar_is_the_roastery_week():
    cal = demo.demo_load().calendar
    assert is_open(cal, datetime(2026, 11, 23, 10, tzinfo=RIGA))  # Monday morning
    assert is_open(cal, datetime(2026, 11, 28, 13, tzinfo=RIGA))  # Saturday 13:00
    assert not is_open(cal, datetime(2026, 11, 28, 15, tzinfo=RIGA))  # Saturday afternoon
    assert not is_open(cal, datetime(2026, 11, 29, 12, tzinfo=RIGA))  # Sunday
    assert not is_open(cal, datetime(2026, 11, 18, 12, tzinfo=RIGA))  # Proclamation Day


calls: list[str] = []


def recording_loader(ctx: demo.DemoContext) -> None:
    calls.append(ctx.workspace.slug)


@pytest.mark.django_db
def test_loaders_run_after_the_base_and_bad_paths_fail_before_any_write(monkeypatch):
    calls.clear()
    monkeypatch.setattr(demo, "DEMO_LOADERS", ["tests.core.test_demo.recording_loader"])
    demo.demo_load()
    assert calls == [demo.DEMO_WORKSPACE_SLUG]
    monkeypatch.setattr(demo, "DEMO_LOADERS", ["tests.core.test_demo.no_such_loader"])
    Workspace.objects.all().delete()
    with pytest.raises(ImportError):
        demo.demo_load()
    assert not Workspace.objects.exists()


def test_every_registered_loader_imports():
    for path in demo.DEMO_LOADERS:
        assert callable(__import__("django.utils.module_loading").utils.module_loading.import_string(path))


@pytest.mark.django_db
def test_demo_command_prints_the_login():
    out = StringIO()
    call_command("demo", "--no-migrate", stdout=out)
    text = out.getvalue()
    assert "anna" in text and demo.DEMO_PASSWORD in text
