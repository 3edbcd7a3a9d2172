"""Issue 9 item 11, the import's share of the probed 500s: boundary dates (year 1 and 9999) in rows, a
default account that is not a number, a broken XLSX (UI and API). Each is a clear problem, never a 500."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from kopiena.publishing.importers import posts_import
from kopiena.publishing.models import Post
from tests.api.conftest import api_client  # noqa: F401 - the shared fixture
from tests.publishing.conftest import _fake_connector, _import_uploads_in_tmp, make_account  # noqa: F401
from tests.publishing.test_import import RIGA, accounts, our_csv, relaxed  # noqa: F401

pytestmark = pytest.mark.django_db

BROKEN_XLSX = [
    b"PK\x03\x04" + b"\x00" * 200,  # a zip signature and nothing behind it
    b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 4,
    b"not a spreadsheet at all \xff\xfe",
]


@pytest.mark.parametrize(
    "stamp",
    [
        "0001-01-01T00:00",
        "0001-01-01T00:00+02:00",
        "0001-01-01T12:00+00:00",
        "9999-12-31T23:59",
        "9999-12-31T23:59-05:00",
        "9999-12-31T23:59+14:00",
        "9999-01-01T10:00",
        "2999-06-01T10:00",
    ],
)
@pytest.mark.parametrize("dry_run", [True, False])
def test_boundary_dates_are_row_problems(relaxed, accounts, stamp, dry_run):  # noqa: F811
    body = our_csv([{"scheduled_at": stamp, "account": accounts[0].name, "text": "Teksts"}])
    result = posts_import(access=relaxed, content=body, filename="a.csv", dry_run=dry_run)
    assert not result.ok
    assert [(p.row, p.column) for p in result.problems] == [(2, "scheduled_at")]
    assert Post.objects.count() == 0


@pytest.mark.parametrize("row", ["01/01/0001 10:00,Teksts", "31/12/9999 23:59,Teksts"])
def test_boundary_dates_in_hootsuite_rows(relaxed, accounts, row):  # noqa: F811
    result = posts_import(
        access=relaxed, content=row.encode(), filename="a.csv", default_account=accounts[0].pk
    )
    assert [(p.row, p.column) for p in result.problems] == [(1, "A (date)")]


@pytest.mark.parametrize("value", ["abc", "1e3", "-1", "99999999999999999999999", "12abc"])
def test_a_default_account_that_is_not_one_is_a_problem(relaxed, accounts, value):  # noqa: F811
    result = posts_import(
        access=relaxed, content=b"31/12/2030 10:00,Teksts\n", filename="a.csv", default_account=value
    )
    assert not result.ok and "default_account" in {p.column for p in result.problems}


def test_ui_a_bad_default_account_is_a_form_error(login, owner, workspace, relaxed, accounts):  # noqa: F811
    client = login(owner)
    url = reverse("calendar_import", kwargs={"ws": workspace.slug})
    day = (datetime.now(RIGA) + timedelta(days=3)).date()
    row = f"{day:%d/%m/%Y} 10:00,Teksts\n".encode()
    page = client.post(url, {"file": _upload(row), "default_account": "abc"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Select a valid choice" in text and 'name="upload"' not in text
    # The confirmation uses the account chosen for the preview; a changed field cannot break it.
    page = client.post(url, {"file": _upload(row), "default_account": str(accounts[0].pk)}).content.decode()
    token = page.split('name="upload" value="')[1].split('"')[0]
    done = client.post(url, {"confirm": "1", "upload": token, "default_account": "abc"})
    assert done.status_code == 302 and Post.objects.get().variants.get().account == accounts[0]
    assert client.post(url, {"confirm": "1", "upload": "abc", "default_account": "abc"}).status_code == 404


def _upload(content: bytes, name: str = "hs.csv"):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


@pytest.mark.parametrize("content", BROKEN_XLSX)
def test_a_broken_xlsx_is_a_clear_problem(relaxed, content):  # noqa: F811
    result = posts_import(access=relaxed, content=content, filename="plan.xlsx")
    assert not result.ok and result.problems[0].row == 0
    assert "XLSX" in result.problems[0].message


@pytest.mark.parametrize("content", BROKEN_XLSX[:2])
def test_a_broken_xlsx_in_the_ui(login, owner, workspace, relaxed, content):  # noqa: F811
    upload = io.BytesIO(content)
    upload.name = "plan.xlsx"
    page = login(owner).post(reverse("calendar_import", kwargs={"ws": workspace.slug}), {"file": upload})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="import-problems"' in text and "XLSX" in text


@pytest.mark.parametrize("content", BROKEN_XLSX[:2])
def test_a_broken_xlsx_in_the_api(api_client, owner, workspace, relaxed, content):  # noqa: F811
    raw = api_client(owner, workspace)._client
    for dry_run in ("true", "false"):
        response = raw.post(
            f"/api/v1/posts/import?filename=plan.xlsx&dry_run={dry_run}",
            data=content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        assert response.status_code == 200
        body = response.json()
        assert not body["ok"] and "XLSX" in body["problems"][0]["message"]
