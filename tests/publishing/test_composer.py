"""The composer (issue 16 items 1, 3, 4, 6): limits counted the platform's way, far-too-long text refused at
once, a refusal's proposed time that passes every rule, and the composer's time and media fields."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from kopiena.core.errors import DomainError
from kopiena.integrations.models import ConnectedAccount
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current_data
from kopiena.policy.services import policy_save
from kopiena.publishing import checks, platform
from kopiena.publishing.models import MediaAsset, Post, PostState
from kopiena.publishing.queues import QueueSlot
from kopiena.publishing.services import MediaInput, ScheduleRefused, post_create, post_schedule, post_update
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace

from .conftest import daytime


def url(name: str, workspace, **kwargs) -> str:
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


@pytest.fixture
def account(make_account):
    return make_account("Grauzdētava", approval_required=False)


@pytest.fixture
def mastodon(make_account):
    """The real Mastodon connector's counting (offline): the link is appended and counts 23 characters."""
    return make_account("Grauzdētava Mastodon", platform="mastodon", approval_required=False)


# ---------------------------------------------------------------- item 6: far beyond every limit


def test_text_ceiling_is_far_beyond_every_platform_limit():
    from kopiena.connectors import registry

    longest = max(cls.limits.max_text_length for cls in registry.all())
    assert platform.text_ceiling() >= 2 * longest
    assert platform.text_ceiling() < 200_000


def test_service_refuses_far_too_long_text_at_once(manager_access, account):
    platform.text_ceiling()  # the registry's first import is not what is measured
    started = time.perf_counter()
    with pytest.raises(DomainError) as refused:
        post_create(access=manager_access, account_ids=[account.pk], text="k" * 200_000)
    assert time.perf_counter() - started < 0.5
    assert refused.value.field == "text"
    assert "200000 characters" in refused.value.message
    assert Post.objects.count() == 0
    post = post_create(access=manager_access, account_ids=[account.pk], text="Kafija")
    with pytest.raises(DomainError):
        post_update(access=manager_access, post_id=post.pk, variant_texts={account.pk: "k" * 200_000})
    with pytest.raises(DomainError):
        post_update(access=manager_access, post_id=post.pk, first_comment="k" * 200_000)
    assert Post.objects.get().text == "Kafija"


def test_composer_refuses_far_too_long_text_at_once(member, login, workspace, account):
    client = login(member(Role.MANAGER))
    client.get(url("post_new", workspace))  # templates compiled, catalogues read: not what is measured
    started = time.perf_counter()
    response = client.post(
        url("post_new", workspace), {"accounts": [account.pk], "content_type": "text", "text": "k" * 200_000}
    )
    assert time.perf_counter() - started < 1.5
    assert response.status_code == 400
    assert "no platform takes more than" in response.content.decode()
    assert Post.objects.count() == 0
    live = client.post(
        url("post_validate", workspace),
        {"accounts": [account.pk], "content_type": "text", "text": "k" * 200_000},
    )
    assert 'data-testid="text-too-long"' in live.content.decode()


# ---------------------------------------------------------------- item 4: one count


def test_header_count_and_error_agree_when_the_link_counts(member, login, workspace, mastodon):
    client = login(member(Role.CONTRIBUTOR))
    data = {
        "accounts": [mastodon.pk],
        "content_type": "text",
        "text": "k" * 480,
        "link": "https://example.lv/a",
    }
    page = client.post(url("post_validate", workspace), data).content.decode()
    header = re.search(r'data-testid="char-count">\((\d+) of 500 characters\)', page)
    error = re.search(r"The text is (\d+) characters; the limit is 500", page)
    assert header and error, page
    assert header.group(1) == error.group(1) == str(480 + 2 + 23)  # "\n\n" + a URL counted as 23


def test_header_counts_the_platform_way_without_an_error(member, login, workspace, mastodon):
    client = login(member(Role.CONTRIBUTOR))
    data = {
        "accounts": [mastodon.pk],
        "content_type": "text",
        "text": "Sveiki",
        "link": "https://example.lv/" + "a" * 80,
    }
    page = client.post(url("post_validate", workspace), data).content.decode()
    assert "(31 of 500 characters)" in page  # 6 + 2 + 23, not the link's 98 characters


# ---------------------------------------------------------------- item 3: a proposal that passes every rule


@pytest.fixture
def own_link_policy(owner_access):
    """30 % of a week's posts may link to grauzdetava.lv (the default), posts 3 hours apart (the default)."""
    data = policy_current_data(workspace=owner_access.workspace)
    data["publishing"]["links"]["own_domains"] = ["grauzdetava.lv"]
    policy_save(access=owner_access, document=PolicyDocument.model_validate(data))


def _link_post(access, account, text="Katalogs"):
    return post_create(
        access=access,
        account_ids=[account.pk],
        content_type="link",
        text=text,
        link="https://grauzdetava.lv/katalogs",
        link_context="asked",
    )


