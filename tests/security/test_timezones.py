"""Issue 9 item 8: time zone names are checked against zoneinfo's zones in the forms and the services, and a
bad name already in the database never turns a page into a 500 (the workspace's zone, else UTC, is used)."""

from __future__ import annotations

from datetime import time

import pytest
from django.urls import reverse

from kopiena.core.errors import DomainError
from kopiena.core.zones import zone_name_of, zone_of
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.services import account_update
from kopiena.publishing.queues import queue_slot_add
from kopiena.publishing.services import post_approve, post_create, post_schedule
from kopiena.teams.models import Workspace
from kopiena.teams.selectors import access_workspace
from kopiena.teams.services import workspace_create, workspace_update
from tests.publishing.conftest import _fake_connector, daytime, make_account  # noqa: F401

BAD = ["Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Europe/../../../etc/passwd", "UTC\x00"]


def test_fallback_chain():
    assert zone_name_of("Mars/Olympus", "Europe/Riga") == "Europe/Riga"
    assert zone_name_of("../../etc/passwd", "") == "UTC"
    assert str(zone_of(None, "Asia/Tokyo")) == "Asia/Tokyo"


@pytest.mark.parametrize("name", BAD)
def test_services_refuse_unknown_zones(name, owner_access, make_user, make_account):  # noqa: F811
    account = make_account("Konts")
    with pytest.raises(DomainError):
        account_update(access=owner_access, account=account, timezone=name)
    with pytest.raises(DomainError):
        workspace_update(access=owner_access, name="X", timezone=name, country="LV", languages=["lv"])
    with pytest.raises(DomainError):
        workspace_create(owner=make_user(), name="Y", timezone=name)
    with pytest.raises(DomainError):
        post_create(access=owner_access, account_ids=[account.pk], text="t", timezone=name)
    account.refresh_from_db()
    assert account.timezone == ""
    account_update(access=owner_access, account=account, timezone="Asia/Tokyo")  # a real one is kept
    account_update(access=owner_access, account=account, timezone="")  # empty: the workspace's
    assert ConnectedAccount.objects.get(pk=account.pk).timezone == ""


@pytest.mark.parametrize("name", ["Mars/Olympus", "../../etc/passwd"])
def test_forms_refuse_unknown_zones(name, login, owner, workspace, make_account):  # noqa: F811
    client = login(owner)
    account = make_account("Konts")
    page = client.post(
        reverse("account_detail", kwargs={"ws": workspace.slug, "account_id": account.pk}),
        {"name": "Konts", "timezone": name},
    )
    assert page.status_code == 200 and "Unknown time zone" in page.content.decode()
    account.refresh_from_db()
    assert account.timezone == ""
    page = client.post(
        reverse("settings", kwargs={"ws": workspace.slug}),
        {"name": "X", "timezone": name, "country": "LV", "languages": ["lv"]},
    )
    assert page.status_code == 200
    assert Workspace.objects.get(pk=workspace.pk).timezone == "Europe/Riga"


def test_bad_zones_in_the_database_do_not_break_pages(login, owner, workspace, make_account):  # noqa: F811
    access = access_workspace(actor=owner, slug=workspace.slug)
    account = make_account("Konts", approval_required=False)
    queue_slot_add(access=access, account_id=account.pk, weekday=0, local_time=time(10, 0))
    post = post_create(access=access, account_ids=[account.pk], text="Sveiki")
    post_approve(access=access, post_id=post.pk)
    post_schedule(access=access, post_id=post.pk, at=daytime(2))
    # Saved before the check existed (or written straight into the database).
    ConnectedAccount.objects.filter(pk=account.pk).update(timezone="Mars/Olympus")
    Workspace.objects.filter(pk=workspace.pk).update(timezone="../../etc/passwd")
    type(post).objects.filter(pk=post.pk).update(timezone="Mars/Olympus")

    client = login(owner)
    ws = {"ws": workspace.slug}
    for name, kwargs in [
        ("calendar", ws),
        ("content_mix", ws),
        ("week_plan", ws),
        ("queues", ws),
        ("calendar_export", ws),
        ("calendar_import", ws),
        ("approvals", ws),
        ("analytics", ws),
        ("inbox", ws),
        ("settings", ws),
        ("post_new", ws),
        ("post_edit", {**ws, "post_id": post.pk}),
        ("account_detail", {**ws, "account_id": account.pk}),
    ]:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200, name
    validated = client.post(
        reverse("post_validate", kwargs=ws), {"accounts": [str(account.pk)], "text": "Sveiki"}
    )
    assert validated.status_code == 200
    start, end = daytime(-3).date(), daytime(30).date()
    events = client.get(reverse("calendar_events", kwargs=ws) + f"?start={start}&end={end}")
    assert events.status_code == 200 and [e["id"] for e in events.json()] == [str(post.pk)]


@pytest.mark.parametrize("name", ["Mars/Olympus", "../../etc/passwd", "posixrules", "right/UTC"])
def test_the_policy_business_hours_zone_is_checked_the_same_way(name):
    from pydantic import ValidationError

    from kopiena.policy.defaults import DEFAULT_DATA
    from kopiena.policy.schema import PolicyDocument

    data = PolicyDocument.model_validate(DEFAULT_DATA).to_data()
    data["engagement"]["business_hours"]["timezone"] = name
    with pytest.raises(ValidationError):
        PolicyDocument.model_validate(data)
    data["engagement"]["business_hours"]["timezone"] = "Europe/Riga"
    PolicyDocument.model_validate(data)
