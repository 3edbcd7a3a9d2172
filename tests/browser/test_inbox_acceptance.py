"""Issue 12's acceptance in a browser, end to end on local stand-ins for the outside world:

a negative question arrives through a webhook from the local Telegram Bot API fake (the secret-token
header, as Telegram sends it) → it is routed to the moderators and shows its countdown → a rude draft is
flagged → the calmer reply reaches the fake platform (through the real worker) → the customer writes again
and a new deadline starts → time moves past it and the overdue notice reaches a local outgoing-webhook
receiver (signed) → the moderator corrects a label and the thread moves to the managers' queue.

Time is moved by replacing ``now`` (``kopiena.core.clock.now``) in every Kopiena module that imported it,
so the web pages, the SLA clock and the notification room agree on "now". Screenshots in test-artifacts/.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from datetime import datetime, timedelta

import httpx
import pytest

from kopiena.connectors.testing import LocalServer
from kopiena.core import clock
from kopiena.core.tasks_runtime.worker import Worker
from kopiena.inbox.models import AppliedSla, SlaKind, SlaStatus, Thread
from kopiena.inbox.tasks import sla_tick
from kopiena.integrations.services import account_connect, webhook_endpoint_create
from kopiena.notifications import services as notification_services
from kopiena.notifications.models import Notice
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current_data
from kopiena.policy.services import policy_save
from kopiena.teams.models import Role
from tests.connectors.test_telegram import BOT_TOKEN, CHANNEL_ID, GROUP_ID, FakeTelegram
from tests.notifications.conftest import received, verify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "acceptance-secret-token-0123456789"
# A negative question that is not (yet) a complaint: "cold and tasteless" would be one, and go to the managers.
QUESTION = "Kāpēc jums vairs nav auzu piena? Ļoti žēl."
RUDE = "Auzu piens bija vakar, JŪS KĻŪDĀTIES!!!"
CALM = "Atvainojamies par to. Lūdzu, uzrakstiet, kurā kafejnīcā tā bija, un mēs to pārbaudīsim."
AGAIN = "Teikā, vakar ap pusdienlaiku. Ko jūs darīsiet?"
CUSTOMER = {
    "id": 42424242,
    "is_bot": False,
    "first_name": "Anna",
    "username": "anna_b",
    "language_code": "lv",
}
GROUP = {"id": GROUP_ID, "title": "Grauzdētava — diskusijas", "type": "supergroup"}


@pytest.fixture
def moved_clock(monkeypatch):
    """``moved_clock(at)``: from then on every Kopiena module that asks ``core.clock.now`` gets ``at``
    (the modules that imported it by name included; they are looked up when the clock moves)."""
    original = clock.now

    def move(at: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: at)
        for name, module in list(sys.modules.items()):
            if name.startswith("kopiena.") and getattr(module, "now", None) is original:
                monkeypatch.setattr(module, "now", lambda: at)

    return move


@pytest.fixture
def worker():
    """The real task worker of `kopiena run`, in a thread against the live server's database."""
    stop = threading.Event()
    thread = threading.Thread(
        target=Worker(queues=["default", "deliveries"], stop_event=stop, poll_interval_seconds=0.1).run,
        daemon=True,
    )
    thread.start()
    yield
    stop.set()
    thread.join(timeout=10)


