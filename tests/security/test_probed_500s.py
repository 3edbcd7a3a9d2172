"""Issue 9 item 11: every 500 the probes found (the import ones are in test_probed_500s_import.py).

Each request here once answered 500. Now: out-of-range ids are "not found", boundary dates a 400 with a
message (or a clamped page), odd IPv4 spellings a form error, oversized bodies 413, malformed webhook
deliveries 400 with nothing stored, and a webhook endpoint for a platform without webhooks cannot be
made or posted to.
"""

from __future__ import annotations

import json
import time

import pytest

from kopiena.connectors.facebook import webhooks as fb_webhooks
from kopiena.core.errors import DomainError
from kopiena.inbox.models import Item
from kopiena.integrations.crypto import encrypt_secret
from kopiena.integrations.models import ConnectedAccount, WebhookDelivery, WebhookEndpoint
from kopiena.integrations.services import account_connect, webhook_endpoint_create
from kopiena.publishing.models import Post, PostState
from kopiena.teams.models import Role
from tests.api.conftest import TokenClient
from tests.connectors.test_facebook import APP_SECRET, PAGE_ID
from tests.connectors.test_facebook import FIXTURES as FB_FIXTURES
from tests.connectors.test_vk import FIXTURES as VK_FIXTURES
from tests.connectors.test_vk import GROUP_ID
from tests.security.seeded import seed

pytestmark = pytest.mark.django_db

HUGE = str(2**70)
HUGE_NEGATIVE = str(-(2**70))
SECRET = "endpoint-secret-5b7c9d1e3f"


@pytest.fixture
def seeded():
    return seed()


@pytest.fixture
def ui(client, seeded):
    client.force_login(seeded.ctx.owner)
    return client


@pytest.fixture
def api(seeded):
    return TokenClient(seeded.tokens[Role.OWNER])


def _w(seeded, rest: str) -> str:
    return f"/w/{seeded.workspace.slug}/{rest}"


def _scheduled(seeded) -> Post:
    return Post.objects.filter(workspace=seeded.workspace, state=PostState.SCHEDULED).first()


# ---------------------------------------------------------------- huge integers (SQLite OverflowError)


PAGES_WITH_INTEGERS = [
    "inbox/?account={n}",
    "inbox/?assignee={n}",
    "calendar/events.json?start=2026-12-01T00:00:00&end=2026-12-08T00:00:00&account={n}",
    "calendar/export.csv?account={n}",
    "calendar/?account={n}",
    "calendar/posts/new/?account={n}",
    "calendar/posts/{n}/",
    "inbox/{n}/",
    "settings/accounts/{n}/",
    "audit/?actor={n}",
    "analytics/?days={n}",
    "calendar/queues/?account={n}",
]


def test_huge_integers_in_pages_are_never_a_500(ui, seeded):
    # One workspace for all the probes (seeding is the slow part); every bad answer is listed.
    answers = {
        (path, n): ui.get(_w(seeded, path.format(n=n))).status_code
        for path in PAGES_WITH_INTEGERS
        for n in (HUGE, HUGE_NEGATIVE, "9223372036854775808")
    }
    assert {key: status for key, status in answers.items() if status not in (200, 302, 400, 404)} == {}


API_WITH_INTEGERS = [
    ("GET", "/inbox/threads?account={n}"),
    ("GET", "/inbox/items?thread={n}"),
    ("GET", "/accounts/{n}"),
    ("POST", "/posts/{n}/submit"),
    ("POST", "/posts/{n}/cancel"),
    ("POST", "/inbox/items/{n}/reply"),
    ("GET", "/posts?account={n}"),
]


def test_huge_integers_in_the_api_are_never_a_500(api):
    bad = {}
    for method, path in API_WITH_INTEGERS:
        response = api.request(method, path.format(n=HUGE), json={"text": "x"} if method == "POST" else None)
        if response.status_code not in (200, 400, 404, 422) or not response["Content-Type"].startswith(
            "application/json"
        ):
            bad[(method, path)] = (response.status_code, response["Content-Type"])
    assert bad == {}


