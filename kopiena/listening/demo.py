"""Demo content for listening: two saved queries, the sandbox's forum feed and its Mastodon search, and
two months of earlier forum topics, so the Listening page has charts and lists on first start."""

from __future__ import annotations

from kopiena.connectors.types import AccountRef, ItemKind, RemoteItem
from kopiena.core.demo import DemoContext
from kopiena.integrations.models import ConnectedAccount
from kopiena.listening.models import ListeningQuery, ListeningSource, Mention, SourceKind
from kopiena.listening.services import query_create
from kopiena.listening.source_services import source_feed_create, source_search_create
from kopiena.listening.store import mentions_store
from kopiena.sandbox.demo import SANDBOX_URL
from kopiena.sandbox.forum import FEED_PATH, history
from kopiena.teams.selectors import access_workspace

DEMO_QUERIES = [
    ("Kafijas Grauzdētava", 'kafij* OR grauzdētav* OR кофе OR coffee OR "Kafijas Grauzdētava" OR @kafija'),
    ("Piegāde", "piegād* OR доставк* OR delivery OR pasūtījum*"),
]
HISTORY_DAYS = 60
HISTORY_PER_DAY = 6


def load_listening(ctx: DemoContext) -> None:
    """Once: the queries and sources; the backfill only while the feed has no mentions yet."""
    access = access_workspace(actor=ctx.owner, slug=ctx.workspace.slug)
    for name, expression in DEMO_QUERIES:
        if not ListeningQuery.objects.filter(workspace=ctx.workspace, name=name).exists():
            query_create(access=access, name=name, expression=expression)
    feed_url = SANDBOX_URL + FEED_PATH
    feed = ListeningSource.objects.filter(
        workspace=ctx.workspace, kind=SourceKind.FEED, feed_url=feed_url
    ).first()
    if feed is None:
        feed = source_feed_create(access=access, feed_url=feed_url, name="Rīgas kafijas forums (sandbox)")
    sandbox = ConnectedAccount.objects.filter(
        workspace=ctx.workspace, platform="mastodon", is_sandbox=True
    ).first()
    if sandbox is not None:
        source_search_create(access=access, account=sandbox)
    if not Mention.objects.filter(source=feed).exists():
        items = [
            RemoteItem(
                external_id=f"{SANDBOX_URL}/forum/t/{topic['slot']}",
                kind=ItemKind.MENTION,
                text=topic["text"],
                title=topic["title"],
                created_at=topic["at"],
                author=AccountRef(id="", handle=topic["author"], name=topic["author"]),
                url=f"{SANDBOX_URL}/forum/t/{topic['slot']}",
            )
            for topic in history(days=HISTORY_DAYS, per_day=HISTORY_PER_DAY)
        ]
        queries = list(ListeningQuery.objects.filter(workspace=ctx.workspace))
        # Old topics are history for the charts, not work: they do not go to the inbox.
        result = mentions_store(source=feed, items=items, queries=queries, route=False)
        ctx.log(f"Listening: {result.created} earlier forum topics for the charts.")