def _wait_for(condition, what: str, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _questions_to_moderators(owner_access) -> None:
    """The default policy sends negative comments to a manager; this workspace sends negative questions to
    the moderators (complaints still go to a manager, so a correction to "complaint" moves the thread)."""
    data = policy_current_data(workspace=owner_access.workspace)
    rules = data["engagement"]["routing"]["rules"]
    data["engagement"]["routing"]["rules"] = [r for r in rules if r["when"].get("sentiments") != ["negative"]]
    policy_save(access=owner_access, document=PolicyDocument.model_validate(data))


def _update(update_id: int, message_id: int, text: str, reply_to: dict) -> bytes:
    message = {
        "message_id": message_id,
        "message_thread_id": 7001,
        "from": CUSTOMER,
        "chat": GROUP,
        "date": int(time.time()),
        "reply_to_message": reply_to,
        "text": text,
    }
    return json.dumps({"update_id": update_id, "message": message}, ensure_ascii=False).encode()


CHANNEL_POST = {  # the automatic forward of our channel post 501 into its discussion group
    "message_id": 7001,
    "sender_chat": {"id": CHANNEL_ID, "title": "Rīgas Grauzdētava", "type": "channel"},
    "chat": GROUP,
    "date": 1795000001,
    "is_automatic_forward": True,
    "text": "Labrīt! Šodien jauna kafija.",
    "forward_origin": {
        "type": "channel",
        "chat": {
            "id": CHANNEL_ID,
            "title": "Rīgas Grauzdētava",
            "username": "grauzdetava",
            "type": "channel",
        },
        "message_id": 501,
        "date": 1795000000,
    },
}


def test_question_answer_follow_up_overdue_and_correction(
    logged_in_page,
    live_server,
    settings,
    httpserver,
    member,
    owner_access,
    workspace,
    worker,
    moved_clock,
    screenshot,
):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the platform fake and the webhook receiver are on 127.0.0.1
    _questions_to_moderators(owner_access)
    moderator = member(Role.MODERATOR)
    member(Role.MANAGER)
    httpserver.expect_request("/hooks/moderators", method="POST").respond_with_json({"ok": True})
    _endpoint, signing_secret = notification_services.webhook_endpoint_create(
        user=moderator, name="Moderators' chat", fmt="slack", url=httpserver.url_for("/hooks/moderators")
    )
    with LocalServer() as platform:
        telegram = FakeTelegram(platform)
        account = account_connect(
            access=owner_access,
            platform="telegram",
            name="Grauzdētava channel",
            credentials={"bot_token": BOT_TOKEN, "chat_id": "@grauzdetava"},
            base_url=platform.base_url,
            external_id=str(CHANNEL_ID),
        )
        hook = webhook_endpoint_create(account=account, secret=SECRET)

        def push(body: bytes) -> None:
            """The platform delivers an update to our webhook URL with its secret-token header."""
            response = httpx.post(
                f"{live_server.url}/integrations/hooks/{hook.token}/",
                content=body,
                headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET},
                timeout=60,  # the first delivery loads the classifier's model
            )
            assert response.status_code == 200, response.text

        # 1. A negative question arrives through the webhook and is routed to the moderators.
        push(_update(900000101, 7101, QUESTION, CHANNEL_POST))
        thread = Thread.objects.get()
        assert (thread.sentiment, thread.assigned_role) == ("negative", Role.MODERATOR)
        first = thread.slas.get()
        assert first.kind == SlaKind.FIRST and first.state == SlaStatus.RUNNING

        tab = logged_in_page(moderator)
        tab.goto(f"/w/{workspace.slug}/inbox/?view=role")
        row = tab.locator("[data-kp-inbox-row]")
        assert row.count() == 1 and QUESTION in row.inner_text()
        assert re.search(r"\d+ (h \d+ )?min left", row.inner_text())
        row.click()
        tab.wait_for_url(f"**/inbox/{thread.pk}/")
        tab.get_by_text(re.compile(r"\d+ (h \d+ )?min left")).first.wait_for()
        screenshot(tab, "inbox-acceptance-1-question-with-countdown")

        # 2. A rude draft is flagged before anything is sent.
        tab.locator("#kp-inbox-reply").fill(RUDE)
        tab.get_by_role("button", name="Send answer").click()
        tab.get_by_text("Check this before sending:").wait_for()
        tab.get_by_text("Capital letters read as shouting.").first.wait_for()
        screenshot(tab, "inbox-acceptance-2-rude-draft-flagged")
        assert telegram.sent == []

        # 3. The calmer reply goes out through the worker and reaches the platform under the question.
        tab.locator("#kp-inbox-reply").fill(CALM)
        tab.get_by_role("button", name="Send answer").click()
        tab.get_by_text("Your answer is on its way.").wait_for()
        sent = _wait_for(lambda: telegram.sent, "the reply on the platform")
        assert sent[0]["fields"]["text"] == CALM
        assert sent[0]["fields"]["reply_parameters"]["message_id"] == 7101
        _wait_for(
            lambda: AppliedSla.objects.get(pk=first.pk).state == SlaStatus.MET, "the first clock to stop"
        )
        tab.reload()
        tab.get_by_text("Answered").first.wait_for()

        # 4. The customer answers our reply: a new deadline starts in the same conversation.
        ours = sent[0]["message"]
        push(_update(900000102, 7102, AGAIN, {**ours, "from": {"id": 7000000001, "is_bot": True}}))
        thread.refresh_from_db()
        assert thread.items.count() == 2 and Thread.objects.count() == 1
        following = thread.slas.get(kind=SlaKind.NEXT)
        assert following.state == SlaStatus.RUNNING and following.started_at > first.started_at
        assert thread.response_due_at == following.due_at
        tab.reload()
        tab.get_by_text(AGAIN).wait_for()
        tab.get_by_text(re.compile(r"\d+ (h \d+ )?min left")).first.wait_for()
        screenshot(tab, "inbox-acceptance-3-new-deadline")

    # 5. Time passes the new deadline; the clock's job (run by the worker) sends the overdue notice, and
    #    the moderator's outgoing webhook receives it, signed.
    moved_clock(following.due_at + timedelta(minutes=30))
    sla_tick.enqueue()
    _wait_for(
        lambda: [r for r in received(httpserver) if r[0].get("X-Kopiena-Kind") == "inbox.sla_overdue"],
        "the overdue notice at the webhook receiver",
    )
    [(_headers, body)] = [
        r for r in received(httpserver) if r[0].get("X-Kopiena-Kind") == "inbox.sla_overdue"
    ]
    assert body["text"].startswith("*An answer is overdue*") and QUESTION in body["text"]  # the subject
    assert f"/inbox/{thread.pk}/" in body["text"]
    verify(httpserver, signing_secret)
    assert Notice.objects.filter(kind="inbox.sla_overdue", recipient=moderator).count() == 1
    assert AppliedSla.objects.get(pk=following.pk).state == SlaStatus.BREACHED
    tab.reload()
    tab.get_by_text(re.compile(r"overdue by \d+")).first.wait_for()
    screenshot(tab, "inbox-acceptance-4-overdue")

    # 6. The moderator corrects a label (it is a complaint): the policy sends the thread to a manager.
    tab.get_by_text("What the classifier saw").last.click()  # the latest message
    form = tab.get_by_test_id("correct-form").last
    form.get_by_label("Complaint").check()
    form.get_by_role("button", name="Correct the labels").click()
    tab.wait_for_load_state()
    thread.refresh_from_db()
    assert thread.assigned_role == Role.MANAGER and ",complaint," in thread.intent_keys
    tab.get_by_text("For: Manager").first.wait_for()
    screenshot(tab, "inbox-acceptance-5-corrected-and-moved")
    tab.goto(f"/w/{workspace.slug}/inbox/?view=role")
    assert tab.locator("[data-kp-inbox-row]").count() == 0  # no longer in the moderators' queue
