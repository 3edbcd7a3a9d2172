"""Issue 14 acceptance in a browser: a contest on the demo's sandbox account — approval blocked until the
checklist is complete, entries collected from the local test platform (a duplicate, a staff account and a
late comment, each shown with its reason), close, draw, and the draw verified from the exported file with
``kopiena contest verify``."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from kopiena.contests.models import Contest, ContestState, Entry
from kopiena.core.demo import DEMO_WORKSPACE_SLUG, demo_load
from kopiena.core.zones import zone_of
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.selectors import credential_for
from kopiena.sandbox import start_sandbox
from kopiena.teams.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local(moment) -> str:
    return timezone.localtime(moment, zone_of("Europe/Riga")).strftime("%Y-%m-%dT%H:%M")


def test_contest_from_checklist_to_a_verified_draw(logged_in_page, screenshot, tmp_path):
    ctx = demo_load()
    account = ConnectedAccount.objects.get(workspace=ctx.workspace, is_sandbox=True)
    token = credential_for(account)["access_token"]
    moment = timezone.now()
    with start_sandbox(0, access_token=token, username="kafija") as sandbox:
        ConnectedAccount.objects.filter(pk=account.pk).update(base_url=sandbox.base_url)
        post = sandbox.state.post(sandbox.account.id, "Komentē un laimē kilogramu kafijas!")

        page = logged_in_page(ctx.people[Role.MANAGER])
        page.goto(f"/w/{DEMO_WORKSPACE_SLUG}/contests/")
        page.get_by_role("link", name="New contest").click()
        page.get_by_label("Title", exact=True).fill("Kafijas kilograms")
        page.get_by_label("Account", exact=True).select_option(label=account.name)
        page.get_by_label("Post id on the platform").fill(post.id)
        page.get_by_label("Starts", exact=True).fill(_local(moment - timedelta(hours=2)))
        page.get_by_label("Ends", exact=True).fill(_local(moment - timedelta(minutes=1)))
        page.get_by_label("Prizes (one per line)").fill("1 kg kafijas")
        page.get_by_label("Staff and partner accounts (excluded, one per line)").fill("@staff_anna")
        page.get_by_label("Organiser", exact=True).fill("SIA Kafijas Grauzdētava")
        page.get_by_label("Organiser's contact").fill("konkursi@grauzdetava.example.lv")
        page.get_by_label("Who may enter", exact=True).fill("Latvijas iedzīvotāji no 18 gadiem.")
        page.get_by_label("How winners are told").fill("Atbildē uz komentāru.")
        page.get_by_label("Prize delivery").fill("Ar pakomātu 14 dienās.")
        page.get_by_role("button", name="Save contest").click()
        page.wait_for_selector("[data-testid=checklist]")

        # Approval is blocked, and the message names what is missing.
        page.get_by_role("button", name="Approve").click()
        alert = page.locator("[role=status] .alert-danger").first
        assert "Missing" in alert.inner_text() and "privacy policy" in alert.inner_text()
        assert "How to complain" in alert.inner_text()
        screenshot(page, "contest-approval-blocked")
        page.get_by_role("link", name="Edit").click()
        page.get_by_label("Privacy policy address").fill("https://grauzdetava.example.lv/privatums")
        page.get_by_label("How to complain", exact=True).fill("Rakstiet uz konkursi@grauzdetava.example.lv.")
        page.get_by_role("button", name="Save contest").click()
        page.get_by_role("button", name="I checked this").click()
        page.get_by_role("button", name="Approve").click()
        assert page.get_by_test_id("contest-state").inner_text() == "Approved"

        # Comments on the local test platform: two by anna, one by staff, one by juris, one late.
        anna = sandbox.add_person("anna", "Anna", "lv")
        staff = sandbox.add_person("staff_anna", "Anna (staff)", "lv")
        juris = sandbox.add_person("juris", "Juris", "lv")
        late = sandbox.add_person("peteris", "Pēteris", "lv")
        for n, (person, text) in enumerate([(anna, "Gribu laimēt!"), (anna, "Vēlreiz es!"), (staff, "Es arī"),
                                            (juris, "Piedalos ar prieku")]):  # fmt: skip
            status = sandbox.comment(post.id, text, author=person)
            status.created_at = moment - timedelta(minutes=60 - n)
        sandbox.comment(post.id, "Vai vēl var?", author=late)  # written now: after the end

        page.get_by_role("button", name="Collect entries now").click()
        rows = page.get_by_test_id("entry")
        assert rows.count() == 5
        text = page.get_by_test_id("entries").inner_text()
        assert "This person already entered." in text
        assert "Staff and partner accounts may not enter." in text
        assert "Written after the contest ended." in text
        screenshot(page, "contest-entries")

        page.get_by_role("button", name="Close and freeze entries").click()
        assert page.get_by_test_id("contest-state").inner_text() == "Closed"
        page.get_by_role("button", name="Draw the winners").click()
        assert page.get_by_test_id("contest-state").inner_text() == "Drawn"
        assert page.get_by_test_id("winners").locator("tbody tr").count() == 1
        screenshot(page, "contest-drawn")

        with page.expect_download() as download:
            page.get_by_test_id("draw-export").click()
        export = tmp_path / "draw.json"
        download.value.save_as(export)

    contest = Contest.objects.get(title="Kafijas kilograms")
    assert contest.state == ContestState.DRAWN
    assert set(Entry.objects.filter(contest=contest).values_list("decision", flat=True)) == {
        "eligible", "duplicate", "staff", "late",
    }  # fmt: skip
    verify = subprocess.run([sys.executable, "-m", "kopiena", "contest", "verify", str(export)],
                            capture_output=True, text=True)  # fmt: skip
    assert verify.returncode == 0 and "VERIFIED" in verify.stdout, verify.stdout + verify.stderr
    data = json.loads(export.read_text())
    data["entries"][0]["decision"] = "late"
    export.write_text(json.dumps(data))
    tampered = subprocess.run([sys.executable, "-m", "kopiena", "contest", "verify", str(export)],
                              capture_output=True, text=True)  # fmt: skip
    assert tampered.returncode == 1 and "FAILED" in tampered.stdout