def test_proposed_time_passes_every_rule_not_only_the_cadence(manager_access, account, own_link_policy):
    noon = daytime(2, 12)
    post_schedule(access=manager_access, post_id=_link_post(manager_access, account).pk, at=noon)
    second = _link_post(manager_access, account, "Vēlreiz katalogs")
    with pytest.raises(ScheduleRefused) as refused:
        post_schedule(access=manager_access, post_id=second.pk, at=noon - timedelta(hours=1))
    assert "cadence.min_gap" in [p.rule for p in refused.value.problems]
    proposed = refused.value.proposed_at
    # The cadence alone would say 15:00 the same day, which the week's own-link share refuses.
    assert proposed is not None and proposed != noon + timedelta(hours=3)
    accounts = [account]
    assert not checks.refusals_of(checks.timed_problems(post=second, at=proposed, accounts=accounts))
    scheduled = post_schedule(access=manager_access, post_id=second.pk, at=proposed)
    assert scheduled.scheduled_at == proposed
    riga = ZoneInfo("Europe/Riga")
    assert proposed.astimezone(riga).weekday() == 0  # the next week, after the quiet hours
    assert proposed.astimezone(riga).hour == 8


def test_no_proposal_when_no_time_helps(manager_access, make_account):
    account = make_account("Grauzdētava", approval_required=False)
    post = post_create(access=manager_access, account_ids=[account.pk], text="k" * 501)
    with pytest.raises(ScheduleRefused) as refused:
        post_schedule(access=manager_access, post_id=post.pk, at=daytime(2, 23))  # quiet hours too
    assert refused.value.proposed_at is None  # the text is too long at any time


def test_use_this_time_in_one_click(member, login, workspace, manager_access, account, own_link_policy):
    noon = daytime(2, 12)
    post_schedule(access=manager_access, post_id=_link_post(manager_access, account).pk, at=noon)
    second = _link_post(manager_access, account, "Vēlreiz katalogs")
    client = login(member(Role.MANAGER))
    riga = ZoneInfo("Europe/Riga")
    asked = (noon - timedelta(hours=1)).astimezone(riga).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url("post_schedule", workspace, post_id=second.pk), {"at": asked})
    assert response.status_code == 302 and "proposed=" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    form = re.search(r'data-testid="proposed-time">.*?name="at" value="([^"]+)"', page, re.S)
    assert form, page
    client.post(url("post_schedule", workspace, post_id=second.pk), {"at": form.group(1)})
    second.refresh_from_db()
    assert second.state == PostState.SCHEDULED
    assert second.scheduled_at.astimezone(riga).strftime("%Y-%m-%dT%H:%M") == form.group(1)
    # a proposal in the address that is not a time is ignored
    assert (
        'data-testid="proposed-time"'
        not in client.get(
            url("post_edit", workspace, post_id=second.pk) + "?proposed=nonsense"
        ).content.decode()
    )


# ---------------------------------------------------------------- item 1: time, media, preview

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _compose(**extra):
    return {"content_type": "text", "text": "Jaunā kafija", **extra}


