"""A demo-like workspace for the probes (schemathesis, page crawl): the demo's team of five, its policy,
sandbox account and week of posts, plus inbox threads (a question, an acute complaint, a conversation
with a sent reply) and a second connected account, so every page and operation has rows to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from kopiena.connectors.types import AccountRef, ItemKind, RemoteItem
from kopiena.core.clock import now
from kopiena.core.demo import DemoContext, demo_load
from kopiena.inbox.models import Item
from kopiena.inbox.services import item_reply, items_ingest
from kopiena.integrations.models import ConnectedAccount
from kopiena.integrations.services import account_connect
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from kopiena.teams.services import api_token_create

ROLES = (Role.OWNER, Role.MANAGER, Role.MODERATOR, Role.CONTRIBUTOR, Role.ANALYST)


@dataclass(frozen=True)
class Seeded:
    ctx: DemoContext
    account: ConnectedAccount
    tokens: dict[str, str]  # role → raw personal API token in the demo workspace

    @property
    def workspace(self):
        return self.ctx.workspace


def _remote(external_id: str, text: str, *, minutes: int, parent: str = "p1", author: str = "a1"):
    return RemoteItem(
        external_id=external_id,
        kind=ItemKind.COMMENT,
        text=text,
        created_at=now() - timedelta(minutes=minutes),
        author=AccountRef(id=author, handle=f"@{author}", name=f"Person {author}", is_follower=False),
        url=f"https://social.example/@{author}/{external_id}",
        parent_id=parent,
        thread_id=parent,
    )


def seed() -> Seeded:
    ctx = demo_load()
    owner_access = access_workspace(actor=ctx.owner, slug=ctx.workspace.slug)
    account = ConnectedAccount.objects.filter(workspace=ctx.workspace, is_sandbox=True).first()
    account_connect(
        access=owner_access,
        platform="mastodon",
        name="Second account",
        credentials={"access_token": "tok-crawl-2"},
        base_url="https://social.example",
        external_id="crawl-2",
    )
    items_ingest(
        account=account,
        remote_items=[
            _remote("c1", "Vai rīt strādājat? Kad atvērsiet jauno kafejnīcu?", minutes=300),
            _remote("c2", "Кофе был ужасный, верните деньги, это обман!!!", minutes=200, parent="p2"),
            _remote("c3", "Where can I buy your beans in Tallinn?", minutes=100, parent="p3", author="a3"),
        ],
    )
    item = Item.objects.get(account=account, external_id="c3")
    item_reply(
        access=owner_access, item=item, text="Thank you for asking, we ship to Estonia.", confirmed=True
    )
    tokens = {}
    for role in ROLES:
        access = access_workspace(actor=ctx.people[role], slug=ctx.workspace.slug)
        tokens[role] = api_token_create(access=access, name=f"probe {role}")[1]
    return Seeded(ctx=ctx, account=account, tokens=tokens)
