"""Outgoing webhooks: signed POSTs in the Slack-compatible and Telegram-bot formats, received by a local
HTTP server; retries and failures that a person can see; the SSRF guard; the "send test" button."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from werkzeug import Response

from kopiena.core.clock import now
from kopiena.notifications import services
from kopiena.notifications.delivery import MAX_ATTEMPTS, deliveries_send
from kopiena.notifications.models import DeliveryState, NoticeDelivery, WebhookEndpoint
from kopiena.notifications.services import notify, webhook_endpoint_create
from kopiena.teams.models import Role
from tests.notifications.conftest import received, riga, verify


def overdue(workspace, people):
    return notify(
        workspace_id=workspace.pk,
        recipients=people,
        kind="inbox.sla_overdue",
        params={
            "subject": "Kur <mans> pasūtījums?",
            "due_at": riga(2026, 11, 24, 18, 0).isoformat(),
            "thread": 5,
        },
        target=services.thread_target(5),
    )


def test_slack_and_telegram_formats_arrive_signed(receiver, workspace, member, settings):
    settings.BASE_URL = "https://kopiena.example.lv"
    moderator = member(Role.MODERATOR)
    receiver.expect_request("/slack/T000/B000/XXXX", method="POST").respond_with_json({"ok": True})
    receiver.expect_request("/bot123:ABC/sendMessage", method="POST").respond_with_json({"ok": True})
    slack, slack_secret = webhook_endpoint_create(
        user=moderator, name="Team channel", fmt="slack", url=receiver.url_for("/slack/T000/B000/XXXX")
    )
    _telegram, telegram_secret = webhook_endpoint_create(
        user=moderator, name="My phone", fmt="telegram", url=receiver.url_for("/bot123:ABC/sendMessage"),
        chat_id="-100777",
    )  # fmt: skip
    assert "XXXX" not in slack.ciphertext and slack.secrets()["secret"] == slack_secret

    overdue(workspace, [moderator])
    assert deliveries_send()["sent"] == 3  # the e-mail and both endpoints
    by_path = {req.path: req for req, _resp in receiver.log}
    slack_body = received(receiver)[[r.path for r, _ in receiver.log].index("/slack/T000/B000/XXXX")][1]
    assert set(slack_body) == {"text"}
    assert slack_body["text"].startswith("*An answer is overdue*\n")
    assert "Kur &lt;mans&gt; pasūtījums?" in slack_body["text"]  # Slack's own escaping
    assert (
        "<https://kopiena.example.lv/w/" in slack_body["text"] and "|Open in Kopiena>" in slack_body["text"]
    )
    telegram_req = by_path["/bot123:ABC/sendMessage"]
    tg = telegram_req.get_json()
    assert tg["chat_id"] == "-100777" and tg["parse_mode"] == "HTML"
    assert tg["text"].startswith("<b>An answer is overdue</b>\n") and "Kur &lt;mans&gt;" in tg["text"]
    assert "18:00" in tg["text"]  # the deadline in the workspace's zone
    for req in (by_path["/slack/T000/B000/XXXX"],):
        assert req.headers["X-Kopiena-Signature"].startswith("sha256=")
        assert req.headers["X-Kopiena-Kind"] == "inbox.sla_overdue"
    # Each endpoint signs with its own secret.
    from kopiena.notifications.channels.webhook import signature

    for path, secret in (
        ("/slack/T000/B000/XXXX", slack_secret),
        ("/bot123:ABC/sendMessage", telegram_secret),
    ):
        req = by_path[path]
        assert req.headers["X-Kopiena-Signature"] == signature(
            secret, req.headers["X-Kopiena-Timestamp"], req.get_data()
        )
        assert req.headers["X-Kopiena-Signature"] != signature(
            "wrong", req.headers["X-Kopiena-Timestamp"], req.get_data()
        )
    slack.refresh_from_db()
    assert slack.last_success_at is not None


def test_a_failing_receiver_is_retried_then_given_up_and_shown(receiver, workspace, member, login):
    moderator = member(Role.MODERATOR)
    receiver.expect_request("/hook").respond_with_response(Response("down for maintenance", status=500))
    endpoint, _secret = webhook_endpoint_create(
        user=moderator, name="Flaky", fmt="slack", url=receiver.url_for("/hook")
    )
    overdue(workspace, [moderator])
    deliveries_send()
    hook = NoticeDelivery.objects.get(endpoint=endpoint)
    assert hook.state == DeliveryState.PENDING and hook.attempts == 1 and "500" in hook.last_error
    assert hook.due_at > now() + timedelta(seconds=50)  # the first retry a minute later
    for _ in range(MAX_ATTEMPTS - 1):
        deliveries_send(at=NoticeDelivery.objects.get(pk=hook.pk).due_at)
    hook.refresh_from_db()
    assert hook.state == DeliveryState.FAILED and hook.attempts == MAX_ATTEMPTS
    page = login(moderator).get(reverse("notification_preferences")).text
    assert f'data-kp-delivery="{hook.pk}" data-kp-state="failed"' in page
    assert "Last attempt failed" in page


def test_private_addresses_are_refused_unless_the_operator_allows_them(
    httpserver, workspace, member, settings
):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    moderator = member(Role.MODERATOR)
    httpserver.expect_request("/hook").respond_with_json({})
    endpoint, _ = webhook_endpoint_create(
        user=moderator, name="Local", fmt="slack", url=httpserver.url_for("/hook")
    )
    overdue(workspace, [moderator])
    deliveries_send()
    assert httpserver.log == []
    hook = NoticeDelivery.objects.get(endpoint=endpoint)
    assert hook.state == DeliveryState.PENDING and "loopback" in hook.last_error


def test_send_test_button(receiver, member, login):
    moderator = member(Role.MODERATOR)
    moderator.language = "lv"
    moderator.save()
    receiver.expect_request("/hook").respond_with_json({"ok": True})
    client = login(moderator)
    client.post(
        reverse("notification_webhook_add"),
        {"name": "Komanda", "format": "slack", "url": receiver.url_for("/hook")},
    )
    endpoint = WebhookEndpoint.objects.get(user=moderator)
    response = client.post(
        reverse("notification_webhook_test", kwargs={"endpoint_id": endpoint.pk}), follow=True
    )
    assert len(receiver.log) == 1
    verify(receiver, endpoint.secrets()["secret"])
    assert "Komanda" in received(receiver)[0][1]["text"]
    assert response.status_code == 200
    other = WebhookEndpoint.objects.exclude(user=moderator).count()
    assert other == 0


def test_bad_endpoints_are_refused(member):
    from kopiena.core.errors import DomainError

    person = member(Role.MODERATOR)
    for fmt, url, chat in (("slack", "ftp://x", ""), ("telegram", "https://api.telegram.org/botX/sendMessage", ""),
                           ("smoke", "https://x", ""), ("slack", "not a url", "")):  # fmt: skip
        try:
            webhook_endpoint_create(user=person, name="x", fmt=fmt, url=url, chat_id=chat)
        except DomainError:
            continue
        raise AssertionError((fmt, url))
    assert not WebhookEndpoint.objects.exists()


def test_another_persons_endpoint_is_a_404(member, login):
    owner_of_it, stranger = member(Role.MODERATOR), member(Role.MODERATOR)
    endpoint, _ = webhook_endpoint_create(
        user=owner_of_it, name="Mine", fmt="slack", url="https://hooks.example/x"
    )
    client = login(stranger)
    for name in ("notification_webhook_test", "notification_webhook_delete"):
        assert client.post(reverse(name, kwargs={"endpoint_id": endpoint.pk})).status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
