"""Nothing slips past the poller (issue 12 item 9), through the REAL Mastodon connector against the local
sandbox: comments under posts published outside Kopiena and under older posts (the policy's window),
edits and deletions on the platform recorded as events (the text we saw kept), history before connecting
starting no deadline — on the older-posts path too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from kopiena.connectors.http import RATE_LIMITER
from kopiena.connectors.types import WebhookEvent
from kopiena.inbox import polling
from kopiena.inbox.models import AppliedSla, Item, ItemEvent, ItemEventKind, Thread, ThreadStatus
from kopiena.inbox.services import items_ingest_webhook
from kopiena.integrations.services import account_connect_checked
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current
from kopiena.policy.services import policy_save
from kopiena.sandbox import start_sandbox

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits():
    RATE_LIMITER.reset()
    cache.clear()
    yield
    RATE_LIMITER.reset()


@pytest.fixture
def sandbox():
    with start_sandbox(0) as server:
        yield server


@pytest.fixture
def connect(owner_access, sandbox, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True

    def do():
        return account_connect_checked(
            access=owner_access,
            platform="mastodon",
            values={"base_url": sandbox.base_url, "access_token": sandbox.access_token},
            name="Sandbox (Mastodon)",
        )

    return do


def _outside_post(sandbox, text: str, *, days_ago: float = 0):
    """A post the brand published on the platform itself (not through Kopiena: no Delivery row)."""
    status = sandbox.state.post(sandbox.account.id, text)
    status.created_at -= timedelta(days=days_ago)
    return status


def _quiet_comment(sandbox, post_id: str, text: str):
    """A comment under the post that does not mention the brand (a reply deeper in the conversation):
    no notification, so only reading the post's comments finds it."""
    return sandbox.state.post(sandbox.add_person("klients", "Klients", "lv").id, text, in_reply_to_id=post_id)


def _set_window(access, days: int) -> None:
    data = policy_current(workspace=access.workspace).to_data()
    data["engagement"]["polling"]["window_days"] = days
    policy_save(access=access, document=PolicyDocument.model_validate(data))


def test_comments_under_a_post_published_outside_kopiena_are_read(connect, sandbox):
    account = connect()
    post = _outside_post(sandbox, "Šodien cepam kruasānus")
    comment = _quiet_comment(sandbox, post.id, "Vai būs arī bez glutēna?")
    assert polling.account_poll(account) >= 1
    item = Item.objects.get(external_id=comment.id)
    assert item.thread.post_external_id == post.id
    assert item.received_at is not None
    assert AppliedSla.objects.filter(thread=item.thread).exists()  # written after connecting: a deadline


def test_own_posts_are_listed_by_the_platforms_id_whatever_id_was_stored(connect, sandbox):
    """The demo stores a made-up id ("sandbox:kafija"); other accounts may hold a handle. The listing asks
    the platform who the token belongs to, so the comments are read either way."""
    account = connect()
    account.external_id = "sandbox:kafija"
    account.save(update_fields=["external_id"])
    post = _outside_post(sandbox, "Jaunā sezona")
    comment = _quiet_comment(sandbox, post.id, "Kad būs pieejams?")
    polling.account_poll(account)
    assert Item.objects.filter(external_id=comment.id).exists()


def test_a_failing_listing_still_reads_comments_under_what_kopiena_published(connect, sandbox, owner):
    from kopiena.core.clock import now
    from kopiena.publishing.models import Delivery, DeliveryState, Post, Variant

    account = connect()
    published = sandbox.state.post(sandbox.account.id, "Publicēts no Kopiena")
    post = Post.objects.create(workspace=account.workspace, author=owner, text="Publicēts no Kopiena")
    variant = Variant.objects.create(post=post, account=account, text="Publicēts no Kopiena")
    Delivery.objects.create(
        workspace=account.workspace, post=post, variant=variant, account=account, due_at=now(),
        next_attempt_at=now(), state=DeliveryState.PUBLISHED, remote_id=published.id, published_at=now(),
    )  # fmt: skip
    comment = _quiet_comment(sandbox, published.id, "Cik maksā?")
    sandbox.fail_next("GET", r"/api/v1/accounts/\d+/statuses", status=500)
    polling.account_poll(account)
    assert Item.objects.filter(external_id=comment.id).exists()


def test_the_policy_window_decides_how_old_a_post_may_be(connect, sandbox, owner_access):
    account = connect()
    old = _outside_post(sandbox, "Rudens kafija", days_ago=20)
    comment = _quiet_comment(sandbox, old.id, "Vai tā vēl ir pieejama?")
    polling.account_poll(account)
    assert not Item.objects.filter(external_id=comment.id).exists()  # default window: 14 days

    _set_window(owner_access, 30)
    polling.account_poll(account)
    assert Item.objects.filter(external_id=comment.id).exists()


def test_policy_window_is_validated():
    data = PolicyDocument().to_data()
    data["engagement"]["polling"]["window_days"] = 0
    with pytest.raises(ValueError):
        PolicyDocument.model_validate(data)
    data["engagement"]["polling"]["window_days"] = 91
    with pytest.raises(ValueError):
        PolicyDocument.model_validate(data)


