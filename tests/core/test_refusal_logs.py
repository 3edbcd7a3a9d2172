"""Issue 16 item 17: an expected 403 or 404 does not write a traceback to the server log."""

from __future__ import annotations

import logging
import sys

import pytest
from django.urls import reverse

from kopiena.core.logging import NoTracebackForRefusalsFilter
from kopiena.teams.models import Role


@pytest.mark.django_db
def test_a_refused_page_logs_one_line_without_a_traceback(workspace, member, login, caplog):
    client = login(member(Role.MODERATOR))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("analytics", kwargs={"ws": workspace.slug})).status_code == 403
        assert (
            client.get(reverse("post_edit", kwargs={"ws": workspace.slug, "post_id": 999999})).status_code
            == 404
        )
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [r.status_code for r in records] == [403, 404]
    assert "Forbidden" in records[0].getMessage() and "Not Found" in records[1].getMessage()
    assert all(r.exc_info is None for r in records)
    assert "Traceback" not in caplog.text


def _record(status: int) -> logging.LogRecord:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", None, exc_info)
    record.status_code = status
    return record


def test_server_errors_keep_their_traceback():
    refusal, crash = _record(403), _record(500)
    keep = NoTracebackForRefusalsFilter()
    assert keep.filter(refusal) and keep.filter(crash)
    assert refusal.exc_info is None
    assert crash.exc_info is not None
