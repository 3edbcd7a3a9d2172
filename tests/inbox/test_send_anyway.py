"""Issue 16 item 7: the "I checked it: send anyway" tick never blocks an answer whose problem is gone,
and it covers only the problems the person was shown (the server re-checks the text being sent)."""

from __future__ import annotations

import pytest

from kopiena.inbox.models import Reply, Thread
from kopiena.inbox.services import ReplyBlocked, item_reply, items_ingest
from tests.inbox.conftest import remote

pytestmark = pytest.mark.django_db

RUDE = "SORRY, the order is LATE!!!"
CALM = "Atvainojamies par kavēšanos, pasūtījums būs rīt."
LINK = "Sveiki! Katalogs ir šeit: https://kafija.lv/katalogs"


@pytest.fixture
def item(account):
    items_ingest(account=account, remote_items=[remote("c1", "Kur ir mans pasūtījums?")])
    return Thread.objects.get().items.get()


def _post(client, workspace, item, data):
    return client.post(f"/w/{workspace.slug}/inbox/items/{item.pk}/reply/", data)


def test_the_tick_is_not_required_by_the_browser_and_carries_the_checked_text(login, owner, workspace, item):
    shown = _post(login(owner), workspace, item, {"text": RUDE})
    assert shown.status_code == 422
    html = shown.content.decode()
    checkbox = html[html.index('id="kp-inbox-confirm"') - 120 : html.index('id="kp-inbox-confirm"') + 40]
    assert 'name="confirmed"' in checkbox and "required" not in checkbox
    assert 'name="checked_text" value="SORRY, the order is LATE!!!"' in html


def test_a_fixed_text_is_sent_without_the_tick(login, owner, workspace, item):
    client = login(owner)
    assert _post(client, workspace, item, {"text": RUDE}).status_code == 422
    sent = _post(client, workspace, item, {"text": CALM, "checked_text": RUDE})
    assert sent.status_code == 302
    assert Reply.objects.get().text == CALM


def test_a_link_reason_picked_afterwards_sends_without_the_tick(login, owner, workspace, item):
    client = login(owner)
    shown = _post(client, workspace, item, {"text": LINK})
    assert shown.status_code == 422 and "A link in a reply needs a reason" in shown.content.decode()
    sent = _post(
        client, workspace, item, {"text": LINK, "link_context": "asked_for_catalogue", "checked_text": LINK}
    )
    assert sent.status_code == 302
    assert Reply.objects.get().text == LINK


def test_a_text_that_still_has_the_problem_needs_the_tick(login, owner, workspace, item):
    client = login(owner)
    again = _post(client, workspace, item, {"text": RUDE, "checked_text": RUDE})
    assert again.status_code == 422 and "send anyway" in again.content.decode()
    assert not Reply.objects.exists()
    sent = _post(client, workspace, item, {"text": RUDE, "checked_text": RUDE, "confirmed": "1"})
    assert sent.status_code == 302 and Reply.objects.get().text == RUDE


def test_the_tick_does_not_cover_a_problem_that_was_never_shown(login, owner, workspace, item):
    client = login(owner)
    # Shown: shouting. Sent with the tick: a calm text with a link and no reason — not what was checked.
    blocked = _post(
        client,
        workspace,
        item,
        {"text": f"{CALM} https://kafija.lv/faq", "checked_text": RUDE, "confirmed": "1"},
    )
    assert blocked.status_code == 422
    assert "A link in a reply needs a reason" in blocked.content.decode()
    assert not Reply.objects.exists()


def test_the_tick_covers_what_was_shown_when_part_of_it_was_fixed(owner_access, item):
    # Shouting and exclamation marks shown; the capitals fixed, the exclamation marks kept and ticked.
    reply = item_reply(
        access=owner_access,
        item=item,
        text="Sorry, the order is late!!!",
        confirmed=True,
        checked_text=RUDE,
    )
    assert reply.text == "Sorry, the order is late!!!"


def test_without_a_checked_text_the_tick_works_as_before(owner_access, item):
    # The REST API sends no checked text: ``confirmed`` covers every soft problem.
    with pytest.raises(ReplyBlocked):
        item_reply(access=owner_access, item=item, text=RUDE)
    assert item_reply(access=owner_access, item=item, text=RUDE, confirmed=True).text == RUDE