def test_first_poll_starts_no_deadline_for_comments_under_older_posts(connect, sandbox):
    old = _outside_post(sandbox, "Vasaras menu", days_ago=5)
    earlier = _quiet_comment(sandbox, old.id, "Kāpēc tik dārgi?")  # written before the account was connected
    account = connect()
    polling.account_poll(account)
    item = Item.objects.get(external_id=earlier.id)
    assert item.thread.status == ThreadStatus.CLOSED
    assert item.thread.response_due_at is None
    assert not AppliedSla.objects.filter(thread=item.thread).exists()

    later = sandbox.state.post(
        sandbox.state.statuses[earlier.id].account_id, "Atbildiet, lūdzu!", in_reply_to_id=earlier.id
    )  # a new one in the same conversation opens it
    polling.account_poll(account)
    thread = Item.objects.get(external_id=later.id).thread
    assert thread.status == ThreadStatus.OPEN
    assert thread.response_due_at is not None


def test_an_edit_on_the_platform_is_recorded_and_the_first_text_kept(connect, sandbox, login, owner):
    account = connect()
    post = _outside_post(sandbox, "Jauns dzēriens")
    comment = sandbox.comment(post.id, "Garšīgs!")
    polling.account_poll(account)
    sandbox.edit(comment.id, f"@{sandbox.handle} Garšīgs, bet par saldu")
    polling.account_poll(account)
    polling.account_poll(account)  # read again: the same edit is not recorded twice
    item = Item.objects.get(external_id=comment.id)
    assert "Garšīgs!" in item.text
    assert "par saldu" in item.edited_text and item.edited_at is not None
    events = list(ItemEvent.objects.filter(item=item))
    assert [e.kind for e in events] == [ItemEventKind.EDITED]
    assert "par saldu" in events[0].text

    page = login(owner).get(
        reverse("inbox_thread", kwargs={"ws": account.workspace.slug, "thread_id": item.thread_id})
    )
    body = page.content.decode()
    assert "kp-inbox-edited" in body and "Garšīgs!" in body and "par saldu" in body


def test_a_deleted_comment_is_marked_and_kept(connect, sandbox, login, owner):
    account = connect()
    post = _outside_post(sandbox, "Kafijas degustācija")
    comment = sandbox.comment(post.id, "Jūs esat briesmīgi")
    kept = sandbox.comment(post.id, "Paldies par pasākumu")
    polling.account_poll(account)
    sandbox.remove(comment.id)
    polling.account_poll(account)
    polling.account_poll(account)
    item = Item.objects.get(external_id=comment.id)
    assert item.deleted_at is not None and "briesmīgi" in item.text
    assert list(ItemEvent.objects.filter(item=item).values_list("kind", flat=True)) == ["deleted"]
    assert Item.objects.get(external_id=kept.id).deleted_at is None

    page = login(owner).get(
        reverse("inbox_thread", kwargs={"ws": account.workspace.slug, "thread_id": item.thread_id})
    )
    assert "kp-inbox-deleted" in page.content.decode()


def test_webhook_removals_mark_items_deleted(account):
    from tests.inbox.conftest import remote

    items_ingest_webhook(account=account, events=[WebhookEvent("d1", "comment", items=(remote("c1"),))])
    items_ingest_webhook(account=account, events=[WebhookEvent("d2", "remove", removed_ids=("c1", "zz"))])
    item = Item.objects.get(external_id="c1")
    assert item.deleted_at is not None and item.text
    assert Thread.objects.count() == 1


def test_a_facebook_edit_webhook_is_recorded_as_an_edit(account):
    import json as jsonlib

    from kopiena.connectors.facebook import webhooks
    from tests.connectors.test_facebook import FIXTURES, PAGE_ID

    data = jsonlib.loads((FIXTURES / "webhook_feed_batched.json").read_text(encoding="utf-8"))
    change = next(
        c
        for e in data["entry"]
        for c in e["changes"]
        if c["value"].get("item") == "comment" and c["value"]["verb"] == "add"
    )
    parse = webhooks.page_change(PAGE_ID)
    entry = data["entry"][0]
    (added,) = parse(entry, change["field"], change["value"]).items
    items_ingest_webhook(account=account, events=[WebhookEvent("fb-1", "comment.add", items=(added,))])
    edited_value = {**change["value"], "verb": "edited", "message": "Когда вы открываетесь в субботу?"}
    event = parse(entry, change["field"], edited_value)
    assert event.items[0].edited_at is not None
    items_ingest_webhook(account=account, events=[event])
    item = Item.objects.get(external_id=added.external_id)
    assert item.text == "Когда открываетесь?" and "субботу" in item.edited_text
    assert list(ItemEvent.objects.filter(item=item).values_list("kind", flat=True)) == ["edited"]


def test_the_window_is_edited_in_the_policy_page(login, owner, workspace):
    client = login(owner)
    url = reverse("policy_section", kwargs={"ws": workspace.slug, "section": "polling"})
    assert client.get(url).status_code == 200
    refused = client.post(url, {"window_days": "0", "max_posts": "20"})
    assert (
        refused.status_code == 200
        and policy_current(workspace=workspace).engagement.polling.window_days == 14
    )
    saved = client.post(url, {"window_days": "30", "max_posts": "25"})
    assert saved.status_code == 302, saved.content.decode()[-3000:]
    fresh = type(workspace).objects.get(pk=workspace.pk)  # policy_current caches on the object
    polling_section = policy_current(workspace=fresh).engagement.polling
    assert (polling_section.window_days, polling_section.max_posts) == (30, 25)
