"""REST and CSV for listening (issue 11 item 9): queries CRUD with syntax errors and their position,
tenant isolation, keyset pages, spam review, formula-safe CSV, audited."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from kopiena.audit.models import AuditEvent, PendingAuditEvent
from kopiena.listening.export import cell_safe
from kopiena.listening.models import (
    ListeningQuery,
    ListeningSource,
    Mention,
    MentionMatch,
    SourceKind,
    SpamReview,
)
from kopiena.teams.models import Role
from tests.api.conftest import TokenClient

T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)

pytestmark = pytest.mark.django_db  # tests/listening/conftest.py's autouse fixture clears the DB cache


@pytest.fixture
def api_client():
    from kopiena.teams.selectors import access_workspace
    from kopiena.teams.services import api_token_create

    def make(user, workspace) -> TokenClient:
        _, raw = api_token_create(access=access_workspace(actor=user, slug=workspace.slug), name="tests")
        return TokenClient(raw)

    return make


@pytest.fixture
def source(workspace):
    return ListeningSource.objects.create(
        workspace=workspace, kind=SourceKind.FEED, name="Riga news", feed_url="https://news.example/feed"
    )


def store(workspace, source, n, *, text="kafija rīgā", query=None, **extra) -> Mention:
    mention = Mention.objects.create(
        workspace=workspace, source=source, external_id=f"e{n}", platform="rss", author_handle=f"a{n}",
        text=text, sentiment="neutral", published_at=T0 + timedelta(minutes=n), fetched_at=T0, **extra,
    )  # fmt: skip
    if query is not None:
        MentionMatch.objects.create(mention=mention, query=query, published_at=mention.published_at)
    return mention


def test_cell_safe_neutralises_formulas():
    assert [cell_safe(v) for v in ["=1+1", "+7", "-2", "@SUM(A1)", "\tx", "\rx", "kafija", None, True]] == [
        "'=1+1", "'+7", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "kafija", "", "yes",
    ]  # fmt: skip


def test_query_crud_and_syntax_error_with_position(api_client, owner, workspace, source):
    client = api_client(owner, workspace)
    bad = client.request(
        "POST", "/listening/queries", {"name": "Roastery", "expression": 'kafija AND ("grauz'}
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "expression" and "character" in bad.json()["detail"]
    assert not ListeningQuery.objects.exists()

    made = client.request(
        "POST", "/listening/queries",
        {"name": "Roastery", "expression": '"rīgas grauzdētava" OR #kafija', "languages": ["LV", "ru"],
         "excluded_authors": ["@spammer"], "sources": [source.pk]},
    )  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["languages"], body["excluded_authors"], body["sources"]) == (
        ["lv", "ru"],
        ["spammer"],
        [source.pk],
    )
    qid = body["id"]
    assert (
        client.request("POST", "/listening/queries", {"name": "Roastery", "expression": "x"}).status_code
        == 400
    )
    # A source id beyond the database's integers names no source: a 400, not a 500 (schemathesis found it).
    huge = client.request(
        "POST", "/listening/queries", {"name": "Huge", "expression": "x", "sources": [2**70]}
    )
    assert huge.status_code == 400 and huge.json()["field"] == "sources"

    patched = client.request(
        "PATCH", f"/listening/queries/{qid}", {"expression": "kafija -tēja", "sources": []}
    )
    assert patched.status_code == 200 and patched.json()["expression"] == "kafija -tēja"
    assert patched.json()["sources"] == [] and patched.json()["name"] == "Roastery"
    assert [q["id"] for q in client.get("/listening/queries").json()] == [qid]
    assert client.request("DELETE", f"/listening/queries/{qid}").status_code == 204
    actions = list(
        AuditEvent.objects.filter(action__startswith="listening.query").values_list("action", flat=True)
    )
    assert actions == ["listening.query_create", "listening.query_update", "listening.query_delete"]


def test_another_workspace_is_404_and_an_analyst_cannot_change_queries(
    api_client, owner, member, workspace, other_workspace, source
):
    stranger = other_workspace.memberships.get().user
    query = ListeningQuery.objects.create(workspace=workspace, name="Q", expression="kafija")
    mention = store(workspace, source, 1, query=query)
    outsider = api_client(stranger, other_workspace)
    assert outsider.get(f"/listening/queries/{query.pk}").status_code == 404
    assert outsider.get(f"/listening/mentions/{mention.pk}").status_code == 404
    assert outsider.get("/listening/mentions").json()["items"] == []
    analyst = api_client(member(Role.ANALYST), workspace)
    assert analyst.get(f"/listening/queries/{query.pk}").status_code == 200
    assert analyst.request("PATCH", f"/listening/queries/{query.pk}", {"name": "x"}).status_code == 403
    assert (
        analyst.request("POST", f"/listening/mentions/{mention.pk}/spam", {"spam": True}).status_code == 403
    )


def test_mentions_keyset_pages_filters_and_spam_review(api_client, owner, workspace, source):
    query = ListeningQuery.objects.create(workspace=workspace, name="Q", expression="kafija")
    for n in range(7):
        store(workspace, source, n, query=query if n % 2 == 0 else None, language="lv" if n < 5 else "ru")
    held = store(workspace, source, 99, text="buy followers", spam=True, spam_review=SpamReview.PENDING)
    client = api_client(owner, workspace)

    seen, after = [], ""
    while True:
        page = client.get("/listening/mentions", data={"size": 3, "after": after}).json()
        seen += [m["external_id"] for m in page["items"]]
        after = page["next"]
        if not after:
            break
    assert seen == [f"e{n}" for n in range(6, -1, -1)]  # newest first, spam held back, each once
    assert [m["external_id"] for m in client.get("/listening/mentions", data={"query": query.pk}).json()["items"]] == [
        "e6", "e4", "e2", "e0",
    ]  # fmt: skip
    assert len(client.get("/listening/mentions", data={"language": "ru"}).json()["items"]) == 2
    review = client.get("/listening/mentions", data={"spam": True}).json()["items"]
    assert [m["id"] for m in review] == [held.pk]
    released = client.request("POST", f"/listening/mentions/{held.pk}/spam", {"spam": False})
    assert released.json()["spam_review"] == SpamReview.RELEASED and released.json()["spam"] is False
    assert "e99" in [
        m["external_id"] for m in client.get("/listening/mentions", data={"size": 20}).json()["items"]
    ]
    assert AuditEvent.objects.filter(action="listening.mention_spam_review").exists()


def test_try_it_shows_what_a_query_would_have_matched(api_client, owner, workspace, source):
    store(workspace, source, 1, text="Labākā kafija Rīgā")
    store(workspace, source, 2, text="Tēja ir garšīga")
    client = api_client(owner, workspace)
    result = client.request("POST", "/listening/try", {"expression": "kafija OR rīga"}).json()
    assert result["scanned"] == 2 and [m["external_id"] for m in result["matched"]] == ["e1"]
    assert client.request("POST", "/listening/try", {"expression": "(kafija"}).status_code == 400


def test_csv_exports_are_formula_safe_and_audited(api_client, owner, workspace, source):
    query = ListeningQuery.objects.create(workspace=workspace, name="=cmd", expression="kafija")
    store(workspace, source, 1, text='=HYPERLINK("http://evil.example","click")', query=query)
    store(workspace, source, 2, text="Kafija — лучший кофе", query=query)
    client = api_client(owner, workspace)
    response = client.get("/listening/mentions.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert [r["text"] for r in rows] == [
        "Kafija — лучший кофе",
        '\'=HYPERLINK("http://evil.example","click")',
    ]
    assert rows[0]["queries"] == "'=cmd"
    queries = b"".join(client.get("/listening/queries.csv").streaming_content).decode()
    assert "'=cmd" in queries
    assert set(PendingAuditEvent.objects.values_list("action", flat=True)) == {
        "listening.mentions_export", "listening.queries_export",
    }  # fmt: skip


def test_mentions_csv_pages_through_batches_without_losing_or_repeating_rows(monkeypatch, workspace, source):
    from kopiena.listening import export

    monkeypatch.setattr(export, "BATCH", 2)
    for n in range(5):
        store(workspace, source, n)
    Mention.objects.filter(external_id__in=["e1", "e2", "e3"]).update(published_at=T0)  # ties across batches
    text = "".join(export.mentions_csv(workspace=workspace)).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(int(r["id"]) for r in rows) == sorted(Mention.objects.values_list("pk", flat=True))
    assert len(rows) == 5
