"""Every answer timed (M2/M8): first and next answers as AppliedSla records with append-only events, in
business time across weekends, holidays, DST and working windows that cross midnight; "due soon" and
"overdue" notices for every thread; closing takes a reason and pauses the clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kopiena.audit.models import AuditEvent
from kopiena.core.errors import DomainError
from kopiena.inbox import services, sla_clock
from kopiena.inbox.models import AppliedSla, Reply, ReplyState, SlaEvent, SlaKind, SlaStatus, Thread
from kopiena.inbox.services import items_ingest, reply_record_outcome, thread_set_status
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current_data
from kopiena.policy.services import policy_save
from kopiena.publishing.models import Notification
from kopiena.teams.models import Role
from tests.inbox.conftest import remote

pytestmark = pytest.mark.django_db
RIGA = ZoneInfo("Europe/Riga")
QUESTION = "Kad atvērsiet jauno kafejnīcu?"


def riga(*args) -> datetime:
    return datetime(*args, tzinfo=RIGA).astimezone(UTC)


def set_policy(access, *, weekly=None, next_seconds=7200, hours=None, **targets) -> None:
    """``weekly`` windows, other ``hours`` fields (time zone, closed/open dates) and response targets."""
    data = policy_current_data(workspace=access.workspace)
    if weekly is not None:
        data["engagement"]["business_hours"]["weekly"] = weekly
    data["engagement"]["business_hours"].update(hours or {})
    data["engagement"]["response_targets"].update(next_response_seconds=next_seconds, **targets)
    policy_save(access=access, document=PolicyDocument.model_validate(data))


@pytest.fixture
def clock(monkeypatch):
    """Move the inbox's "now" (ingest's clock start and the moment a reply is accepted)."""
    state = {"now": datetime(2026, 11, 24, 10, 0, tzinfo=UTC)}
    monkeypatch.setattr(services, "now", lambda: state["now"])

    def at(moment: datetime) -> datetime:
        state["now"] = moment
        return moment

    return at


def write(account, clock, external_id: str, at: datetime, *, parent: str = "") -> Thread:
    clock(at)
    item = replace(remote(external_id, QUESTION, parent=parent), created_at=at)
    items_ingest(account=account, remote_items=[item])
    return Thread.objects.get(items__external_id=external_id)


def answer(thread: Thread, clock, at: datetime) -> Reply:
    clock(at)
    reply = Reply.objects.create(item=thread.items.last(), text="Paldies!", state=ReplyState.QUEUED)
    return reply_record_outcome(reply=reply, state=ReplyState.SENT, remote_id=f"r{reply.pk}")


def answered_then_again(account, clock, first: datetime, answered: datetime, again: datetime) -> Thread:
    thread = write(account, clock, "c1", first)
    answer(thread, clock, answered)
    return write(account, clock, "c2", again, parent="c1")


def test_first_answer_met_then_the_customer_writes_again_and_a_next_answer_is_owed(
    account, owner_access, clock
):
    set_policy(owner_access)
    thread = write(account, clock, "c1", riga(2026, 11, 24, 12, 0))
    first = thread.slas.get()
    assert first.kind == SlaKind.FIRST and first.target_seconds == 6 * 3600
    assert thread.response_due_at == first.due_at == riga(2026, 11, 24, 18, 0)
    assert first.warn_at == riga(2026, 11, 24, 16, 30)  # 75 % of 6 working hours

    answer(thread, clock, riga(2026, 11, 24, 13, 0))
    first.refresh_from_db()
    assert first.state == SlaStatus.MET and first.answer_seconds == 3600
    thread = write(account, clock, "c2", riga(2026, 11, 24, 14, 0), parent="c1")
    assert thread.items.count() == 2
    nxt = thread.slas.get(kind=SlaKind.NEXT)
    assert nxt.target_seconds == 7200 and thread.response_due_at == nxt.due_at == riga(2026, 11, 24, 16, 0)
    assert thread.first_response_due_at == first.due_at  # the first deadline is not rewritten

    write(account, clock, "c3", riga(2026, 11, 24, 14, 30), parent="c2")  # still owed: no new clock
    assert thread.slas.count() == 2
    kinds = list(SlaEvent.objects.filter(sla__thread=thread).values_list("sla__kind", "kind"))
    assert kinds == [("first", "started"), ("first", "met"), ("next", "started")]


def test_next_answer_over_the_weekend(account, owner_access, clock):
    set_policy(owner_access)  # Monday–Friday 09–18 in Riga
    thread = answered_then_again(
        account, clock, riga(2026, 11, 27, 10, 0), riga(2026, 11, 27, 11, 0), riga(2026, 11, 27, 17, 0)
    )
    assert thread.response_due_at == riga(2026, 11, 30, 10, 0)  # 1 h on Friday, 1 h on Monday


def test_next_answer_over_public_holidays(account, owner_access, clock):
    set_policy(owner_access)  # Latvia: 24–26 December are public holidays (Thursday to Saturday)
    thread = answered_then_again(
        account, clock, riga(2026, 12, 23, 10, 0), riga(2026, 12, 23, 11, 0), riga(2026, 12, 23, 17, 30)
    )
    assert thread.response_due_at == riga(2026, 12, 28, 10, 30)


def test_next_answer_across_the_autumn_dst_change(account, owner_access, clock):
    night = [{"start": "22:00", "end": "06:00"}]  # a night shift every day, running past midnight
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    set_policy(owner_access, weekly={day: night for day in days}, next_seconds=6 * 3600)
    # Riga leaves summer time at 04:00 on Sunday 25 October 2026: that night's window is 9 real hours.
    thread = answered_then_again(
        account, clock, riga(2026, 10, 24, 22, 0), riga(2026, 10, 24, 22, 30), riga(2026, 10, 24, 23, 0)
    )
    assert thread.response_due_at == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)  # 6 real hours later
    assert thread.response_due_at.astimezone(RIGA).hour == 4  # 04:00 winter time, not 05:00


def test_next_answer_in_a_window_that_crosses_midnight(account, owner_access, clock):
    evening = [{"start": "20:00", "end": "02:00"}]
    set_policy(owner_access, weekly={day: evening for day in ("monday", "tuesday", "wednesday")})
    thread = answered_then_again(
        account, clock, riga(2026, 11, 30, 20, 30), riga(2026, 11, 30, 21, 0), riga(2026, 12, 1, 1, 0)
    )
    # Monday's window runs until 02:00 on Tuesday (1 h), the rest in Tuesday's evening window.
    assert thread.response_due_at == riga(2026, 12, 1, 21, 0)
    late = write(account, clock, "x1", riga(2026, 12, 3, 1, 30))  # Wednesday's window, into Thursday
    assert late.response_due_at == riga(2026, 12, 7, 20, 0) + timedelta(hours=5, minutes=30)


def test_due_soon_and_overdue_reach_the_routed_role_and_the_policy_watchers_once(
    account, owner_access, member, clock
):
    set_policy(owner_access)
    moderator, manager = member(Role.MODERATOR), member(Role.MANAGER)
    thread = write(account, clock, "c1", riga(2026, 11, 24, 12, 0))
    assert thread.assigned_role == "moderator" and thread.acute is False
    sla = thread.slas.get()

    assert sla_clock.slas_tick(at=riga(2026, 11, 24, 16, 0)) == {"warned": 0, "breached": 0}
    assert sla_clock.slas_tick(at=riga(2026, 11, 24, 16, 31)) == {"warned": 1, "breached": 0}
    soon = Notification.objects.get(kind="inbox.sla_due_soon")
    assert soon.recipient == moderator and "Kad atvērsiet" in soon.body

    assert sla_clock.slas_tick(at=riga(2026, 11, 24, 18, 1)) == {"warned": 0, "breached": 1}
    assert sla_clock.slas_tick(at=riga(2026, 11, 24, 19, 0)) == {"warned": 0, "breached": 0}
    overdue = Notification.objects.filter(kind="inbox.sla_overdue")
    assert {n.recipient for n in overdue} == {moderator, manager}  # role queue + overdue_notify_roles
    assert AuditEvent.objects.filter(action="inbox.sla_breach", object_id=str(thread.pk)).exists()

    answer(thread, clock, riga(2026, 11, 25, 10, 0))
    sla.refresh_from_db()
    assert sla.state == SlaStatus.BREACHED and sla.answer_seconds == 7 * 3600
    assert list(sla.events.values_list("kind", flat=True)) == [
        "started",
        "warned",
        "breached",
        "answered_late",
    ]


def test_a_late_answer_the_clock_missed_still_records_the_breach_at_the_deadline(
    account, owner_access, clock
):
    set_policy(owner_access)
    thread = write(account, clock, "c1", riga(2026, 11, 24, 12, 0))
    answer(thread, clock, riga(2026, 11, 25, 12, 0))
    sla = thread.slas.get()
    assert sla.state == SlaStatus.BREACHED and sla.breached_at == riga(2026, 11, 24, 18, 0)
    assert list(sla.events.values_list("kind", "at")) == [
        ("started", riga(2026, 11, 24, 12, 0)),
        ("breached", riga(2026, 11, 24, 18, 0)),
        ("answered_late", riga(2026, 11, 25, 12, 0)),
    ]


def test_closing_needs_a_resolution_and_a_reason_pauses_and_reopening_resumes(account, owner_access, clock):
    set_policy(owner_access)
    thread = write(account, clock, "c1", riga(2026, 11, 24, 12, 0))
    for resolution, reason in (("", "spam"), ("resolved", "   "), ("gone", "x"), ("resolved", "x" * 201)):
        with pytest.raises(DomainError):
            thread_set_status(
                access=owner_access, thread=thread, status="closed", resolution=resolution, reason=reason
            )
    thread.refresh_from_db()
    assert thread.status == "open" and thread.slas.get().state == SlaStatus.RUNNING

    clock(riga(2026, 11, 24, 14, 0))
    thread = thread_set_status(
        access=owner_access,
        thread=thread,
        status="closed",
        resolution="no_reply_needed",
        reason="Just a thanks",
    )
    sla = thread.slas.get()
    assert (sla.state, sla.elapsed_seconds, thread.response_due_at) == (SlaStatus.PAUSED, 7200, None)
    assert sla.events.last().data == {"resolution": "no_reply_needed", "reason": "Just a thanks"}
    assert sla_clock.slas_tick(at=riga(2026, 11, 25, 12, 0)) == {"warned": 0, "breached": 0}

    clock(riga(2026, 11, 25, 9, 0))  # reopened by hand next morning: 4 working hours were left
    thread = thread_set_status(access=owner_access, thread=thread, status="open")
    sla.refresh_from_db()
    assert sla.state == SlaStatus.RUNNING and thread.response_due_at == sla.due_at == riga(
        2026, 11, 25, 13, 0
    )
    assert thread.resolution == "" and list(sla.events.values_list("kind", flat=True))[-1] == "resumed"


def test_writing_to_a_closed_thread_starts_a_next_answer(account, owner_access, clock):
    set_policy(owner_access)
    thread = write(account, clock, "c1", riga(2026, 11, 24, 12, 0))
    clock(riga(2026, 11, 24, 12, 30))
    thread_set_status(
        access=owner_access, thread=thread, status="closed", resolution="resolved", reason="Phoned"
    )
    thread = write(account, clock, "c2", riga(2026, 11, 24, 15, 0), parent="c1")
    assert thread.status == "open" and thread.resolution == ""
    assert list(thread.slas.values_list("kind", "state")) == [("first", "paused"), ("next", "running")]
    assert thread.response_due_at == riga(2026, 11, 24, 17, 0)


def test_sla_events_are_only_ever_inserted(account, owner_access, clock):
    set_policy(owner_access)
    thread = write(account, clock, "c1", riga(2026, 11, 24, 12, 0))
    first_event = SlaEvent.objects.get()
    answer(thread, clock, riga(2026, 11, 24, 13, 0))
    sla_clock.slas_tick(at=riga(2026, 11, 26, 12, 0))
    assert SlaEvent.objects.get(pk=first_event.pk).data == first_event.data
    assert AppliedSla.objects.count() == 1 and SlaEvent.objects.count() == 2


def test_the_response_time_report_shows_next_answers_and_how_threads_were_closed(
    account, owner_access, clock, login, owner, workspace
):
    from kopiena.analytics.selectors import response_times

    set_policy(owner_access)
    thread = answered_then_again(
        account, clock, riga(2026, 11, 24, 10, 0), riga(2026, 11, 24, 11, 0), riga(2026, 11, 24, 12, 0)
    )
    answer(thread, clock, riga(2026, 11, 24, 12, 30))  # the next answer: 30 working minutes
    other = write(account, clock, "x1", riga(2026, 11, 24, 13, 0))
    clock(riga(2026, 11, 24, 13, 5))
    thread_set_status(
        access=owner_access, thread=other, status="closed", resolution="no_reply_needed", reason="A thank-you"
    )
    report = response_times(
        access=owner_access, start=datetime(2026, 11, 23).date(), end=datetime(2026, 11, 29).date()
    )
    assert (report.answered, report.next_answered, report.next_average_hours) == (1, 1, 0.5)
    assert report.next_within_target_percent == 100 and report.next_target_hours == 2
    assert report.closed == [("No reply needed", 1, [("A thank-you", 1)])]
