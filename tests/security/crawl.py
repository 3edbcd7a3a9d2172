"""The crawler of the page tests: breadth first over same-origin links, bounded, from every URL pattern.

Used by the server-error crawl (tests/security/test_page_crawl.py), the lv/ru language crawl
(tests/ui/test_language_leaks.py) and the role-navigation crawl (tests/teams/test_navigation.py).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from kopiena.inbox.models import Item, Reply, Thread
from kopiena.policy.models import PolicyVersion
from kopiena.publishing.models import Post
from kopiena.teams.models import Membership
from tests.security.tenancy import NOT_OBJECT_IDS, walk_routes

# Links to the same page with other query strings (next week, filters, pages): a few of each, not the
# endless chain of "next week" links.
MAX_QUERIES_PER_PATH = 4
# Not pages: the API (schemathesis), static files, the language switch (POST), the admin (DEBUG only),
# signing out (it would end the crawl), public webhook/OAuth endpoints (no session; probed elsewhere).
SKIP_PREFIXES = ("/api/", "/static/", "/i18n/", "/admin/", "/logout", "/integrations/", "/public-media/")


def crawl(
    start: Iterable[str],
    visit: Callable[[str, str], str | None],
    *,
    max_pages: int,
    max_queries_per_path: int = MAX_QUERIES_PER_PATH,
) -> list[str]:
    """The pages visited, breadth first from ``start``. ``visit(url, linked_from)`` GETs a page and returns
    its HTML (whose links are followed; "" follows none), or None when it is not a page to count."""
    seen: set[str] = set()
    queue: deque[tuple[str, str]] = deque((url, "") for url in start)
    visited: list[str] = []
    per_path: Counter[str] = Counter()
    while queue and len(visited) < max_pages:
        url, source = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        path, _, query = url.partition("?")
        if query:
            per_path[path] += 1
            if per_path[path] > max_queries_per_path:
                continue
        html = visit(url, source)
        if html is None:
            continue
        visited.append(url)
        queue.extend((link, url) for link in links(url, html) if link not in seen)
    return visited


def html_of(response) -> str:
    """The body of an HTML page that answered 200, else "" (nothing to follow)."""
    if response.status_code != 200 or response.streaming:
        return ""
    if not response.get("Content-Type", "").startswith("text/html"):
        return ""
    return response.content.decode("utf-8", "replace")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links(base: str, html: str) -> list[str]:
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


def sample_ids(seeded) -> dict[str, int]:
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


def pattern_urls(seeded) -> list[str]:
    """Each URL pattern with a real row's id (or 1), and once more with an id beyond any database's range."""
    ids = sample_ids(seeded)
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
