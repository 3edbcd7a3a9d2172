"""Issue 16 item 15: a page shows only the links its reader's role can open.

Signed in as each role of a demo-like workspace, a crawl follows every same-origin link the pages show
(starting from Today and the side navigation) and fails on any link that answers 403: a role never sees
a way into a page that refuses it.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.security.crawl import crawl, html_of
from tests.security.seeded import ROLES, seed

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.database_independent,
]  # links shown by role; the page crawl covers PostgreSQL

MAX_PAGES = 150
MAX_QUERIES_PER_PATH = 2


def _crawl(client, start: str) -> tuple[list[str], dict[str, str]]:
    """Pages visited and {link: "403, linked from …"} for every shown link that refused."""
    refused: dict[str, str] = {}

    def visit(url: str, source: str) -> str:
        response = client.get(url)
        if response.status_code == 403:
            refused[url] = f"403, linked from {source}"
        return html_of(response)

    visited = crawl([start], visit, max_pages=MAX_PAGES, max_queries_per_path=MAX_QUERIES_PER_PATH)
    return visited, refused


@pytest.mark.parametrize("role", ROLES)
def test_no_shown_link_leads_to_a_refusal(client, role):
    seeded = seed()
    client.force_login(seeded.ctx.people[role])
    client.raise_request_exception = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    visited, refused = _crawl(client, f"/w/{seeded.workspace.slug}/today/")
    assert len(visited) > 20, visited
    assert refused == {}, "\n".join(f"{url}: {why}" for url, why in refused.items())