def test_huge_variant_and_account_ids_in_a_new_post_are_refused(api):
    response = api.request("POST", "/posts", json={"account_ids": [2**70], "text": "x"})
    assert response.status_code in (400, 404, 422), response.status_code


# ---------------------------------------------------------------- boundary dates


EVENTS_QUERIES = [
    "start=0001-01-01T00:00:00&end=0001-01-08T00:00:00",
    "start=0001-01-01T00:00:00Z&end=0001-01-08T00:00:00Z",
    "start=9999-12-24T00:00:00&end=9999-12-31T23:59:59",
    "start=9999-12-31T00:00:00%2B14:00&end=9999-12-31T23:59:59%2B14:00",
]
EXPORT_QUERIES = [
    "start=0001-01-01",
    "start=9999-12-31",
    "start=9999-01-01",
    "end=0001-01-01",
    "end=9999-12-31",
]
WEEKS = ["0001-01-01", "0001-01-07", "9999-12-31", "9999-12-25"]
API_POSTS_QUERIES = [
    "start=0001-01-01T00:00:00Z",
    "start=9999-12-31T00:00:00Z",
    "start=9999-12-01T00:00:00Z&end=9999-12-31T23:59:59Z",
    "start=0001-01-01T00:00:00%2B02:00&end=0001-01-02T00:00:00%2B02:00",
]


def test_pages_at_the_ends_of_time_answer_400_or_the_page(ui, seeded):
    answers = {}
    for query in EVENTS_QUERIES:
        response = ui.get(_w(seeded, f"calendar/events.json?{query}"))
        answers[f"events {query}"] = response.status_code
        if response.status_code == 400:
            assert "between 1900 and 9000" in response.json()["error"]
    for query in EXPORT_QUERIES:
        answers[f"export {query}"] = ui.get(_w(seeded, f"calendar/export.csv?{query}")).status_code
    for week in WEEKS:
        answers[f"week {week}"] = ui.get(_w(seeded, f"calendar/week/?week={week}")).status_code
    assert {key: status for key, status in answers.items() if status not in (200, 400)} == {}


def test_the_api_at_the_ends_of_time_answers_400(api):
    answers = {f"week {week}": api.get(f"/planning/week?week={week}").status_code for week in WEEKS}
    for path in ("/posts", "/posts/export.csv"):
        for query in API_POSTS_QUERIES:
            answers[f"{path}?{query}"] = api.get(f"{path}?{query}").status_code
    assert {key: status for key, status in answers.items() if status != 400} == {}


@pytest.mark.parametrize(
    "at",
    [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+02:00",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-12:00",
    ],
)
def test_api_schedule_at_the_ends_of_time(api, seeded, at):
    post = _scheduled(seeded)
    response = api.request("POST", f"/posts/{post.pk}/schedule", json={"at": at})
    assert response.status_code in (400, 409), response.status_code


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_schedule_form_at_the_ends_of_time(ui, seeded, when):
    post = _scheduled(seeded)
    response = ui.post(_w(seeded, f"calendar/posts/{post.pk}/schedule/"), {"at": when, "scheduled_at": when})
    assert response.status_code in (200, 302, 400, 409), response.status_code


@pytest.mark.parametrize(
    "body",
    [
        {"days": 99_999_999},
        {"days": -99_999_999},
        {"days": 10**30},
        {"milliseconds": 10**20},
        {"start": "0001-01-01T00:00:00"},
        {"start": "9999-12-31T23:59:59"},
    ],
)
def test_moving_a_post_out_of_time_is_a_400(ui, seeded, body):
    post = _scheduled(seeded)
    response = ui.post(
        _w(seeded, f"calendar/posts/{post.pk}/move/"), json.dumps(body), content_type="application/json"
    )
    assert response.status_code in (400, 409), response.status_code
    assert response.json()["message"]


