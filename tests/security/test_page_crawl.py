"""Issue 9 acceptance: a page crawl as every role, in every language, that fails on any 500.

In a demo-like workspace (tests/security/seeded.py), signed in as the owner, the manager, the moderator,
the contributor and the analyst in turn, it GETs every URL pattern of the site with sample arguments
(the real ids of the workspace's rows where a pattern names one, else 1) and every same-origin link
those pages show, breadth first and bounded; then the same pages again in Latvian and Russian. Any
answer of 500 or more, or a body with a raw traceback, fails the test with the list of such pages. The
API is left to tests/security/test_schemathesis.py.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings

from kopiena.inbox.models import Item, Reply, Thread
from kopiena.policy.models import PolicyVersion
from kopiena.publishing.models import Post
from kopiena.teams.models import Membership
from tests.security.seeded import ROLES, seed
from tests.security.tenancy import NOT_OBJECT_IDS, walk_routes

pytestmark = pytest.mark.django_db

MAX_PAGES = 300  # per role (a bound; the demo workspace has about 150 distinct pages)
# Links to the same page with other query strings (next week, filters, pages): a few of each, not the
# endless chain of "next week" links.
MAX_QUERIES_PER_PATH = 4
LANGUAGES = ("en", "lv", "ru")
# Not pages: the API (schemathesis), static files, the language switch (POST), the admin (DEBUG only),
# signing out (it would end the crawl), public webhook/OAuth endpoints (no session; probed elsewhere).
SKIP_PREFIXES = ("/api/", "/static/", "/i18n/", "/admin/", "/logout", "/integrations/", "/public-media/")
# Answers >= 500 that are the page's meaning, not a failure: the health check says 503 while no worker runs.
BY_DESIGN = {("/healthz", 503)}
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"/[^\"]+\.py\", line \d+")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _links(base: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue  # another origin (or javascript:, mailto:)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith("/") and not path.startswith(SKIP_PREFIXES):
            found.append(path)
    return found


def _sample_ids(seeded) -> dict[str, int]:
    """A real row of the workspace for each id name the URL patterns use."""
    ws = seeded.workspace
    ids = {
        "post_id": Post.objects.filter(workspace=ws).order_by("pk").values_list("pk", flat=True).first(),
        "thread_id": Thread.objects.filter(workspace=ws).values_list("pk", flat=True).first(),
        "item_id": Item.objects.filter(workspace=ws).values_list("pk", flat=True).first(),
        "reply_id": Reply.objects.filter(item__workspace=ws).values_list("pk", flat=True).first(),
        "account_id": seeded.account.pk,
        "membership_id": Membership.objects.filter(workspace=ws).values_list("pk", flat=True).first(),
        "number": PolicyVersion.objects.filter(workspace=ws).values_list("number", flat=True).first(),
    }
    return {name: value for name, value in ids.items() if value is not None}


def _pattern_urls(seeded) -> list[str]:
    """Each URL pattern with a real row's id (or 1), and once more with an id beyond any database's range."""
    ids = _sample_ids(seeded)
    urls = []
    for route in walk_routes():
        if route.regex or ("/" + route.route).startswith(SKIP_PREFIXES):
            continue
        for huge in (False, True):
            values = {}
            for name, converter in route.params:
                if name == "ws":
                    values[name] = seeded.workspace.slug
                elif converter == "int" and huge:
                    values[name] = 2**70
                elif converter == "int":
                    values[name] = (
                        2026 if name == "year" else (1 if name in NOT_OBJECT_IDS else ids.get(name, 1))
                    )
                elif converter == "slug" and name == "platform":
                    values[name] = "mastodon"
                else:
                    values[name] = "probe"
            urls.append(route.url(values))
    return list(dict.fromkeys(urls))


def _fetch(client, url: str, problems: dict[str, str], language: str):
    response = client.get(url)
    status = response.status_code
    body = b"" if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    if status >= 500 and (urlsplit(url).path, status) not in BY_DESIGN:
        problems[f"[{language}] {url}"] = f"{status}"
    elif TRACEBACK.search(text):
        problems[f"[{language}] {url}"] = f"{status} with a traceback in the body"
    is_html = response.get("Content-Type", "").startswith("text/html")
    return (text if is_html and status == 200 else ""), status


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_without_a_server_error(client, role):
    seeded = seed()
    client.force_login(seeded.ctx.people[role])
    client.raise_request_exception = False  # a 500 is recorded like a user would get it; all are listed
    problems: dict[str, str] = {}
    seen: set[str] = set()
    queue = deque(["/", f"/w/{seeded.workspace.slug}/", *_pattern_urls(seeded)])
    visited = []
    per_path: Counter[str] = Counter()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        path, _, query = url.partition("?")
        if query:
            per_path[path] += 1
            if per_path[path] > MAX_QUERIES_PER_PATH:
                continue
        html, _ = _fetch(client, url, problems, "en")
        visited.append(url)
        queue.extend(link for link in _links(url, html) if link not in seen)
    for language in LANGUAGES[1:]:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for url in visited:
            _fetch(client, url, problems, language)
    assert len(visited) > 40, visited  # the crawl really got into the workspace
    assert problems == {}, problems
