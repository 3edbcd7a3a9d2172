"""Issue 16 item 14: the audit log stays readable — long before/after values are cut with "Show more" (and
capped), the table has a fixed layout, filters are kept while paging."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kopiena.audit.services import audit_record
from kopiena.audit.views import FULL_CHARS, PREVIEW_CHARS, PREVIEW_LINES, shown_value

pytestmark = pytest.mark.django_db


def test_a_short_value_is_shown_whole():
    shown = shown_value({"name": "token"})
    assert not shown.cut and '"name": "token"' in shown.preview
    assert not shown_value(None)


def test_a_long_value_is_cut_to_a_preview_and_the_rest_is_behind_show_more():
    text = "Kafija " * 20_000  # one long draft: 140,000 characters on one line
    shown = shown_value({"text": text})
    assert shown.cut
    assert len(shown.preview) <= PREVIEW_CHARS + 2 and shown.preview.endswith("…")
    whole = '{\n  "text": "' + text + '"\n}'
    assert shown.full == whole[:FULL_CHARS] and shown.omitted == len(whole) - FULL_CHARS
    many_lines = shown_value({f"key{n}": n for n in range(40)})
    assert many_lines.cut and many_lines.preview.count("\n") < PREVIEW_LINES and many_lines.omitted == 0


def test_the_page_shows_the_preview_not_the_whole_long_value(owner, workspace, login):
    text = "Bez datuma " * 20_000
    audit_record(actor=owner, action="post.update", workspace=workspace, object_type="post", object_id=7,
                 before={"text": "īss"}, after={"text": text})  # fmt: skip
    response = login(owner).get(reverse("audit_log", kwargs={"ws": workspace.slug}))
    page = response.text
    assert 'class="table kp-table align-top kp-audit-table"' in page  # fixed layout (app.css)
    assert page.count('data-testid="audit-value-cut"') == 1
    assert "Show more" in page and "more characters, not shown." in page
    assert page.count("Bez datuma") < FULL_CHARS // len("Bez datuma ") + 40  # capped, not 20,000 copies
    assert len(page) < 60_000
    assert "&quot;text&quot;: &quot;īss&quot;" in page  # the short value, whole (escaped as text)


def test_paging_keeps_every_filter(owner, workspace, login):
    for n in range(51):
        audit_record(actor=owner, action="post.update", workspace=workspace, object_type="post", object_id=n)
    client = login(owner)
    url = reverse("audit_log", kwargs={"ws": workspace.slug})
    first = client.get(url, {"action": "post.update", "object_type": "post", "actor": owner.pk})
    assert len(first.context["rows"]) == 50
    assert f"action=post.update&amp;object_type=post&amp;actor={owner.pk}&amp;page=2" in first.text
    second = client.get(url, {"action": "post.update", "object_type": "post", "actor": owner.pk, "page": 2})
    assert len(second.context["rows"]) == 1
    assert 'value="post.update" selected' in second.text  # the filter form still shows the filter