# ---------------------------------------------------------------- odd IPv4 spellings in a server address


@pytest.mark.parametrize(
    "base_url",
    [
        "http://0177.0.0.1:9999",
        "http://0x7f.0.0.1",
        "http://2130706433",
        "http://127.1",
        "http://0177.0.0.01/",
        "https://010.0.0.1",
        "https://social.example:99999",
    ],
)
def test_connect_form_refuses_odd_ipv4_spellings_with_a_message(client, owner, workspace, base_url):
    client.force_login(owner)
    before = ConnectedAccount.objects.count()
    response = client.post(
        f"/w/{workspace.slug}/settings/accounts/connect/mastodon/",
        {"name": "Odd", "base_url": base_url, "access_token": "tok-x"},
    )
    assert response.status_code in (200, 400), response.status_code
    assert ConnectedAccount.objects.count() == before
    text = response.content.decode()
    assert "plain IP address" in text or "port in the server address" in text, text


def test_the_http_client_refuses_an_invalid_url_as_a_connector_error():
    from kopiena.connectors.errors import ConnectorError
    from kopiena.connectors.http import HttpClient

    client = HttpClient(base_url="http://0177.0.0.1:9999", account_key="probe")
    with pytest.raises(ConnectorError):
        client.get("/api/v1/accounts/verify_credentials")


# ---------------------------------------------------------------- request bodies over the limit


BIG = "x" * (2_621_440 + 10)


def test_an_oversized_form_is_413(ui, seeded):
    response = ui.post(_w(seeded, "calendar/posts/new/"), {"text": BIG})
    assert response.status_code == 413


def test_an_oversized_api_body_is_413_json(api):
    response = api.request("POST", "/posts", json={"account_ids": [1], "text": BIG})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_an_oversized_webhook_delivery_is_413(client, vk):
    before = _stored()
    response = client.post(f"/integrations/hooks/{vk.token}/", BIG, content_type="application/json")
    assert response.status_code == 413
    assert _stored() == before


# ---------------------------------------------------------------- malformed, authentic webhook deliveries


@pytest.fixture
def vk(owner_access):
    access = owner_access  # a plain workspace: the webhook probes need no demo data
    account = account_connect(
        access=access,
        platform="vk",
        name="Grauzdētava VK",
        credentials={"access_token": "vk-token-1", "group_id": str(GROUP_ID), "confirmation_code": "a1b2"},
        external_id=str(GROUP_ID),
    )
    return webhook_endpoint_create(account=account, secret=SECRET)


@pytest.fixture
def facebook(owner_access):
    access = owner_access  # a plain workspace: the webhook probes need no demo data
    account = account_connect(
        access=access,
        platform="facebook",
        name="Grauzdētava Page",
        credentials={"access_token": "fb-page-token", "page_id": PAGE_ID, "app_secret": APP_SECRET},
        external_id=PAGE_ID,
    )
    return webhook_endpoint_create(account=account, secret=SECRET)


def _stored() -> tuple[int, int]:
    return Item.objects.count(), WebhookDelivery.objects.count()


def _vk_body(**changes) -> bytes:
    data = json.loads((VK_FIXTURES / "callback_wall_reply_new.json").read_text(encoding="utf-8"))
    data["secret"] = SECRET
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    "changes",
    [
        {"object": None},
        {"object": []},
        {"object": [1, 2]},
        {"object": "text"},
        {"object": {"id": 1}},
        {"object": {"post_id": "x", "from_id": 5}},
        {"type": "wall_reply_delete", "object": []},
    ],
    ids=["missing", "empty-list", "list", "string", "no-post-id", "bad-post-id", "delete-list"],
)
def test_vk_delivery_with_a_malformed_object_is_400_and_stores_nothing(client, vk, changes):
    before = _stored()
    response = client.post(
        f"/integrations/hooks/{vk.token}/", _vk_body(**changes), content_type="application/json"
    )
    assert response.status_code == 400
    assert _stored() == before


