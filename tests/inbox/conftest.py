"""Inbox fixtures: a connected Mastodon account (no network unless a test starts the sandbox)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kopiena.connectors.types import AccountRef, ItemKind, RemoteItem
from kopiena.integrations.services import account_connect

BASE = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday, 12:00 in Riga: inside business hours


@pytest.fixture
def account(owner_access):
    return account_connect(
        access=owner_access,
        platform="mastodon",
        name="Kafija on Mastodon",
        credentials={"access_token": "tok-inbox-test-1"},
        base_url="https://social.example",
        external_id="100",
    )


def remote(
    external_id: str,
    text: str = "Kad atvērsiet jauno kafejnīcu?",
    *,
    kind: ItemKind = ItemKind.COMMENT,
    parent: str = "",
    post: str = "p1",
    author: str = "a1",
    minutes: int = 0,
) -> RemoteItem:
    return RemoteItem(
        external_id=external_id,
        kind=kind,
        text=text,
        created_at=BASE + timedelta(minutes=minutes),
        author=AccountRef(id=author, handle=f"@{author}", name=f"Person {author}", is_follower=False),
        url=f"https://social.example/@{author}/{external_id}",
        parent_id=parent or post,
        thread_id=post,
    )
