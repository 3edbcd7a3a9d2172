"""An entry arriving while the close holds the contest: it waits for the close, then is listed as arrived
after the freeze; the frozen list and its hash do not change (PostgreSQL: real row locks, two sessions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from kopiena.contests import services
from kopiena.contests.models import Contest, Decision, Entry
from tests.contests.conftest import ingest, remote

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_a_comment_collected_during_the_close_waits_and_stays_out_of_the_frozen_list(
    owner_access, account, make_contest
):
    contest = make_contest()
    ingest(account, remote("c1", "Piedalos", author="a"))
    errors: list[BaseException] = []

    def arrive():
        try:
            ingest(
                account, remote("c2", "Written in time, collected during the close", author="b", minutes=1)
            )
            services.contest_collect(
                contest_id=contest.pk
            )  # blocks on the contest row until the close commits
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    with transaction.atomic():
        closed = services.contest_close(access=owner_access, contest_id=contest.pk)
        late = threading.Thread(target=arrive)
        late.start()
    late.join(timeout=60)
    assert not late.is_alive() and errors == []
    entry = Entry.objects.get(entry_id="mastodon:c2")
    assert entry.decision == Decision.AFTER_FREEZE and not entry.in_frozen_list
    assert Contest.objects.get(pk=contest.pk).frozen_sha256 == closed.frozen_sha256
    assert Entry.objects.filter(contest=contest, in_frozen_list=True).count() == 1
