"""Settings → Policy pages: everyone reads, only owners/managers edit, another workspace is a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopiena.policy.models import PolicyVersion
from kopiena.policy.selectors import policy_current, policy_export_yaml
from kopiena.teams.models import Role, Workspace


def url(name: str, workspace, **kwargs) -> str:
    return reverse(name, kwargs={"ws": workspace.slug, **kwargs})


def fresh_policy(workspace):
    return policy_current(workspace=Workspace.objects.get(pk=workspace.pk))


def test_overview_shows_the_sections_as_cards(login, owner, workspace):
    response = login(owner).get(url("policy", workspace))
    assert response.status_code == 200
    body = response.content.decode()
    for card in (
        "cadence",
        "content_mix",
        "links",
        "themes",
        "approval",
        "business_hours",
        "routing",
        "acute",
    ):
        assert f'id="card-{card}"' in body
    assert "Motivation Monday" in body
    assert url("policy_section", workspace, section="cadence") in body


def test_overview_is_in_the_users_language(client, login, owner, workspace):
    client.cookies["django_language"] = "lv"
    body = login(owner).get(url("policy", workspace), HTTP_ACCEPT_LANGUAGE="lv").content.decode()
    assert "Motivācijas pirmdiena" in body


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.ANALYST, Role.MODERATOR])
def test_members_who_cannot_edit_may_read_but_not_save(role, login, member, workspace):
    client = login(member(role))
    page = client.get(url("policy", workspace))
    assert page.status_code == 200
    assert url("policy_section", workspace, section="cadence") not in page.content.decode()
    assert client.get(url("policy_yaml", workspace)).status_code == 200
    assert client.get(url("policy_section", workspace, section="cadence")).status_code == 403
    text = policy_export_yaml(workspace=workspace)
    assert client.post(url("policy_yaml", workspace), {"text": text, "action": "save"}).status_code == 403
    form = {"max_per_day": 1, "min_gap_minutes": 0, "quiet_hours": "", "manager_may_override": "on"}
    assert client.post(url("policy_section", workspace, section="cadence"), form).status_code == 403
    assert not PolicyVersion.objects.exists()


def test_another_workspace_is_a_404(login, owner, workspace, other_workspace):
    client = login(owner)
    for name in ("policy", "policy_yaml", "policy_versions", "policy_export"):
        assert client.get(url(name, other_workspace)).status_code == 404
    assert client.get(url("policy_section", other_workspace, section="cadence")).status_code == 404
    assert client.get(url("policy_diff", other_workspace, number=1)).status_code == 404


def test_cadence_form_saves_a_new_version(login, member, workspace):
    client = login(member(Role.MANAGER))
    response = client.post(
        url("policy_section", workspace, section="cadence"),
        {
            "max_per_day": 3,
            "max_per_week": "",
            "min_gap_minutes": 60,
            "quiet_hours": "23:00-07:30, 12:00-13:00",
            "manager_may_override": "",
            "summary": "lunch break",
        },
    )
    assert response.status_code == 302
    rule = fresh_policy(workspace).publishing.cadence.default
    assert (rule.max_per_day, rule.max_per_week, rule.min_gap_minutes) == (3, None, 60)
    assert [(w.start, w.end) for w in rule.quiet_hours] == [("23:00", "07:30"), ("12:00", "13:00")]
    assert rule.manager_may_override is False
    assert PolicyVersion.objects.get().summary == "lunch break"


def test_cadence_form_shows_schema_errors_and_saves_nothing(login, owner, workspace):
    response = login(owner).post(
        url("policy_section", workspace, section="cadence"),
        {"max_per_day": 5, "max_per_week": 2, "min_gap_minutes": 0, "quiet_hours": "late"},
    )
    assert response.status_code == 200
    assert "09:00-18:00" in response.content.decode()
    response = login(owner).post(
        url("policy_section", workspace, section="cadence"),
        {"max_per_day": 5, "max_per_week": 2, "min_gap_minutes": 0, "quiet_hours": ""},
    )
    assert "Most posts a week must not be fewer than most posts a day." in response.content.decode()
    assert not PolicyVersion.objects.exists()


def test_mix_form_must_add_up_to_100(login, owner, workspace):
    client = login(owner)
    targets = {"target_photo": 50, "target_video": 40, "tolerance_percent": 5}
    response = client.post(url("policy_section", workspace, section="content_mix"), targets)
    assert "add up to 90" in response.content.decode()
    response = client.post(
        url("policy_section", workspace, section="content_mix"), {**targets, "target_text": 10}
    )
    assert response.status_code == 302
    mix = fresh_policy(workspace).publishing.content_mix.default
    assert mix.targets == {"photo": 50, "video": 40, "text": 10}
    assert mix.tolerance_percent == 5


def test_links_themes_hours_and_targets_forms(login, owner, workspace):
    client = login(owner)
    post = client.post(
        url("policy_section", workspace, section="links"),
        {
            "own_domains": "Kafija.lv\nshop.kafija.lv",
            "max_own_link_share_percent": 20,
            "require_context": "on",
            "allowed_contexts": "catalogue, faq",
            "utm_enabled": "on",
            "utm_only_own_domains": "on",
            "utm_params": "utm_source={platform}\nutm_medium=social",
        },
    )
    assert post.status_code == 302
    links = fresh_policy(workspace).publishing.links
    assert links.own_domains == ["kafija.lv", "shop.kafija.lv"]
    assert links.utm.params == {"utm_source": "{platform}", "utm_medium": "social"}

    post = client.post(
        url("policy_section", workspace, section="themes"),
        {"enabled": "on", "thursday": ["throwback_thursday"], "friday": ["tgif", "friday_fun"]},
    )
    assert post.status_code == 302
    weekdays = fresh_policy(workspace).publishing.themes.weekdays
    assert {d: [t.key for t in ts] for d, ts in weekdays.items()} == {
        "thursday": ["throwback_thursday"],
        "friday": ["tgif", "friday_fun"],
    }

    hours = {"country": "LV", "timezone": "", "closed_dates": "2026-12-24\n2026-12-31"}
    hours |= {"monday": "09:00-12:00, 13:00-18:00", "saturday": "10:00-14:00"}
    assert client.post(url("policy_section", workspace, section="business_hours"), hours).status_code == 302
    business = fresh_policy(workspace).engagement.business_hours
    assert [(w.start, w.end) for w in business.weekly["monday"]] == [("09:00", "12:00"), ("13:00", "18:00")]
    assert set(business.weekly) == {"monday", "saturday"}
    assert [d.isoformat() for d in business.closed_dates] == ["2026-12-24", "2026-12-31"]

    targets = {"first_response_hours": "4", "business_time": "on", "priority_urgent": "0.5"}
    assert (
        client.post(url("policy_section", workspace, section="response_targets"), targets).status_code == 302
    )
    response_targets = fresh_policy(workspace).engagement.response_targets
    assert (response_targets.first_response_seconds, response_targets.by_priority) == (
        14400,
        {"urgent": 1800},
    )
    assert PolicyVersion.objects.count() == 4


def test_unknown_section_is_a_404(login, owner, workspace):
    assert login(owner).get(url("policy_section", workspace, section="nope")).status_code == 404


def test_yaml_editor_checks_with_line_numbers_and_refuses_to_save_errors(login, owner, workspace):
    client = login(owner)
    page = client.get(url("policy_yaml", workspace))
    assert "max_per_day: 2" in page.content.decode()
    bad = policy_export_yaml(workspace=workspace).replace("max_per_day: 2", "max_per_day: many")
    line = bad.splitlines().index("      max_per_day: many") + 1
    for action in ("check", "save"):
        response = client.post(url("policy_yaml", workspace), {"text": bad, "action": action})
        body = response.content.decode()
        assert response.status_code == 200
        assert f"Line {line}" in body
        assert "publishing.cadence.default.max_per_day" in body
        assert "max_per_day: many" in body  # the text is kept for fixing
    assert not PolicyVersion.objects.exists()

    good = bad.replace("max_per_day: many", "max_per_day: 4")
    checked = client.post(url("policy_yaml", workspace), {"text": good, "action": "check"})
    assert 'data-testid="policy-valid"' in checked.content.decode()
    assert not PolicyVersion.objects.exists()
    saved = client.post(url("policy_yaml", workspace), {"text": good, "action": "save", "summary": "4"})
    assert saved.status_code == 302
    assert fresh_policy(workspace).publishing.cadence.default.max_per_day == 4


def test_versions_and_diff_pages(login, owner, workspace):
    client = login(owner)
    assert "No versions yet" in client.get(url("policy_versions", workspace)).content.decode()
    text = policy_export_yaml(workspace=workspace)
    client.post(url("policy_yaml", workspace), {"text": text, "action": "save"})
    client.post(
        url("policy_yaml", workspace),
        {"text": text.replace("max_per_day: 2", "max_per_day: 3"), "action": "save"},
    )
    listing = client.get(url("policy_versions", workspace)).content.decode()
    assert url("policy_diff", workspace, number=2) in listing
    diff = client.get(url("policy_diff", workspace, number=2)).content.decode()
    assert "-      max_per_day: 2" in diff
    assert "+      max_per_day: 3" in diff
    same = client.get(url("policy_diff", workspace, number=1)).content.decode()
    assert "No differences" in same  # version 1 is the defaults, unchanged
    assert client.get(url("policy_diff", workspace, number=2) + "?against=9").status_code == 404


def test_export_downloads_the_yaml(login, member, workspace):
    response = login(member(Role.CONTRIBUTOR)).get(url("policy_export", workspace))
    assert response["Content-Type"].startswith("application/yaml")
    assert response.content.decode() == policy_export_yaml(workspace=workspace)


def test_cadence_per_account_overrides_and_inherits(login, owner, workspace, other_workspace):
    from kopiena.integrations.models import ConnectedAccount

    shop = ConnectedAccount.objects.create(workspace=workspace, platform="mastodon", name="Shop")
    news = ConnectedAccount.objects.create(workspace=workspace, platform="telegram", name="News")
    theirs = ConnectedAccount.objects.create(workspace=other_workspace, platform="vk", name="Theirs")
    client = login(owner)
    page = client.get(url("policy_section", workspace, section="account_cadence")).content.decode()
    assert "Shop (Mastodon)" in page
    assert "Theirs" not in page
    # Rows follow the accounts' order (by name): News, Shop.
    response = client.post(
        url("policy_section", workspace, section="account_cadence"),
        {"a1_max_per_day": 4, "a1_min_gap_minutes": 30, "a0_max_per_day": ""},
    )
    assert response.status_code == 302
    overrides = fresh_policy(workspace).publishing.cadence.accounts
    assert set(overrides) == {f"mastodon:{shop.pk}"}
    assert (overrides[f"mastodon:{shop.pk}"].max_per_day, overrides[f"mastodon:{shop.pk}"].max_per_week) == (
        4,
        None,
    )
    assert f"telegram:{news.pk}" not in overrides and f"vk:{theirs.pk}" not in overrides
    # Clearing every field removes the override again.
    client.post(url("policy_section", workspace, section="account_cadence"), {})
    assert fresh_policy(workspace).publishing.cadence.accounts == {}


def test_cadence_per_account_without_accounts_shows_how_to_connect(login, owner, workspace):
    page = login(owner).get(url("policy_section", workspace, section="account_cadence")).content.decode()
    assert "No accounts connected yet" in page


def test_acute_and_tone_forms(login, owner, workspace):
    client = login(owner)
    acute = {
        "responder_roles": ["manager", "owner"],
        "must_apologise": "on",
        "escalate_after_minutes": 30,
        "escalate_to_roles": ["owner"],
    }
    assert client.post(url("policy_section", workspace, section="acute_playbook"), acute).status_code == 302
    playbook = fresh_policy(workspace).engagement.acute_playbook
    assert (playbook.escalate_after_seconds, playbook.reply_needs_approval) == (1800, False)
    assert playbook.responder_roles == ["manager", "owner"]
    assert playbook.tone["lv"].startswith("Mierīgi")  # texts the form doesn't show are kept

    tone = {
        "formality": "formal",
        "banned_lv": "nomierinieties\n  \nmuļķības",
        "banned_en": "",
        "banned_ru": "успокойтесь",
    }
    assert client.post(url("policy_section", workspace, section="tone"), tone).status_code == 302
    saved = fresh_policy(workspace).engagement.tone
    assert saved.formality == "formal"
    assert saved.banned_phrases == {"lv": ["nomierinieties", "muļķības"], "ru": ["успокойтесь"]}
