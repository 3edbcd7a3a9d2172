"""items_ingest: dedupe, truncation, threads, classification, routing and the business-time SLA clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kopiena.audit.models import AuditEvent
from kopiena.connectors.types import ItemKind as RemoteKind
from kopiena.inbox.models import TEXT_MAX_CHARS, Item, ItemKind, Thread, ThreadStatus
from kopiena.inbox.services import items_ingest
from tests.inbox.conftest import remote

pytestmark = pytest.mark.django_db


def test_a_batch_is_deduped_within_itself_against_stored_rows_and_audited_once(account):
    batch = [remote("c1"), remote("c2", author="a2"), remote("c1")]
    first = items_ingest(account=account, remote_items=batch)
    assert first.created == 2
    again = items_ingest(account=account, remote_items=[remote("c1"), remote("c2", author="a2")])
    assert again.created == 0
    assert Item.objects.filter(account=account).count() == 2
    events = AuditEvent.objects.filter(action="inbox.items_ingest")
    assert events.count() == 1  # one per batch that wrote something, not one per item
    assert events.get().actor_id is None


def test_a_five_megabyte_comment_is_stored_truncated_with_a_marker(account):
    huge = "kafija " * (5 * 1024 * 1024 // 7)
    items_ingest(account=account, remote_items=[remote("big", huge)])
    item = Item.objects.get(external_id="big")
    assert item.text_truncated
    assert len(item.text) < TEXT_MAX_CHARS + 100
    assert "[truncated:" in item.text


def test_replies_join_the_thread_of_what_they_answer_and_messages_group_by_person(account):
    items_ingest(account=account, remote_items=[remote("c1", minutes=0)])
    items_ingest(
        account=account,
        remote_items=[
            remote("c2", "Paldies!", parent="c1", author="a2", minutes=5),
            remote("c3", "Un vēl viens jautājums", parent="c2", author="a1", minutes=6),
            remote("d1", "Sveiki, privāti", kind=RemoteKind.MESSAGE, post="", author="z9", minutes=7),
            remote("d2", "Vai saņēmāt?", kind=RemoteKind.MESSAGE, post="", author="z9", minutes=8),
            remote("m1", "@kafija labākā kafija Rīgā", kind=RemoteKind.MENTION, post="", minutes=9),
        ],
    )
    root = Thread.objects.get(root_external_id="c1")
    assert list(root.items.values_list("external_id", "kind")) == [
        ("c1", ItemKind.COMMENT),
        ("c2", ItemKind.REPLY),
        ("c3", ItemKind.REPLY),
    ]
    assert root.post_external_id == "p1"
    dm = Thread.objects.get(root_external_id="dm:z9")
    assert dm.items.count() == 2 and set(dm.items.values_list("kind", flat=True)) == {ItemKind.DM}
    assert Thread.objects.get(root_external_id="m1").items.get().kind == ItemKind.MENTION


def test_items_are_classified_in_the_workspace_languages_and_routed_by_the_policy(account, workspace):
    workspace.languages = ["lv", "ru", "en"]
    workspace.save()
    angry = "Šausmīgs serviss! Jau trešo reizi pasūtījums nav atnācis, nauda paņemta, neviens neatbild. Krāpnieki!"
    items_ingest(
        account=account,
        remote_items=[remote("angry", angry), remote("nice", "Paldies, garšīga kafija!", author="b")],
    )
    item = Item.objects.get(external_id="angry")
    assert item.language in {"lv", "ru", "en"}
    assert set(item.scores) >= {"negative", "neutral", "positive"}
    thread = item.thread
    if item.acute:
        assert thread.acute and thread.acute_reasons and thread.priority == "urgent"
    if item.sentiment == "negative" or item.acute or "complaint" in item.intents:
        assert thread.assigned_role == "manager"
    else:
        assert thread.assigned_role == "moderator"
    assert thread.route_rule


@pytest.mark.parametrize(
    ("priority", "due_riga"),
    [
        ("normal", datetime(2026, 11, 25, 13, 0)),  # 2 h on Tuesday + 4 h from Wednesday 9:00
        ("high", datetime(2026, 11, 25, 10, 0)),
        ("urgent", datetime(2026, 11, 24, 17, 0)),
    ],
)
def test_the_first_response_clock_runs_in_business_hours(account, monkeypatch, priority, due_riga):
    from zoneinfo import ZoneInfo

    from kopiena.policy import evaluators
    from kopiena.policy.evaluators import RouteDecision

    monkeypatch.setattr(
        evaluators, "route", lambda policy, c, key: RouteDecision("manager", None, priority, "test", "p")
    )
    # Tuesday 24 Nov 2026, 16:00 in Riga (14:00 UTC); the default policy works Mon–Fri 9–18.
    items_ingest(account=account, remote_items=[remote("late", minutes=240)])
    thread = Thread.objects.get(root_external_id="late")
    assert thread.first_response_due_at == due_riga.replace(tzinfo=ZoneInfo("Europe/Riga")).astimezone(UTC)
    assert thread.first_responded_at is None


def test_a_new_item_reopens_a_closed_thread(account):
    items_ingest(account=account, remote_items=[remote("c1")])
    Thread.objects.update(status=ThreadStatus.CLOSED)
    items_ingest(account=account, remote_items=[remote("c2", parent="c1", minutes=3)])
    assert Thread.objects.get().status == ThreadStatus.OPEN


def test_review_stars_decide_the_sentiment_and_an_answered_review_owes_nothing(account):
    """Google Business Profile reviews: the stars outrank the text model; a review the business already
    answered on Google is stored without a response clock, its conversation closed."""
    from dataclasses import replace

    angry = replace(remote("r1", "Nu jā."), rating=1, thread_id="r1", parent_id="")
    happy = replace(remote("r2", "Nav slikti", author="a2"), rating=5, thread_id="r2", parent_id="")
    answered = replace(
        remote("r3", "Garšīgi", author="a3"), rating=4, answered=True, thread_id="r3", parent_id=""
    )
    items_ingest(account=account, remote_items=[angry, happy, answered])
    sentiments = dict(Item.objects.filter(account=account).values_list("external_id", "sentiment"))
    assert sentiments == {"r1": "negative", "r2": "positive", "r3": "positive"}
    threads = {t.root_external_id: t for t in Thread.objects.filter(account=account)}
    assert threads["r1"].status == ThreadStatus.OPEN and threads["r1"].response_due_at is not None
    assert threads["r3"].status == ThreadStatus.CLOSED and threads["r3"].response_due_at is None