def _fb_body(mutate) -> bytes:
    data = json.loads((FB_FIXTURES / "webhook_feed_comment.json").read_text(encoding="utf-8"))
    for entry in data["entry"]:
        entry["time"] = int(time.time())
    mutate(data)
    return json.dumps(data).encode()


def _set_value(data, value):
    data["entry"][0]["changes"][0]["value"] = value


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: _set_value(d, "a string"),
        lambda d: _set_value(d, [1, 2]),
        lambda d: _set_value(d, {"item": "comment", "verb": "add", "from": "someone"}),
        lambda d: d["entry"][0].update(changes="x"),
        lambda d: d["entry"][0].update(changes=["x"]),
        lambda d: d["entry"][0].update(messaging=[{"message": "x"}]),
    ],
    ids=["value-string", "value-list", "from-string", "changes-string", "change-string", "message-string"],
)
def test_meta_delivery_with_a_malformed_value_is_400_and_stores_nothing(client, facebook, mutate):
    body = _fb_body(mutate)
    before = _stored()
    response = client.post(
        f"/integrations/hooks/{facebook.token}/",
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=fb_webhooks.signature_for(body, APP_SECRET),
    )
    assert response.status_code == 400
    assert _stored() == before


# ---------------------------------------------------------------- webhooks for a platform without them


def test_a_webhook_endpoint_cannot_be_made_for_mastodon(ui, seeded):
    account = seeded.account  # the sandbox Mastodon account: no webhooks, the UI shows no button
    response = ui.post(_w(seeded, f"settings/accounts/{account.pk}/webhooks/"))
    assert response.status_code == 404
    assert not WebhookEndpoint.objects.filter(account=account).exists()


def test_the_service_refuses_a_webhook_endpoint_for_mastodon(seeded):
    with pytest.raises(DomainError):
        webhook_endpoint_create(account=seeded.account)
    assert not WebhookEndpoint.objects.filter(account=seeded.account).exists()


def test_an_unauthenticated_post_to_a_mastodon_endpoint_creates_nothing(client, seeded):
    # One made before the service refused them (an upgraded installation may still have it).
    endpoint = WebhookEndpoint.objects.create(
        workspace=seeded.workspace,
        account=seeded.account,
        token="legacy-mastodon-endpoint-token",
        secret_ciphertext=encrypt_secret({"secret": "s"}),
    )
    before = _stored()
    response = client.post(
        f"/integrations/hooks/{endpoint.token}/",
        b'{"events": [{"id": "x"}]}',
        content_type="application/json",
    )
    assert response.status_code in (404, 405)
    assert _stored() == before


@pytest.fixture
def telegram(owner_access, settings):
    from kopiena.connectors.testing import LocalServer
    from tests.connectors.test_telegram import BOT_TOKEN, FakeTelegram

    settings.OUTBOUND_ALLOW_PRIVATE = True  # the fake Bot API answers on 127.0.0.1
    access = owner_access
    with LocalServer() as server:
        FakeTelegram(server)
        account = account_connect(
            access=access,
            platform="telegram",
            name="Grauzdētava channel",
            credentials={"bot_token": BOT_TOKEN, "chat_id": "@grauzdetava"},
            base_url=server.base_url,
            external_id="-1001111111111",
        )
        yield webhook_endpoint_create(account=account, secret=SECRET)


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b"[]",
        b'{"update_id": "x"}',
        b'{"update_id": 5, "message": "text"}',
        b'{"update_id": 5, "message": []}',
    ],
    ids=["no-update-id", "list", "string-id", "message-string", "message-list"],
)
def test_telegram_delivery_with_a_malformed_update_is_400_and_stores_nothing(client, telegram, body):
    before = _stored()
    response = client.post(
        f"/integrations/hooks/{telegram.token}/",
        body,
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=SECRET,
    )
    assert response.status_code == 400
    assert _stored() == before
