"""REST endpoints and pages of planning: days, ideas, promo codes, consent, proposals; the inbox button."""

from __future__ import annotations

from datetime import UTC, datetime

from django.urls import reverse

from kopiena.inbox.models import Item, Thread
from kopiena.planning.models import Idea, IdeaKind
from tests.api.conftest import api_client  # noqa: F401 - the shared fixture


def test_the_api_plans_a_week_end_to_end(manager_access, make_account, api_client, workspace):  # noqa: F811
    account = make_account("Mastodon", approval_required=False)
    api = api_client(manager_access.user, workspace)
    days = api.get("/planning/days?start=2027-10-08&end=2027-10-08&language=lv").json()
    assert "Pasaules astoņkāju diena" in [d["name"] for d in days]

    idea = api.request(
        "POST", "/planning/ideas", json={"kind": "discount", "title": "−15 %", "promo_code": "social15"}
    )
    assert idea.status_code == 201 and idea.json()["promo_code"] == "SOCIAL15"
    used = api.request("POST", "/planning/promo-uses", json={"promo_code": "SOCIAL15", "note": "till 2"})
    assert used.json()["uses"] == 1
    no_code = api.request("POST", "/planning/ideas", json={"kind": "discount", "title": "Bez koda"})
    assert no_code.status_code == 400

    past = api.request(
        "POST",
        "/planning/consents",
        json={
            "person_name": "A",
            "purpose": "B",
            "account_ids": [account.pk],
            "evidence_url": "https://x.lv/1",
            "expires_on": "2020-01-01",
        },
    )
    assert past.status_code == 400 and "past" in past.text

    proposals = api.request("POST", "/planning/proposals/generate", json={"week": "2030-03-06"}).json()
    assert proposals and all(p["explanation"] for p in proposals)
    accepted = api.request("POST", "/planning/proposals/accept", json={"proposal_ids": [proposals[0]["id"]]})
    assert len(accepted.json()["post_ids"]) == 1
    listed = api.get("/planning/proposals?week=2030-03-04").json()
    assert [p["status"] for p in listed].count("accepted") == 1
    huge = api.request("POST", f"/planning/proposals/{10**20}/regenerate")
    assert huge.status_code == 404
    # what the schema does not allow is refused (pydantic alone would read 0 as 1970-01-01, false as 0)
    assert api.request("POST", "/planning/proposals/generate", json={"week": 0}).status_code == 422
    assert (
        api.request("POST", "/planning/proposals/accept", json={"proposal_ids": [False]}).status_code == 422
    )
    assert api.request("POST", "/planning/proposals/accept", json={"proposal_ids": []}).status_code == 400


def test_make_a_post_from_this_comment(manager_access, make_account, client, login, workspace):
    account = make_account("Mastodon", platform="mastodon", base_url="https://mastodon.example")
    thread = Thread.objects.create(workspace=workspace, account=account, root_external_id="r1")
    item = Item.objects.create(
        workspace=workspace,
        account=account,
        thread=thread,
        kind="comment",
        external_id="c1",
        text="Vai jums ir auzu piens?",
        intents=["question"],
        remote_created_at=datetime(2026, 12, 1, tzinfo=UTC),
    )
    login(manager_access.user)
    page = client.get(reverse("inbox_thread", kwargs={"ws": workspace.slug, "thread_id": thread.pk}))
    assert (
        reverse("idea_from_item", kwargs={"ws": workspace.slug, "item_id": item.pk}).encode() in page.content
    )
    client.post(reverse("idea_from_item", kwargs={"ws": workspace.slug, "item_id": item.pk}))
    idea = Idea.objects.get(workspace=workspace)
    assert idea.kind == IdeaKind.FAQ and idea.source_item_ids == [item.pk]
    ideas_page = client.get(reverse("ideas", kwargs={"ws": workspace.slug}))
    assert "Vai jums ir auzu piens?" in ideas_page.content.decode()
    days = client.get(
        reverse("calendar_days", kwargs={"ws": workspace.slug}), {"start": "2027-05-01", "end": "2027-05-10"}
    )
    assert any(d["extendedProps"]["kind"] == "holiday" for d in days.json())
    assert (
        client.get(
            reverse("calendar_days", kwargs={"ws": workspace.slug}),
            {"start": "0001-01-01", "end": "0001-01-02"},
        ).status_code
        == 400
    )


def test_faq_and_topic_ideas_come_from_the_inbox_with_counts(manager_access, make_account, workspace):
    from kopiena.planning.services import ideas_refresh

    account = make_account("Mastodon")
    thread = Thread.objects.create(workspace=workspace, account=account, root_external_id="r1")
    texts = [
        ("Vai jūs piegādājat uz Jūrmalu?", ["question"]),
        ("Vai jūs piegādājat uz Jūrmalu?", ["question"]),
        ("vai JŪS piegādājat uz Jūrmalu??", ["question"]),
        ("Cik maksā kafijas kurss?", ["question"]),
        ("Auzu piens kafijā ir lielisks", []),
        ("Auzu piens ir mans mīļākais", []),
        ("Auzu piens un kafija garšo labi", []),
        ("Lielisks espresso šodien", []),
    ]
    moment = datetime(2026, 12, 3, tzinfo=UTC)
    for n, (text, intents) in enumerate(texts):
        Item.objects.create(
            workspace=workspace,
            account=account,
            thread=thread,
            kind="comment",
            external_id=f"c{n}",
            text=text,
            intents=intents,
            sentiment="positive",
            remote_created_at=moment,
        )
    found = ideas_refresh(access=manager_access, moment=moment)
    faq = Idea.objects.get(workspace=workspace, kind=IdeaKind.FAQ)
    assert (
        found.faq == 1 and faq.count == 3 and len(faq.source_item_ids) == 3
    )  # the single question is no FAQ
    ideas_refresh(access=manager_access, moment=moment)  # again: counts stay, no copies
    assert Idea.objects.filter(workspace=workspace, kind=IdeaKind.FAQ).count() == 1
    topics = Idea.objects.filter(workspace=workspace, kind=IdeaKind.TOPIC)
    assert all(t.source_item_ids for t in topics)


def test_consent_is_recorded_and_withdrawn_on_the_ideas_page(
    manager_access, make_account, client, login, workspace
):
    from kopiena.planning.models import Consent

    account = make_account("Mastodon")
    login(manager_access.user)
    url = reverse("ideas", kwargs={"ws": workspace.slug})
    form = {
        "action": "consent",
        "consent-person_name": "Laura",
        "consent-purpose": "Atsauksme",
        "consent-accounts": [str(account.pk)],
        "consent-evidence_url": "https://example.lv/m/1",
        "consent-quote": "Labākā kafija",
    }
    refused = client.post(url, {**form, "consent-expires_on": "2020-01-01"})
    assert "past" in refused.content.decode() and not Consent.objects.exists()
    client.post(url, form)
    consent = Consent.objects.get(workspace=workspace)
    assert Idea.objects.get(workspace=workspace, kind=IdeaKind.TESTIMONIAL).consent == consent
    client.post(url, {"action": "withdraw", "consent": str(consent.pk)})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