def test_several_files_each_with_its_alt_text(member, login, workspace, account, media_root):
    client = login(member(Role.MANAGER))
    files = [SimpleUploadedFile(f"kafija{n}.png", PNG, content_type="image/png") for n in (1, 2)]
    response = client.post(
        url("post_new", workspace),
        _compose(accounts=[account.pk], media_file=files, media_alt="Krūze uz galda\nPupiņas maisā"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get()
    assert [(m.alt_text, m.mime_type) for m in post.media.order_by("position")] == [
        ("Krūze uz galda", "image/png"),
        ("Pupiņas maisā", "image/png"),
    ]


def test_alt_text_rule_is_the_same_live_and_on_save(member, login, workspace, account, media_root):
    client = login(member(Role.MANAGER))
    files = [SimpleUploadedFile(f"kafija{n}.png", PNG, content_type="image/png") for n in (1, 2)]
    saved = client.post(
        url("post_new", workspace), _compose(accounts=[account.pk], media_file=files, media_alt="Tikai viena")
    )
    assert saved.status_code == 400 and Post.objects.count() == 0
    assert "2 files, 1 lines" in saved.content.decode()
    live = client.post(
        url("post_validate", workspace),
        _compose(accounts=[account.pk], media_chosen="2", media_alt="Tikai viena"),
    ).content.decode()
    assert 'data-testid="missing-alt"' in live and "2 files, 1 lines" in live
    one = client.post(url("post_validate", workspace), _compose(accounts=[account.pk], media_chosen="1"))
    assert "Add alt text so everyone can follow the post." in one.content.decode()
    fine = client.post(
        url("post_validate", workspace), _compose(accounts=[account.pk], media_chosen="2", media_alt="a\nb")
    )
    assert 'data-testid="missing-alt"' not in fine.content.decode()


def test_a_text_file_named_png_is_refused(member, login, workspace, account, media_root):
    client = login(member(Role.MANAGER))
    fake = SimpleUploadedFile("kafija.png", b"just some text, not an image", content_type="image/png")
    response = client.post(
        url("post_new", workspace), _compose(accounts=[account.pk], media_file=[fake], media_alt="Krūze")
    )
    assert response.status_code == 400 and Post.objects.count() == 0
    assert "Only JPEG, PNG, GIF or WebP images" in response.content.decode()


def test_publish_at_keeps_the_planned_time_with_the_draft(member, login, workspace, account):
    client = login(member(Role.CONTRIBUTOR))
    response = client.post(
        url("post_new", workspace), _compose(accounts=[account.pk], publish_at="2030-03-05T10:30")
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.state == PostState.DRAFT
    assert (
        post.scheduled_at.astimezone(ZoneInfo("Europe/Riga")).strftime("%Y-%m-%d %H:%M") == "2030-03-05 10:30"
    )
    bad = client.post(url("post_new", workspace), _compose(accounts=[account.pk], publish_at="someday"))
    assert bad.status_code == 400 and Post.objects.count() == 1


def test_next_free_slot_for_the_chosen_account(member, login, workspace, account, other_workspace):
    client = login(member(Role.CONTRIBUTOR))
    empty = client.get(url("post_next_slot", workspace), {"account": account.pk}).json()
    assert empty["local"] is None and "No free queue slot" in empty["reason"]
    QueueSlot.objects.create(workspace=workspace, account=account, weekday=2, local_time=dt_time(10, 30))
    found = client.get(url("post_next_slot", workspace), {"account": account.pk}).json()
    assert found["local"].endswith("T10:30")
    assert datetime.fromisoformat(found["local"]).weekday() == 2
    # another workspace's account is not there for this member
    stranger = ConnectedAccount.objects.create(
        workspace=other_workspace, platform="fakeplatform", name="Cits"
    )
    assert client.get(url("post_next_slot", workspace), {"account": stranger.pk}).json()["local"] is None


def test_preview_shows_each_network_its_way(member, login, workspace, account, mastodon):
    client = login(member(Role.CONTRIBUTOR))
    page = client.post(
        url("post_validate", workspace),
        _compose(accounts=[account.pk, mastodon.pk], link="https://grauzdetava.lv/katalogs"),
    ).content.decode()
    rows = page.split('data-testid="problem-row"')[1:]
    by_account = {re.search(r'data-account-id="(\d+)"', row).group(1): row for row in rows}
    on_mastodon = by_account[str(mastodon.pk)]
    # Mastodon has no link field: the link is appended to the text, no card
    assert "Jaunā kafija\n\nhttps://grauzdetava.lv/katalogs" in on_mastodon
    assert 'data-testid="link-card"' not in on_mastodon
    # a platform with a link field shows it as a card
    on_fake = by_account[str(account.pk)]
    assert 'data-testid="link-card"' in on_fake and "grauzdetava.lv" in on_fake


# ---------------------------------------------------------------- item 1: the media library


def test_uploads_go_to_the_library_and_are_reused_with_their_alt_text(
    member, login, workspace, account, media_root, other_workspace
):
    client = login(member(Role.MANAGER))
    upload = SimpleUploadedFile("kafija.png", PNG, content_type="image/png")
    client.post(
        url("post_new", workspace), _compose(accounts=[account.pk], media_file=[upload], media_alt="Krūze")
    )
    asset = MediaAsset.objects.get()
    assert (asset.workspace_id, asset.alt_text, asset.mime_type) == (workspace.pk, "Krūze", "image/png")
    first = Post.objects.get()

    page = client.get(url("post_new", workspace)).content.decode()
    assert "Reuse from the media library" in page and "Krūze" in page
    response = client.post(url("post_new", workspace), _compose(accounts=[account.pk], library=[asset.pk]))
    assert response.status_code == 302
    second = Post.objects.exclude(pk=first.pk).get()
    reused = second.media.get()
    assert reused.file.name == first.media.get().file.name  # the same stored file, not a copy
    assert reused.alt_text == "Krūze" and reused.mime_type == "image/png"
    assert MediaAsset.objects.count() == 1  # reusing adds nothing to the library

    # another workspace's library file cannot be attached
    foreign = MediaAsset.objects.create(
        workspace=other_workspace, file=asset.file.name, mime_type="image/png"
    )
    refused = client.post(url("post_new", workspace), _compose(accounts=[account.pk], library=[foreign.pk]))
    assert refused.status_code == 400  # not one of the choices
    with pytest.raises(Http404):
        post_create(
            access=manager_access_of(member, workspace),
            account_ids=[account.pk],
            text="x",
            media=[MediaInput(asset_id=foreign.pk)],
        )


def manager_access_of(member, workspace):
    return access_workspace(actor=member(Role.MANAGER), slug=workspace.slug)
