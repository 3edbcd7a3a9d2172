"""`make screenshots` (scripts/screenshots.py): its page list names real pages — no browser, no demo."""

import importlib.util
import sys
from pathlib import Path

import pytest
from django.urls import resolve

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshots.py"


@pytest.fixture(scope="module")
def screenshots():
    spec = importlib.util.spec_from_file_location("kopiena_screenshots", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_every_page_reverses_to_a_url_that_resolves_to_its_view(screenshots):
    objects = {"ws": "kafijas-grauzdetava-riga", "thread": 7, "contest": 3, "report": 2}
    for page in screenshots.PAGES:
        path = screenshots.page_path(page, objects)
        assert resolve(path).url_name == page.url_name, page


def test_page_names_are_unique_file_names_and_cover_the_main_areas(screenshots):
    names = [page.name for page in screenshots.PAGES]
    assert len(names) == len(set(names))
    assert all(name.replace("-", "").isalnum() for name in names)
    url_names = {page.url_name for page in screenshots.PAGES}
    main = {"today", "inbox", "inbox_thread", "calendar", "post_new", "approvals", "queues", "week_plan"}
    main |= {"listening", "analytics", "reports", "contests", "policy", "accounts", "team", "audit_log"}
    assert main | {"notifications"} <= url_names


def test_unknown_object_names_fail_loudly(screenshots):
    page = screenshots.Page("x", "inbox_thread", {"ws": "ws", "thread_id": "no-such-object"})
    with pytest.raises(KeyError):
        screenshots.page_path(page, {"ws": "demo"})


def test_the_index_shows_every_page_at_both_widths_and_themes(screenshots, tmp_path):
    text = screenshots.write_index(tmp_path, screenshots.PAGES).read_text()
    for page in screenshots.PAGES:
        for suffix in ("1440-light", "1440-dark", "390-light", "390-dark"):
            assert f'src="{page.name}-{suffix}.png"' in text
