"""A made-up competing roastery's public feed, served by the sandbox at ``/listening/rival.xml`` for the
demo's Competitors page: a post every ``EVERY_SECONDS``, computed from the clock alone (stateless, the same
slot always gives the same post), with made-up engagement counts for the demo's backfill."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

FEED_PATH = "/listening/rival.xml"
NAME = "Melnā Pupiņa"
HANDLE = "melnapupina"
EVERY_SECONDS = 36 * 3600  # four or five posts a week
POSTS_IN_FEED = 10
POSTS = (
    ("Jaunā Etiopijas Yirgacheffe partija jau plauktos!", ""),
    ("Rīta espresso par 1,50 € līdz 9:00 katru darbdienu.", ""),
    ("Mūsu baristu čempionāta stāsts", "https://rival.example/blog/barista"),
    ("Новый сезонный раф с облепихой — попробуйте!", ""),
    ("Latte art darbnīca sestdien, pieteikšanās saitē", "https://rival.example/workshop"),
    ("Auzu piens tagad bez piemaksas", ""),
    ("How we roast: a look inside our roastery", "https://rival.example/blog/roast"),
)


def _post(slot: int) -> dict:
    digest = hashlib.sha256(f"rival-{slot}".encode()).digest()
    text, link = POSTS[digest[0] % len(POSTS)]
    return {
        "slot": slot,
        "text": text,
        "link": link or f"https://rival.example/p/{slot}",
        "at": datetime.fromtimestamp(slot * EVERY_SECONDS, tz=UTC),
        "likes": 5 + digest[1] % 60,
        "shares": digest[2] % 12,
        "replies": digest[3] % 15,
    }


def rival_feed(base_url: str, *, at: datetime | None = None) -> str:
    at = at or datetime.now(UTC)
    latest = int(at.timestamp()) // EVERY_SECONDS
    items = []
    for slot in range(latest, latest - POSTS_IN_FEED, -1):
        post = _post(slot)
        guid = f"{base_url}/rival/p/{slot}"
        items.append(
            f"<item><title>{escape(post['text'])}</title><link>{escape(post['link'])}</link>"
            f'<guid isPermaLink="false">{escape(guid)}</guid><description>{escape(post["text"])}</description>'
            f"<pubDate>{format_datetime(post['at'])}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(NAME)} (sandbox)</title><link>{escape(base_url)}/rival</link>"
        "<description>Kopiena sandbox</description>" + "".join(items) + "</channel></rss>"
    )


def rival_history(*, days: int, at: datetime | None = None) -> list[dict]:
    """Older posts (before the feed's window) for the demo's backfill, with engagement counts."""
    at = at or datetime.now(UTC)
    first = int((at - timedelta(days=days)).timestamp()) // EVERY_SECONDS
    newest = int(at.timestamp()) // EVERY_SECONDS - POSTS_IN_FEED
    return [_post(slot) for slot in range(first, newest + 1)]
