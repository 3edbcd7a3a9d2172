"""Issue 16, item 11: every page, as every role, in Latvian and Russian, carries no English left untranslated
and no internal code (intent, role, priority, audit action, seed requirement number) in any language.

The crawl of tests/security/test_page_crawl.py visits the pages in English; each page is then fetched in
Latvian and Russian. A visible text that is the same in the English and the translated page and reads as
English (two or more English words) is a leak — unless it is the workspace's own content (posts, comments,
names, the policy's texts: anything stored in the database) or a name on the allow-list. A snake_case word
or a "(M8)"-style requirement number in visible text is an internal code, in every language.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from tests.security.crawl import crawl, html_of, pattern_urls
from tests.security.seeded import ROLES, seed

pytestmark = [pytest.mark.django_db, pytest.mark.database_independent]

MAX_PAGES = 200
ENGLISH_WORD = re.compile(r"\b[A-Za-z][a-z]{2,}\b")
SNAKE_CODE = re.compile(r"(?<![\w./@#-])[a-z]+(?:_[a-z0-9]+)+(?![\w./@-])")
SEED_NUMBER = re.compile(r"\((?:[MRC]\d{1,2})(?:[:,)]|\s)|\b[MRC]\d{1,2}:")
# Names that stay as they are in every language.
ALLOWED = {
    "Kopiena", "Mastodon", "Bluesky", "Facebook", "Instagram", "Telegram", "YouTube", "Threads", "LinkedIn",
    "TikTok", "Google", "Business", "Profile", "Page", "RSS", "Atom", "OPML", "CSV", "XLSX", "PDF", "API",
    "OAuth", "JSON", "YAML", "iCal", "Markdown", "Slack", "Chart", "Sandbox", "Europe", "Riga", "UTC", "Chromium",
    "Sprout", "Social", "Hootsuite", "Buffer", "Later", "Publer", "Brand24",
}  # fmt: skip
# Words a person types literally: the import format's column names and the link placeholders.
ALLOWED_CODES = {
    "scheduled_at",
    "time_24hr",
    "message_text",
    "link_url",
    "image_url",
    "utm_source",
    "content_type",
}
WEB_ADDRESS = re.compile(r"^\S*[./]\S*$")
SKIP_TAGS = {"script", "style", "code", "pre", "textarea", "option", "noscript"}
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class _Texts(HTMLParser):
    """Visible text (and the attributes a reader sees) of a page, one entry per text node."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self._skip += 1
        values = dict(attrs)
        for name in SHOWN_ATTRIBUTES:
            if values.get(name):
                self.texts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.texts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def _leaves(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)


def workspace_words() -> set[str]:
    """The words of every free text stored in the database: the workspace's own posts, comments, names and
    notes, in whatever language it wrote them. Codes (a choice, a one-word value such as a role or an acute
    reason) are not free text and are left out, so a code shown raw is still caught."""
    words: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("kopiena."):
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.choices
        ]
        if not fields:
            continue
        named = [any(part in name for part in ("name", "handle", "title")) for name in fields]
        for row in model._base_manager.values_list(*fields)[:5000]:
            for value, is_name in zip(row, named, strict=True):
                for text in _leaves(value):
                    if is_name or " " in text.strip():
                        words.update(w.lower() for w in ENGLISH_WORD.findall(text))
    return words


def name_day_names() -> set[str]:
    """The people's names of the Latvian name-day calendar the week plan shows (kopiena.planning.days): proper
    names, written the same in every language, like the workspace's own names."""
    from kopiena.planning.days import _namedays

    return {
        word.lower()
        for names in _namedays().values()
        for name in names
        for word in ENGLISH_WORD.findall(name)
    }


def _english(text: str, own_words: set[str]) -> bool:
    if WEB_ADDRESS.match(text):
        return False
    words = [w for w in ENGLISH_WORD.findall(text) if w not in ALLOWED and w.lower() not in own_words]
    letters = [c for c in text if c.isalpha()]
    ascii_share = sum(c.isascii() for c in letters) / len(letters) if letters else 0
    return len(words) >= 2 and ascii_share > 0.9


def _crawl(client) -> dict[str, list[str]]:
    """{url: its visible texts in English} for the HTML pages (answering 200) reachable from every URL
    pattern."""
    english: dict[str, list[str]] = {}

    def visit(url: str, _source: str) -> str | None:
        html = html_of(client.get(url))
        if not html:
            return None
        english[url] = visible_texts(html)
        return html

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    crawl(["/", *pattern_urls(seed_cache["seeded"])], visit, max_pages=MAX_PAGES)
    return english


seed_cache: dict = {}


@pytest.mark.parametrize("role", ROLES)
def test_no_english_and_no_internal_codes_reach_a_latvian_or_russian_reader(client, role):
    seed_cache["seeded"] = seeded = seed()
    client.force_login(seeded.ctx.people[role])
    own_words = workspace_words() | name_day_names()

    def coded(text: str) -> bool:
        text = re.sub(r"\{[^}]*\}", "", text)  # placeholders such as {platform} are typed literally
        found = [code for code in SNAKE_CODE.findall(text) if code not in ALLOWED_CODES]
        return bool(found or SEED_NUMBER.search(text))

    leaks: dict[str, set[str]] = {}
    codes: dict[str, set[str]] = {}
    english = _crawl(client)
    assert len(english) > 30, list(english)
    for url, texts in english.items():
        for text in texts:
            if coded(text):
                codes.setdefault(url, set()).add(f"[en] {text[:120]}")
    server_errors: list[str] = []
    for language in ("lv", "ru"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for url in english:
            response = client.get(url)
            if response.status_code >= 500:  # the page crawl reads lv/ru as the owner only
                server_errors.append(f"[{language}] {url}: {response.status_code}")
            if response.status_code != 200:
                continue
            shown = visible_texts(response.content.decode())
            same = set(shown) & set(english[url])
            for text in shown:
                if text in same and _english(text, own_words):
                    leaks.setdefault(url, set()).add(f"[{language}] {text[:120]}")
                if coded(text):
                    codes.setdefault(url, set()).add(f"[{language}] {text[:120]}")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    report = "\n".join(f"{url}: {sorted(found)}" for url, found in sorted({**leaks}.items()))
    report_codes = "\n".join(f"{url}: {sorted(found)}" for url, found in sorted(codes.items()))
    assert not server_errors, server_errors
    assert not leaks and not codes, f"English left in lv/ru:\n{report}\n\nInternal codes:\n{report_codes}"
