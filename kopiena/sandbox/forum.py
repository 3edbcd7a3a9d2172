"""A made-up Riga forum's RSS feed, served by the sandbox at ``/listening/forum.xml`` for the demo's
listening: a new topic every ``EVERY_SECONDS`` (lv/ru/en, the audience's phrases), computed from the clock
alone — no state, the same topic always has the same id, text and time, so the feed behaves like a real one
(a reader that polls it sees each topic once)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from kopiena.sandbox.phrases import PHRASES

FEED_PATH = "/listening/forum.xml"
EVERY_SECONDS = 10 * 60
TOPICS_IN_FEED = 20
NAMES = ("Ilze", "Māris", "Оксана", "Дмитрий", "Kristaps", "Emily", "Zane", "Сергей")
INTENTS = ("question", "complaint", "praise", "question", "praise")


def _topic(slot: int) -> dict:
    digest = hashlib.sha256(str(slot).encode()).digest()
    language = ("lv", "ru", "en")[digest[0] % 3]
    phrases = PHRASES[language]
    intent = INTENTS[digest[1] % len(INTENTS)]
    choices = phrases.get(intent) or phrases["question"]
    text = choices[digest[2] % len(choices)]
    return {
        "slot": slot,
        "title": text if len(text) <= 80 else text[:79] + "…",
        "text": text,
        "author": NAMES[digest[3] % len(NAMES)],
        "at": datetime.fromtimestamp(slot * EVERY_SECONDS, tz=UTC),
    }


def forum_feed(base_url: str, *, at: datetime | None = None) -> str:
    """The feed as RSS 2.0 text: the latest TOPICS_IN_FEED topics, newest first."""
    at = at or datetime.now(UTC)
    latest = int(at.timestamp()) // EVERY_SECONDS
    items = []
    for slot in range(latest, latest - TOPICS_IN_FEED, -1):
        topic = _topic(slot)
        link = f"{base_url}/forum/t/{slot}"
        items.append(
            f"<item><title>{escape(topic['title'])}</title><link>{escape(link)}</link><guid>{escape(link)}</guid>"
            f"<author>{escape(topic['author'])}</author><description>{escape(topic['text'])}</description>"
            f"<pubDate>{format_datetime(topic['at'])}</pubDate></item>"
        )
    updated = format_datetime(datetime.fromtimestamp(latest * EVERY_SECONDS, tz=UTC))
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Rīgas kafijas forums (sandbox)</title><link>{escape(base_url)}/forum</link>"
        f"<description>Kopiena sandbox</description><lastBuildDate>{updated}</lastBuildDate>"
        + "".join(items)
        + "</channel></rss>"
    )


def history(*, days: int, per_day: int, at: datetime | None = None) -> list[dict]:
    """Older topics for the demo's backfill (so the 90-day charts are not empty on first start)."""
    at = at or datetime.now(UTC)
    first = int((at - timedelta(days=days)).timestamp()) // EVERY_SECONDS
    step = max(1, (24 * 3600 // EVERY_SECONDS) // per_day)
    newest = int(at.timestamp()) // EVERY_SECONDS - TOPICS_IN_FEED
    return [_topic(slot) for slot in range(first, newest, step)]
