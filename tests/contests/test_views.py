"""The contest pages, the public regulations and verification pages, the CSV and the REST API."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kopiena.contests import services
from kopiena.contests.models import Contest, ContestState, Entry
from kopiena.teams.models import Role
from tests.api.conftest import api_client  # noqa: F401 - the shared fixture
from tests.contests.conftest import ingest, remote

pytestmark = pytest.mark.django_db


def _drawn(owner_access, make_contest):
    contest = make_contest()
    services.contest_close(access=owner_access, contest_id=contest.pk)
    return services.contest_draw(access=owner_access, contest_id=contest.pk)[0]


def test_create_from_the_form_and_see_what_blocks_approval(owner, workspace, account, login):
    client = login(owner)
    page = client.get(reverse("contests", kwargs={"ws": workspace.slug}))
    assert "No contests yet" in page.text
    answer = client.post(reverse("contest_new", kwargs={"ws": workspace.slug}), {
        "title": "Rudens konkurss", "account": account.pk, "post_id": "p1", "starts_at": "2026-11-24T10:00",
        "ends_at": "2026-11-24T20:00", "timezone": "Europe/Riga", "winners_count": "1", "mechanic": "comment",
        "prizes": "Kafija", "one_entry_per_person": "on",
    })  # fmt: skip
    contest = Contest.objects.get()
    assert answer.status_code == 302 and contest.starts_at.hour == 8  # 10:00 in Riga is 08:00 UTC
    approve = client.post(
        reverse("contest_approve", kwargs={"ws": workspace.slug, "contest_id": contest.pk}), follow=True
    )
    assert (
        "The regulations are not complete. Missing:" in approve.text
        and "Organiser and contact" in approve.text
    )
    contest.refresh_from_db()
    assert contest.state == ContestState.DRAFT


def test_bad_form_input_is_a_message_not_a_crash(owner, workspace, account, login):
    client = login(owner)
    answer = client.post(reverse("contest_new", kwargs={"ws": workspace.slug}), {
        "title": "X", "account": account.pk, "post_id": "p1", "starts_at": "2026-11-24T10:00",
        "ends_at": "2026-11-24T09:00", "timezone": "Europe/Riga", "winners_count": "1", "mechanic": "quiz",
    })  # fmt: skip
    assert answer.status_code == 422 and "must end after it starts" in answer.text


def test_a_contributor_cannot_approve_and_another_workspace_sees_nothing(
    member, workspace, login, make_contest, other_workspace, make_user
):
    contest = make_contest(approve=False)
    client = login(member(Role.CONTRIBUTOR))
    client.post(
        reverse("contest_checklist", kwargs={"ws": workspace.slug, "contest_id": contest.pk}),
        {"key": "platform_rules", "confirmed": "1"},
    )
    contest.refresh_from_db()
    assert contest.checklist_confirmed == []
    stranger = login(other_workspace.memberships.get().user)
    assert (
        stranger.get(
            reverse("contest_detail", kwargs={"ws": workspace.slug, "contest_id": contest.pk})
        ).status_code
        == 404
    )


def test_public_pages_regulations_versions_and_verification(client, owner_access, account, make_contest):
    draft = make_contest(approve=False)
    assert client.get(reverse("contest_rules", kwargs={"public_id": draft.public_id})).status_code == 404
    ingest(account, remote("c1", "Piedalos", author="a"), remote("c2", "Es arī", author="b", minutes=1))
    contest = _drawn(owner_access, make_contest)
    rules = client.get(reverse("contest_rules", kwargs={"public_id": contest.public_id}) + "?lang=lv")
    assert rules.status_code == 200 and contest.seed_sha256 in rules.text and "Konkursa" in rules.text
    verify = client.get(reverse("contest_verify", kwargs={"public_id": contest.public_id}))
    assert 'data-testid="verify-ok"' in verify.text and contest.seed in verify.text
    export = json.loads(
        client.get(reverse("contest_export", kwargs={"public_id": contest.public_id})).content
    )
    export["entries"][0]["decision"] = "late"
    upload = SimpleUploadedFile("draw.json", json.dumps(export).encode(), content_type="application/json")
    tampered = client.post(
        reverse("contest_verify", kwargs={"public_id": contest.public_id}), {"export": upload}
    )
    assert 'data-testid="verify-failed"' in tampered.text
    assert "does not match the hash recorded when it was frozen" in tampered.text
    junk = SimpleUploadedFile("draw.json", b"not json", content_type="application/json")
    assert (
        client.post(
            reverse("contest_verify", kwargs={"public_id": contest.public_id}), {"export": junk}
        ).status_code
        == 422
    )


def test_entries_csv_is_formula_safe_and_lists_every_decision(owner, workspace, account, make_contest, login):
    contest = make_contest()
    ingest(
        account,
        remote("c1", '=HYPERLINK("http://evil.example")', author="a"),
        remote("c2", "Es", author="a", minutes=1),
    )
    services.contest_collect(contest_id=contest.pk)
    answer = login(owner).get(
        reverse("contest_entries_csv", kwargs={"ws": workspace.slug, "contest_id": contest.pk})
    )
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    # The classifier calls the formula spam: listed with its reason, never dropped.
    assert [r["decision"] for r in rows] == ["spam", "eligible"]
    assert (
        rows[0]["text"].startswith("'=")
        and rows[0]["reason"] == "The classifier marked this comment as spam."
    )


def test_rest_api_runs_a_contest(api_client, owner, workspace, account):  # noqa: F811
    api = api_client(owner, workspace)
    body = {
        "title": "API konkurss", "posts": [{"account": account.pk, "post_id": "p1"}],
        "starts_at": "2026-11-24T09:00:00+00:00", "ends_at": "2026-11-24T12:00:00+00:00", "timezone": "Europe/Riga",
        "prizes": ["Kafija"], "winners_count": 1,
    }  # fmt: skip
    created = api.request("POST", "/contests", json=body)
    assert created.status_code == 201, created.content
    contest_id = created.json()["id"]
    refused = api.request("POST", f"/contests/{contest_id}/approve")
    assert refused.status_code == 400 and "Missing" in refused.json()["detail"]
    complete = body | {"organiser": "SIA K", "organiser_contact": "k@k.lv", "who_may_enter": "Visi",
                       "winners_notice": "DM", "prize_delivery": "Pasts", "privacy_url": "https://k.lv/p", "complaints": "E-pasts"}  # fmt: skip
    assert api.request("PUT", f"/contests/{contest_id}", json=complete).status_code == 200
    assert (
        api.request("POST", f"/contests/{contest_id}/checklist", json={"key": "platform_rules"}).status_code
        == 200
    )
    assert api.request("POST", f"/contests/{contest_id}/approve").json()["state"] == "approved"
    ingest(account, remote("c1", "Es", author="a"), remote("c2", "Es atkal", author="a", minutes=1))
    assert api.request("POST", f"/contests/{contest_id}/collect").json() == {"eligible": 1, "duplicate": 1}
    entries = api.get(f"/contests/{contest_id}/entries").json()
    assert [e["decision_label"] for e in entries] == ["Eligible", "Duplicate"]
    assert api.request("POST", f"/contests/{contest_id}/close").json()["frozen_count"] == 2
    drawn = api.request("POST", f"/contests/{contest_id}/draw").json()
    assert drawn["contest"]["state"] == "drawn" and drawn["note"] == ""
    export = api.get(f"/contests/{contest_id}/draw-export").json()
    assert export["rounds"][0]["winners"] == ["mastodon:c1"]
    assert api.get(f"/contests/{contest_id}/entries.csv").status_code == 200
    assert Entry.objects.count() == 2


def test_every_action_from_the_contest_page(owner, workspace, account, make_contest, login):
    from kopiena.contests.models import Winner

    contest = make_contest(winners_count=1)
    ingest(account, remote("c1", "Piedalos", author="a"), remote("c2", "Es", author="b", minutes=1))
    client = login(owner)

    def act(name, data=None, **extra):
        url = reverse(name, kwargs={"ws": workspace.slug, "contest_id": contest.pk, **extra})
        return client.post(url, data or {}, follow=True)

    services.contest_collect(contest_id=contest.pk)
    entry = Entry.objects.get(entry_id="mastodon:c2")
    page = act("contest_overrule", {"decision": "ineligible", "reason": "Konts ir robots"}, entry_pk=entry.pk)
    assert "Overruled by owner: Konts ir robots" in page.text
    assert "Contest closed; the entry list is frozen." in act("contest_close").text
    assert "Winners drawn; the seed is revealed." in act("contest_draw").text
    winner = Winner.objects.get()
    act("contest_winner_mark", {"status": "unclaimed"}, winner_pk=winner.pk)
    assert "Every eligible person has already been drawn" in act("contest_redraw").text
    act("contest_winner_mark", {"status": "claimed"}, winner_pk=winner.pk)
    assert "waits for approval in Publishing" in act("contest_announce").text
    assert "Reply to the winner queued." in act("contest_winner_reply", winner_pk=winner.pk).text
    detail = client.get(reverse("contest_detail", kwargs={"ws": workspace.slug, "contest_id": contest.pk}))
    assert detail.status_code == 200 and "Announced" in detail.text
