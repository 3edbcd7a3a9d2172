"""A feed mention routed to the inbox is answered elsewhere: the link is kept and the thread's
first-response clock stops exactly as a sent reply stops it (M8)."""

from __future__ import annotations

import pytest

from kopiena.audit.models import AuditEvent
from kopiena.core.errors import DomainError, NotPermitted
from kopiena.inbox.models import ThreadStatus
from kopiena.listening import runner
from kopiena.listening.models import Mention
from kopiena.listening.services import mention_answered_elsewhere, query_create
from kopiena.listening.source_services import source_feed_create
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.listening.conftest import rss

pytestmark = pytest.mark.django_db


def test_answered_elsewhere_stops_the_thread_clock(owner_access, owner, feeds, member, workspace):
    feeds.feeds["forum.xml"] = rss([
        {"title": "Kur Rīgā nopirkt labu kafiju?", "link": "https://forum.example/t/1",
         "text": "Vai kāds zina, kur nopirkt kafiju?"},
    ])  # fmt: skip
    query_create(access=owner_access, name="Kafija", expression="kafij*")
    source_feed_create(access=owner_access, feed_url=feeds.url("/forum.xml"))
    runner.sources_run()
    mention = Mention.objects.get()
    thread = mention.inbox_item.thread
    assert thread.response_due_at is not None and thread.first_responded_at is None

    analyst = access_workspace(actor=member(Role.ANALYST), slug=workspace.slug)
    with pytest.raises(NotPermitted):
        mention_answered_elsewhere(access=analyst, mention=mention, url="https://forum.example/t/1#2")
    with pytest.raises(DomainError):
        mention_answered_elsewhere(access=owner_access, mention=mention, url="javascript:alert(1)")

    mention_answered_elsewhere(access=owner_access, mention=mention, url="https://forum.example/t/1#post-2")
    mention.refresh_from_db()
    thread.refresh_from_db()
    assert (mention.answered_elsewhere_url, mention.answered_by) == (
        "https://forum.example/t/1#post-2",
        owner,
    )
    assert thread.first_responded_at == mention.answered_at and thread.response_due_at is None
    assert thread.status == ThreadStatus.WAITING
    assert AuditEvent.objects.filter(action="listening.mention_answered_elsewhere").exists()
