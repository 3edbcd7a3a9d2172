"""The publishing UI: calendar, its JSON feed and drag endpoint, composer, review, queues, mix, per role."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from kopiena.audit.models import AuditEvent
from kopiena.publishing.models import Delivery, Post, PostState
from kopiena.publishing.queues import QueueSlot, next_free_slot
from kopiena.publishing.services import post_create, post_schedule
from kopiena.teams.models import Role

from .conftest import daytime

RIGA = ZoneInfo("Europe/Riga")


@pytest.fixture
def account(make_account):
    return make_account("Grauzdētava Mastodon", approval_required=False)


@pytest.fixture
def scheduled(manager_access, account):
    post = post_create(access=manager_access, account_ids=[account.pk], content_type="photo", text="Kafija")
    return post_schedule(access=manager_access, post_id=post.pk, at=daytime(3, 12))


def url(name: str, workspace, **kwargs) -> str:
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.MODERATOR, Role.CONTRIBUTOR, Role.ANALYST])
def test_every_role_sees_the_calendar_pages(role, member, login, workspace, account):
    client = login(member(role))
    for name in ["calendar", "approvals", "content_mix", "queues", "calendar_feeds"]:
        response = client.get(url(name, workspace))
        assert response.status_code == 200, name
    page = client.get(url("calendar", workspace)).content.decode()
    assert "Europe/Riga" in page and 'id="kp-calendar-config"' in page
    assert "<script>" not in page  # CSP: data only, no inline code


def test_other_workspace_is_404(member, login, workspace, other_workspace, scheduled):
    client = login(member(Role.MANAGER))
    assert client.get(url("calendar", other_workspace)).status_code == 404
    assert client.get(url("post_edit", other_workspace, post_id=scheduled.pk)).status_code == 404
    # a post of this workspace through another workspace's URL is not found either
    stranger = other_workspace.memberships.get().user
    other = login(stranger)
    assert other.get(url("post_edit", other_workspace, post_id=scheduled.pk)).status_code == 404
    response = other.post(
        url("post_move", other_workspace, post_id=scheduled.pk), {"days": 1}, content_type="application/json"
    )
    assert response.status_code == 404


def test_events_are_local_times_and_filtered(member, login, workspace, scheduled, account):
    client = login(member(Role.CONTRIBUTOR))
    start = (scheduled.scheduled_at - timedelta(days=2)).astimezone(RIGA).strftime("%Y-%m-%dT00:00:00")
    end = (scheduled.scheduled_at + timedelta(days=2)).astimezone(RIGA).strftime("%Y-%m-%dT00:00:00")
    events = client.get(url("calendar_events", workspace), {"start": start, "end": end}).json()
    assert [e["id"] for e in events] == [str(scheduled.pk)]
    assert events[0]["start"] == scheduled.scheduled_at.astimezone(RIGA).strftime("%Y-%m-%dT%H:%M:%S")
    assert events[0]["extendedProps"]["accounts"] == [account.name]
    assert events[0]["editable"] is False  # contributors cannot drag
    video_only = client.get(url("calendar_events", workspace), {"start": start, "end": end, "type": "video"})
    assert video_only.json() == []
    assert client.get(url("calendar_events", workspace), {"start": "x", "end": end}).status_code == 400


def test_drag_moves_a_day_and_keeps_the_wall_clock_time(member, login, workspace, scheduled):
    client = login(member(Role.MANAGER))
    before = scheduled.scheduled_at
    response = client.post(
        url("post_move", workspace, post_id=scheduled.pk), {"days": 1}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    post = Post.objects.get(pk=scheduled.pk)
    assert post.scheduled_at.astimezone(RIGA).time() == before.astimezone(RIGA).time()
    assert post.scheduled_at.astimezone(RIGA).date() == before.astimezone(RIGA).date() + timedelta(days=1)
    assert Delivery.objects.get(post=post).due_at == post.scheduled_at
    assert AuditEvent.objects.filter(action="post.reschedule", object_id=str(post.pk)).exists()


def test_refused_drag_says_why_proposes_a_slot_and_changes_nothing(
    member, login, workspace, scheduled, manager_access, account
):
    other = post_create(access=manager_access, account_ids=[account.pk], content_type="video", text="Otrs")
    post_schedule(access=manager_access, post_id=other.pk, at=scheduled.scheduled_at + timedelta(days=1))
    client = login(member(Role.MANAGER))
    # one hour after the other post: the default policy's 180-minute gap refuses it
    target = (scheduled.scheduled_at + timedelta(days=1, hours=1)).astimezone(RIGA)
    response = client.post(
        url("post_move", workspace, post_id=scheduled.pk),
        {"start": target.strftime("%Y-%m-%dT%H:%M")},
        content_type="application/json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["ok"] is False and "cadence.min_gap" in body["rules"]
    assert body["proposed_at"] == (scheduled.scheduled_at + timedelta(days=1, hours=3)).astimezone(
        RIGA
    ).strftime("%Y-%m-%dT%H:%M:%S")
    assert Post.objects.get(pk=scheduled.pk).scheduled_at == scheduled.scheduled_at


def test_contributor_cannot_move(member, login, workspace, scheduled):
    client = login(member(Role.CONTRIBUTOR))
    response = client.post(
        url("post_move", workspace, post_id=scheduled.pk), {"days": 1}, content_type="application/json"
    )
    assert response.status_code == 403


def test_contributor_drafts_and_submits_manager_approves_and_schedules(
    member, login, workspace, make_account
):
    first = make_account("Mastodon A")
    second = make_account("Mastodon B")
    contributor = login(member(Role.CONTRIBUTOR))
    response = contributor.post(
        url("post_new", workspace),
        {
            "accounts": [first.pk, second.pk],
            "content_type": "text",
            "text": "Jauna kafija šonedēļ",
            "tags": "kafija, jaunums",
            f"variant_{second.pk}": "Jauna kafija! #kafija",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get()
    assert post.tags == ["kafija", "jaunums"]
    assert {v.account_id: v.text for v in post.variants.all()} == {
        first.pk: "Jauna kafija šonedēļ",
        second.pk: "Jauna kafija! #kafija",
    }
    assert contributor.post(url("post_approve", workspace, post_id=post.pk)).status_code == 403
    contributor.post(url("post_submit", workspace, post_id=post.pk))
    assert Post.objects.get().state == PostState.IN_REVIEW

    manager_user = member(Role.MANAGER)
    manager = login(manager_user)
    queue = manager.get(url("approvals", workspace)).content.decode()
    assert "Jauna kafija" in queue
    manager.post(url("post_approve", workspace, post_id=post.pk), {"comment": "Labi"})
    assert Post.objects.get().state == PostState.APPROVED
    at = daytime(2, 11).astimezone(RIGA)
    manager.post(url("post_schedule", workspace, post_id=post.pk), {"at": at.strftime("%Y-%m-%dT%H:%M")})
    post = Post.objects.get()
    assert post.state == PostState.SCHEDULED and post.scheduled_at == at
    assert Delivery.objects.filter(post=post).count() == 2


def test_send_back_needs_a_comment_and_returns_a_draft(member, login, workspace, account, access_for):
    author = member(Role.CONTRIBUTOR)
    login(author).post(
        url("post_new", workspace), {"accounts": [account.pk], "content_type": "text", "text": "A"}
    )
    post = Post.objects.get()
    login(author).post(url("post_submit", workspace, post_id=post.pk))
    manager = login(member(Role.MANAGER))
    manager.post(url("post_send_back", workspace, post_id=post.pk), {"comment": ""})
    assert Post.objects.get().state == PostState.IN_REVIEW  # refused: say what to change
    manager.post(url("post_send_back", workspace, post_id=post.pk), {"comment": "Add a photo"})
    assert Post.objects.get().state == PostState.DRAFT
    assert "Add a photo" in manager.get(url("post_edit", workspace, post_id=post.pk)).content.decode()


def test_live_validation_shows_platform_problems(member, login, workspace, account):
    client = login(member(Role.CONTRIBUTOR))
    response = client.post(
        url("post_validate", workspace), {"accounts": [account.pk], "text": "x" * 501, "content_type": "text"}
    )
    assert response.status_code == 200
    assert "501 characters; the limit is 500" in response.content.decode()
    ok = client.post(url("post_validate", workspace), {"accounts": [account.pk], "text": "Sveiki"})
    assert "text-danger" not in ok.content.decode()
    assert Post.objects.count() == 0  # the live check writes nothing


def test_queue_slots_and_next_free_slot(member, login, workspace, account, manager_access):
    manager_user = member(Role.MANAGER)
    manager = login(manager_user)
    response = manager.post(
        url("queues", workspace), {"account": account.pk, "weekday": 2, "local_time": "10:30"}
    )
    assert response.status_code == 302
    slot = QueueSlot.objects.get()
    after = datetime(2030, 1, 1, 12, tzinfo=UTC)  # a Tuesday
    first = next_free_slot(account, after=after)
    assert first == datetime.combine(after.date() + timedelta(days=1), time(10, 30), tzinfo=RIGA)
    post = post_create(access=manager_access, account_ids=[account.pk], text="Rindā")
    post_schedule(access=manager_access, post_id=post.pk, at=first)
    assert next_free_slot(account, after=after) == first + timedelta(days=7)
    contributor = login(member(Role.CONTRIBUTOR))
    assert contributor.post(url("queue_slot_delete", workspace, slot_id=slot.pk)).status_code == 403
    login(manager_user).post(url("queue_slot_delete", workspace, slot_id=slot.pk))
    assert not QueueSlot.objects.exists()


def test_schedule_in_next_free_slot(member, login, workspace, account, manager_access):
    client = login(member(Role.MANAGER))
    tomorrow = (datetime.now(RIGA) + timedelta(days=1)).weekday()
    client.post(url("queues", workspace), {"account": account.pk, "weekday": tomorrow, "local_time": "12:00"})
    post = post_create(access=manager_access, account_ids=[account.pk], text="Slots")
    client.post(url("post_schedule", workspace, post_id=post.pk), {"next_free_slot": "on"})
    post = Post.objects.get(pk=post.pk)
    assert post.state == PostState.SCHEDULED
    assert post.scheduled_at.astimezone(RIGA).time() == time(12, 0)


def test_mix_panel_counts_planned_posts(member, login, workspace, scheduled):
    client = login(member(Role.ANALYST))
    page = client.get(url("content_mix", workspace)).content.decode()
    assert 'data-kp-mix-chart="week"' in page and 'id="kp-mix-data"' in page
    data = json.loads(page.split('id="kp-mix-data" type="application/json">')[1].split("</script>")[0])
    assert set(data["series"]) == {"week", "month"}


def test_live_check_flags_a_post_that_worsens_a_drifted_mix(
    member, login, workspace, account, manager_access
):
    soon = datetime.now(UTC) + timedelta(minutes=10)  # this week (the live check looks at the current one)
    for minutes in (0, 10):  # two photos: photo is far above the default 25 % target
        post = post_create(
            access=manager_access, account_ids=[account.pk], content_type="photo", text=f"F{minutes}"
        )
        at = soon + timedelta(minutes=minutes)
        post_schedule(access=manager_access, post_id=post.pk, at=at, override_reason="test plan")
    client = login(member(Role.CONTRIBUTOR))
    photo = client.post(
        url("post_validate", workspace), {"accounts": [account.pk], "text": "Vēl", "content_type": "photo"}
    ).content.decode()
    assert 'data-testid="mix-note"' in photo and "makes it worse" in photo
    video = client.post(
        url("post_validate", workspace), {"accounts": [account.pk], "text": "Vēl", "content_type": "video"}
    ).content.decode()
    assert 'data-testid="mix-note"' not in video


def test_drag_across_the_dst_change_keeps_the_wall_clock_and_week_view_moves_hours(
    member, login, workspace, manager_access, account
):
    saturday = datetime(2027, 3, 27, 12, tzinfo=RIGA)  # Riga moves to summer time on Sunday 28 March
    post = post_create(access=manager_access, account_ids=[account.pk], text="Vasaras laiks")
    post_schedule(access=manager_access, post_id=post.pk, at=saturday)
    client = login(member(Role.MANAGER))
    move = url("post_move", workspace, post_id=post.pk)
    assert client.post(move, {"days": 1}, content_type="application/json").status_code == 200
    moved = Post.objects.get(pk=post.pk).scheduled_at
    assert moved.astimezone(RIGA) == datetime(2027, 3, 28, 12, tzinfo=RIGA)
    assert moved - saturday == timedelta(hours=23)  # one real hour shorter, same clock time
    two_hours = {"days": 0, "milliseconds": 2 * 3600 * 1000}  # a week-view drag down two hours
    assert client.post(move, two_hours, content_type="application/json").status_code == 200
    assert Post.objects.get(pk=post.pk).scheduled_at.astimezone(RIGA).hour == 14
