"""Content types come from the policy: add one in the policy editor and posts, the composer, the calendar,
the import and iCal know it; an unknown one is refused naming the policy's list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopiena.core.errors import DomainError
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current, policy_current_data
from kopiena.policy.services import policy_save
from kopiena.publishing.content_types import content_type_colour, content_types
from kopiena.publishing.importers import OUR_COLUMNS, posts_import
from kopiena.publishing.models import Post
from kopiena.publishing.services import post_create, post_update
from kopiena.teams.models import Workspace

from .conftest import daytime


def _with_types(access, extra: dict, drop: tuple[str, ...] = ()) -> None:
    data = policy_current_data(workspace=access.workspace)
    types = data["publishing"]["content_mix"]["types"]
    for key in drop:
        types.pop(key)
    types.update(extra)
    data["publishing"]["content_mix"]["default"]["targets"] = {}
    policy_save(access=access, document=PolicyDocument.model_validate(data))
    access.workspace.refresh_from_db()


BEHIND = {"behind_scenes": {"en": "Behind the scenes", "lv": "Aizkulises", "ru": "За кадром"}}


def test_a_type_added_to_the_policy_is_a_post_type(manager_access, make_account):
    account = make_account(approval_required=False)
    with pytest.raises(DomainError, match="the policy lists: photo, video") as refused:
        post_create(access=manager_access, account_ids=[account.pk], content_type="behind_scenes", text="x")
    assert refused.value.field == "content_type"

    _with_types(manager_access, BEHIND)
    post = post_create(
        access=manager_access, account_ids=[account.pk], content_type="behind_scenes", text="x"
    )
    assert post.content_type == "behind_scenes"
    assert ("behind_scenes", "Aizkulises") in content_types(manager_access.workspace, "lv")
    assert content_type_colour("behind_scenes") == content_type_colour("behind_scenes") != "#5b6770"


def test_a_post_keeps_a_type_the_policy_dropped(manager_access, make_account):
    account = make_account(approval_required=False)
    _with_types(manager_access, BEHIND)
    post = post_create(
        access=manager_access, account_ids=[account.pk], content_type="behind_scenes", text="x"
    )
    _with_types(manager_access, {}, drop=("behind_scenes",))
    post_update(access=manager_access, post_id=post.pk, content_type="behind_scenes", text="edited")
    with pytest.raises(DomainError):
        post_update(access=manager_access, post_id=post.pk, content_type="comic_strip")


def test_composer_calendar_and_import_offer_the_policys_types(
    manager_access, make_account, login, client, workspace
):
    account = make_account(approval_required=False)
    _with_types(manager_access, BEHIND)
    manager = login(manager_access.user)
    composer = manager.get(reverse("post_new", kwargs={"ws": workspace.slug})).text
    assert 'value="behind_scenes"' in composer and "Behind the scenes" in composer

    post = post_create(access=manager_access, account_ids=[account.pk], content_type="behind_scenes", text="")
    Post.objects.filter(pk=post.pk).update(scheduled_at=daytime(1))
    calendar = manager.get(reverse("calendar", kwargs={"ws": workspace.slug})).text
    assert "Behind the scenes" in calendar and content_type_colour("behind_scenes") in calendar

    header = ",".join(OUR_COLUMNS)
    rows = [f",{account.name},Kafijas ceļš,,,behind_scenes,,,,,", f",{account.name},x,,,comic_strip,,,,,"]
    csv_text = "\n".join([header, *rows]) + "\n"
    result = posts_import(access=manager_access, content=csv_text.encode(), filename="plan.csv")
    assert not result.ok
    assert [(p.row, p.column) for p in result.problems] == [(3, "content_type")]
    assert "behind_scenes" in result.problems[0].message


def test_the_policy_editor_adds_a_type(login, owner, workspace):
    client = login(owner)
    response = client.post(
        reverse("policy_section", kwargs={"ws": workspace.slug, "section": "content_mix"}),
        {"target_photo": 100, "tolerance_percent": 10, "new_type": "Behind the scenes"},
    )
    assert response.status_code == 302
    mix = policy_current(workspace=Workspace.objects.get(pk=workspace.pk)).publishing.content_mix
    assert mix.types["behind_the_scenes"]["en"] == "Behind the scenes"
    client.post(
        reverse("policy_section", kwargs={"ws": workspace.slug, "section": "content_mix"}),
        {"target_photo": 100, "tolerance_percent": 10, "new_type": "За кадром"},
    )
    types = policy_current(workspace=Workspace.objects.get(pk=workspace.pk)).publishing.content_mix.types
    assert types["type_2"] == {"en": "За кадром"}
    assert "За кадром" in [
        t.get("en") for t in policy_current(workspace=workspace).publishing.content_mix.types.values()
    ]
