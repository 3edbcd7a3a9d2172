"""Demo content for Competitors and Leaders: a competing roastery whose feed the sandbox serves (with two
months of earlier posts and their engagement), and a community leader with a note and a task, so both
pages are alive on first start. Idempotent (looked up by name / handle)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kopiena.connectors.types import AccountRef, ItemKind, RemoteItem
from kopiena.core.demo import DemoContext
from kopiena.listening.competitors import (
    CompetitorPostIn,
    competitor_account_add,
    competitor_create,
    competitor_posts_store,
)
from kopiena.listening.leaders import leaders_ranked, person_ensure, person_note_add, person_task_create
from kopiena.listening.models import Competitor, CompetitorPost, ListeningQuery, ListeningSource, Mention
from kopiena.listening.store import mentions_store
from kopiena.sandbox.competitor import FEED_PATH, HANDLE, NAME, rival_history
from kopiena.sandbox.demo import SANDBOX_URL
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace

HISTORY_DAYS = 60
# Forum posts that compare us with the competitor (share of voice); each also matches the demo's query.
RIVAL_TALK = (
    "Melnā Pupiņa vai Kafijas Grauzdētava — kur labāka kafija vecpilsētā?",
    "Вчера пил кофе в Melnā Pupiņa, дороговато, но вкусно.",
    "Melnā Pupiņa has great coffee but slow service.",
    "Man Melnā Pupiņa kafija šķiet par skābu.",
)


def load_insights(ctx: DemoContext) -> None:
    access = access_workspace(actor=ctx.owner, slug=ctx.workspace.slug)
    competitor = Competitor.objects.filter(workspace=ctx.workspace, name=NAME).first()
    if competitor is None:
        competitor = competitor_create(access=access, name=NAME, aliases=["Melnā pupiņa", "melnapupina"])
        competitor_account_add(access=access, competitor_id=competitor.pk, platform="rss", handle=HANDLE,
                               feed_url=SANDBOX_URL + FEED_PATH)  # fmt: skip
    account = competitor.accounts.first()
    if account is not None and not CompetitorPost.objects.filter(account=account).exists():
        posts = [
            CompetitorPostIn(external_id=f"{SANDBOX_URL}/rival/p/{p['slot']}", published_at=p["at"], text=p["text"],
                             url=p["link"], content_type="link" if "/blog/" in p["link"] else "text",
                             likes=p["likes"], shares=p["shares"], replies=p["replies"])
            for p in rival_history(days=HISTORY_DAYS)
        ]  # fmt: skip
        created = competitor_posts_store(account=account, posts=posts)
        ctx.log(f"Competitors: {created} earlier posts of {NAME}.")
    feed = ListeningSource.objects.filter(
        workspace=ctx.workspace, feed_url__endswith="/listening/forum.xml"
    ).first()
    if (
        feed is not None
        and not Mention.objects.filter(source=feed, external_id__contains="/forum/rival/").exists()
    ):
        at = datetime.now(UTC)
        items = [
            RemoteItem(external_id=f"{SANDBOX_URL}/forum/rival/{n}", kind=ItemKind.MENTION, text=text,
                       title=text[:80], created_at=at - timedelta(days=1 + n * 2, hours=n),
                       author=AccountRef(id="", handle=author, name=author), url=f"{SANDBOX_URL}/forum/rival/{n}")
            for n, (text, author) in enumerate(
                (RIVAL_TALK[i % len(RIVAL_TALK)], ("Ilze", "Дмитрий", "Emily", "Kristaps")[i % 4]) for i in range(12)
            )
        ]  # fmt: skip
        queries = list(ListeningQuery.objects.filter(workspace=ctx.workspace))
        mentions_store(source=feed, items=items, queries=queries, route=False)  # history, not inbox work
    # The most engaged person gets a note and a "work with them" task, so the person page shows both.
    top = leaders_ranked(workspace=ctx.workspace, limit=1)
    if top:
        leader = top[0]
        person = person_ensure(access=access, platform=leader.platform, handle=leader.handle,
                               display_name=leader.name or leader.handle)  # fmt: skip
        if not person.notes.exists():
            person_note_add(access=access, person_id=person.pk,
                            body="Writes on the Riga coffee forum every week; friendly to us.")  # fmt: skip
        if not person.tasks.exists():
            assignee = ctx.people.get(Role.MANAGER, ctx.owner)
            due = (datetime.now(UTC) + timedelta(days=7)).date()
            person_task_create(access=access, person_id=person.pk, title="Invite to the next cupping",
                               assignee_id=assignee.pk, due_date=due)  # fmt: skip
