"""A contest end to end through its services, and every bad input with its defined outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kopiena.audit.models import AuditEvent
from kopiena.contests import draw, services
from kopiena.contests.models import ContestState, Decision, Entry, Regulation, WinnerStatus
from kopiena.core.errors import DomainError, NotPermitted
from kopiena.inbox.models import Item
from kopiena.publishing.models import Post, PostState
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.contests.conftest import complete_fields, ingest, remote

pytestmark = pytest.mark.django_db


def decisions(contest) -> dict[str, str]:
    return dict(Entry.objects.filter(contest=contest).values_list("entry_id", "decision"))


def test_approval_is_blocked_until_the_checklist_is_complete(owner_access, account):
    contest = services.contest_create(
        access=owner_access, posts=[(account.pk, "p1")], **complete_fields(privacy_url="", complaints="")
    )
    with pytest.raises(DomainError) as refused:
        services.contest_approve(access=owner_access, contest_id=contest.pk)
    message = refused.value.message
    assert "Personal data processing" in message and "How to complain" in message and "platform" in message
    services.contest_update(
        access=owner_access, contest_id=contest.pk, privacy_url="https://kafija.lv/p", complaints="E-pasts"
    )
    services.contest_checklist_confirm(
        access=owner_access, contest_id=contest.pk, key="platform_rules", confirmed=True
    )
    contest = services.contest_approve(access=owner_access, contest_id=contest.pk)
    assert contest.state == ContestState.APPROVED and draw.sha256_hex(contest.seed) == contest.seed_sha256
    texts = dict(Regulation.objects.filter(contest=contest).values_list("language", "text"))
    assert set(texts) == {"en", "lv", "ru"}
    assert all(contest.seed_sha256 in text for text in texts.values())
    assert contest.seed not in texts["en"]  # the seed stays secret until the draw
    assert "Mastodon" in texts["en"] and "does not sponsor" not in texts["en"]  # the platform disclaimer
    assert "do not sponsor" in texts["en"] and "Konkursa" in texts["lv"] and "Правила" in texts["ru"]
    assert AuditEvent.objects.filter(action="contest.approve", object_id=str(contest.pk)).exists()
    with pytest.raises(DomainError, match="cannot change"):  # a published contest's posts and dates stay
        services.contest_update(access=owner_access, contest_id=contest.pk, posts=[(account.pk, "p2")])


def test_contributors_draft_and_only_managers_approve(member, workspace, account):
    contributor = access_workspace(actor=member(Role.CONTRIBUTOR), slug=workspace.slug)
    contest = services.contest_create(access=contributor, posts=[(account.pk, "p1")], **complete_fields())
    with pytest.raises(NotPermitted):
        services.contest_approve(access=contributor, contest_id=contest.pk)
    manager = access_workspace(actor=member(Role.MANAGER), slug=workspace.slug)
    services.contest_checklist_confirm(
        access=manager, contest_id=contest.pk, key="platform_rules", confirmed=True
    )
    assert services.contest_approve(access=manager, contest_id=contest.pk).state == ContestState.APPROVED


def test_entries_with_reasons_close_draw_and_export_verifies(owner_access, account, make_contest, comments):
    contest = make_contest()
    services.contest_collect(contest_id=contest.pk)
    found = decisions(contest)
    assert found == {
        "mastodon:c1": Decision.ELIGIBLE, "mastodon:c2": Decision.DUPLICATE, "mastodon:c3": Decision.STAFF,
        "mastodon:c4": Decision.ELIGIBLE, "mastodon:c5": Decision.ELIGIBLE, "mastodon:c6": Decision.LATE,
    }  # fmt: skip
    assert Entry.objects.get(entry_id="mastodon:c2").reason == "This person already entered."
    services.contest_collect(contest_id=contest.pk)  # idempotent
    assert Entry.objects.filter(contest=contest).count() == 6
    contest = services.contest_close(access=owner_access, contest_id=contest.pk)
    assert contest.state == ContestState.CLOSED and contest.frozen_count == 6
    contest, note = services.contest_draw(access=owner_access, contest_id=contest.pk)
    assert note == "" and contest.winners.count() == 2
    data = services.draw_export(contest)
    assert draw.verify_export(data).ok
    winners = {w.entry.entry_id for w in contest.winners.select_related("entry")}
    assert winners <= {"mastodon:c1", "mastodon:c4", "mastodon:c5"}
    assert AuditEvent.objects.filter(action__in=["contest.close", "contest.draw"]).count() == 2


def test_overrule_needs_a_reason_and_is_audited(owner_access, make_contest, comments):
    contest = make_contest()
    services.contest_collect(contest_id=contest.pk)
    late = Entry.objects.get(entry_id="mastodon:c6")
    with pytest.raises(DomainError, match="why"):
        services.entry_overrule(
            access=owner_access, contest_id=contest.pk, entry_pk=late.pk, decision="eligible", reason=""
        )
    services.entry_overrule(access=owner_access, contest_id=contest.pk, entry_pk=late.pk, decision="eligible",
                            reason="Platform outage delayed the comment")  # fmt: skip
    late.refresh_from_db()
    assert late.decision == Decision.ELIGIBLE and late.overrule_reason.startswith("Platform outage")
    event = AuditEvent.objects.get(action="contest.entry_overrule")
    assert event.before["decision"] == "late" and event.after["decision"] == "eligible"
    services.contest_close(access=owner_access, contest_id=contest.pk)
    with pytest.raises(DomainError, match="frozen"):
        services.entry_overrule(
            access=owner_access, contest_id=contest.pk, entry_pk=late.pk, decision="late", reason="undo"
        )


def test_no_eligible_entries_refuses_the_draw(owner_access, account, make_contest):
    contest = make_contest()
    ingest(account, remote("c9", "par vēlu", author="late", minutes=500))
    services.contest_close(access=owner_access, contest_id=contest.pk)
    with pytest.raises(DomainError, match="No eligible entries") as refused:
        services.contest_draw(access=owner_access, contest_id=contest.pk)
    assert refused.value.code == "no_entries"
    contest.refresh_from_db()
    assert contest.state == ContestState.CLOSED and Entry.objects.filter(contest=contest).count() == 1


def test_more_prizes_than_entries_draws_everyone_and_says_so(owner_access, account, make_contest):
    contest = make_contest(winners_count=5)
    ingest(account, remote("c1", "es", author="a"), remote("c2", "es arī", author="b", minutes=1))
    services.contest_close(access=owner_access, contest_id=contest.pk)
    contest, note = services.contest_draw(access=owner_access, contest_id=contest.pk)
    assert contest.winners.count() == 2 and "Only 2 eligible people for 5 prizes" in note
    assert draw.verify_export(services.draw_export(contest)).ok


def test_redraw_for_an_unclaimed_prize_follows_the_same_rule(owner_access, account, make_contest):
    contest = make_contest(winners_count=1)
    ingest(account, *[remote(f"c{n}", "es", author=f"p{n}", minutes=n) for n in range(5)])
    services.contest_close(access=owner_access, contest_id=contest.pk)
    contest, _note = services.contest_draw(access=owner_access, contest_id=contest.pk)
    first = contest.winners.get()
    with pytest.raises(DomainError, match="No unclaimed prize"):
        services.contest_redraw(access=owner_access, contest_id=contest.pk)
    services.winner_mark(
        access=owner_access, contest_id=contest.pk, winner_pk=first.pk, status=WinnerStatus.UNCLAIMED
    )
    services.contest_redraw(access=owner_access, contest_id=contest.pk)
    data = services.draw_export(contest)
    order = draw.winner_order(contest.seed, data["entries"])
    assert [r["winners"] for r in data["rounds"]] == [order[:1], order[1:2]]
    assert draw.verify_export(data).ok


def test_edited_and_deleted_comments_keep_the_entry_as_it_entered(owner_access, account, make_contest):
    contest = make_contest()
    ingest(account, remote("c1", "Piedalos", author="a"), remote("c2", "Es arī", author="b", minutes=1))
    services.contest_collect(contest_id=contest.pk)
    Item.objects.filter(external_id="c1").update(text="Edited: nepiedalos")
    Item.objects.filter(external_id="c2").delete()
    services.contest_close(access=owner_access, contest_id=contest.pk)
    edited, deleted = Entry.objects.get(entry_id="mastodon:c1"), Entry.objects.get(entry_id="mastodon:c2")
    assert (edited.source_note, edited.text, edited.decision) == ("edited", "Piedalos", Decision.ELIGIBLE)
    assert (deleted.source_note, deleted.decision, deleted.in_frozen_list) == (
        "deleted",
        Decision.ELIGIBLE,
        True,
    )
    contest.refresh_from_db()
    assert contest.frozen_count == 2


def test_an_entry_arriving_after_the_close_is_listed_not_drawn(owner_access, account, make_contest):
    contest = make_contest()
    ingest(account, remote("c1", "Piedalos", author="a"))
    contest = services.contest_close(access=owner_access, contest_id=contest.pk)
    frozen = contest.frozen_sha256
    ingest(account, remote("c2", "Written in time, arrived during the close", author="b", minutes=2))
    services.contest_collect(contest_id=contest.pk)
    entry = Entry.objects.get(entry_id="mastodon:c2")
    assert entry.decision == Decision.AFTER_FREEZE and not entry.in_frozen_list and "frozen" in entry.reason
    contest, _note = services.contest_draw(access=owner_access, contest_id=contest.pk)
    assert contest.frozen_sha256 == frozen and draw.verify_export(services.draw_export(contest)).ok


def test_a_tampered_frozen_list_refuses_the_draw(owner_access, account, make_contest):
    contest = make_contest()
    ingest(account, remote("c1", "Piedalos", author="a"), remote("c2", "x", author="b", minutes=1))
    services.contest_close(access=owner_access, contest_id=contest.pk)
    Entry.objects.filter(entry_id="mastodon:c2").update(
        decision=Decision.INELIGIBLE
    )  # behind the service's back
    with pytest.raises(DomainError, match="no longer matches"):
        services.contest_draw(access=owner_access, contest_id=contest.pk)


def test_a_changed_post_is_flagged_and_cannot_be_swapped(owner_access, account, make_contest):
    from kopiena.contests.models import ContestPost
    from kopiena.contests.selectors import post_changes
    from kopiena.publishing.services import post_create

    post = post_create(access=owner_access, account_ids=[account.pk], text="Komentē un laimē!")
    contest = make_contest(approve=False)
    ContestPost.objects.filter(contest=contest).update(post=post)
    services.contest_checklist_confirm(
        access=owner_access, contest_id=contest.pk, key="platform_rules", confirmed=True
    )
    services.contest_approve(access=owner_access, contest_id=contest.pk)
    assert post_changes(contest=contest) == []
    Post.objects.filter(pk=post.pk).update(text="Komentē un laimē! Tagad 3 balvas")
    assert post_changes(contest=contest) == ["Kafija on Mastodon #p1"]


def test_quiz_keyword_and_tags(owner_access, account, make_contest):
    quiz = make_contest(mechanic="quiz", quiz_question="Kurā gadā dibināta Rīga?", quiz_pattern=r"\b1201\b")
    ingest(account, remote("q1", "1201", author="a"), remote("q2", "1301", author="b", minutes=1))
    services.contest_collect(contest_id=quiz.pk)
    assert decisions(quiz) == {"mastodon:q1": "eligible", "mastodon:q2": "wrong_answer"}


def test_manual_quiz_answers_block_the_close_until_judged(owner_access, account, make_contest):
    contest = make_contest(mechanic="quiz", quiz_question="Kāpēc kafija?", quiz_judging="manual")
    ingest(account, remote("q1", "Jo smaržo", author="a"))
    services.contest_collect(contest_id=contest.pk)
    with pytest.raises(DomainError, match="judge"):
        services.contest_close(access=owner_access, contest_id=contest.pk)
    entry = Entry.objects.get()
    services.entry_overrule(
        access=owner_access,
        contest_id=contest.pk,
        entry_pk=entry.pk,
        decision="eligible",
        reason="Laba atbilde",
    )
    assert services.contest_close(access=owner_access, contest_id=contest.pk).state == ContestState.CLOSED


def test_tag_friends_and_keyword(owner_access, account, make_contest):
    tags = make_contest(mechanic="tag_friends", tag_friends=2)
    ingest(
        account, remote("t1", "@ilze @juris skat!", author="a"), remote("t2", "@ilze", author="b", minutes=1)
    )
    services.contest_collect(contest_id=tags.pk)
    assert decisions(tags) == {"mastodon:t1": "eligible", "mastodon:t2": "ineligible"}
    assert "Tagged 1 of the 2" in Entry.objects.get(entry_id="mastodon:t2").reason


def test_announce_drafts_a_post_and_data_is_erased_after_retention(
    owner_access, account, make_contest, comments
):
    contest = make_contest(retention_days=30)
    services.contest_close(access=owner_access, contest_id=contest.pk)
    services.contest_draw(access=owner_access, contest_id=contest.pk)
    contest = services.contest_announce(access=owner_access, contest_id=contest.pk)
    post = contest.announcement_post
    assert post.state == PostState.DRAFT and "@" in post.text and contest.state == ContestState.ANNOUNCED
    assert all(w.reply_text for w in contest.winners.all())
    export_before = services.draw_export(contest)
    assert services.contests_erase_due(moment=contest.drawn_at + timedelta(days=29)) == 0
    assert services.contests_erase_due(moment=contest.drawn_at + timedelta(days=31)) == 1
    assert not Entry.objects.filter(contest=contest).exclude(author_handle="", text="").exists()
    event = AuditEvent.objects.get(action="contest.erase_personal_data")
    assert len(event.after["erased_sha256"]) == 64 and "anna" not in str(event.after)
    assert services.draw_export(contest) == export_before and draw.verify_export(export_before).ok


def test_same_inputs_give_the_same_winners_on_every_database(owner_access, account, make_contest):
    """Known seed, known comments: the frozen hash and the winners are constants. The suite runs on SQLite
    and PostgreSQL, so both must produce exactly these (no database ordering or collation leaks in)."""
    contest = make_contest(winners_count=3)
    seed = "ab" * 32
    type(contest).objects.filter(pk=contest.pk).update(seed=seed, seed_sha256=draw.sha256_hex(seed))
    ingest(account, *[remote(f"c{n}", "Piedalos", author=f"p{n % 5}", minutes=n) for n in reversed(range(8))])
    contest = services.contest_close(access=owner_access, contest_id=contest.pk)
    assert contest.frozen_sha256 == "0096639b50b81df7037d078cc8f63ea39b943d1eb1e71ace4bbc9abea875f8e6"
    contest, _note = services.contest_draw(access=owner_access, contest_id=contest.pk)
    first = contest.winners.get(entry__entry_id="mastodon:c4")
    services.winner_mark(
        access=owner_access, contest_id=contest.pk, winner_pk=first.pk, status=WinnerStatus.UNCLAIMED
    )
    services.contest_redraw(access=owner_access, contest_id=contest.pk)
    rounds = [r["winners"] for r in services.draw_export(contest)["rounds"]]
    assert rounds == [["mastodon:c4", "mastodon:c1", "mastodon:c3"], ["mastodon:c2"]]


def test_a_winner_is_answered_through_the_inbox_reply_path(owner_access, account, make_contest, comments):
    from kopiena.inbox.models import Reply

    contest = make_contest(winners_count=1)
    services.contest_close(access=owner_access, contest_id=contest.pk)
    services.contest_draw(access=owner_access, contest_id=contest.pk)
    services.contest_announce(access=owner_access, contest_id=contest.pk)
    winner = contest.winners.get()
    reply = services.winner_reply_send(access=owner_access, contest_id=contest.pk, winner_pk=winner.pk)
    assert Reply.objects.get() == reply and reply.item == winner.entry.item
    assert winner.reply_text == reply.text and "Atbildē uz komentāru 3 dienu laikā." in reply.text
