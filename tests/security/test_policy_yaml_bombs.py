"""Issue 9 item 2: the policy YAML parser is bounded — no alias expansion, a size cap, a depth cap — and each
refusal is a clear error with its line, from the API, the UI editor and ``kopiena policy check``."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kopiena.policy.models import PolicyVersion
from kopiena.policy.selectors import policy_export_yaml
from kopiena.policy.yaml_io import MAX_POLICY_BYTES, MAX_POLICY_DEPTH, check_policy
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from kopiena.teams.services import api_token_create
from tests.api.conftest import TokenClient


def _billion_laughs(levels: int = 9) -> str:
    """The probe's payload: each level is nine aliases of the last (9**9 leaves from ~400 bytes)."""
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


BOMB = _billion_laughs()
DEEP = "publishing: " + "[" * 500 + "]" * 500 + "\n"


def _timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


def test_the_payload_is_the_small_one_from_the_issue():
    assert len(BOMB.encode()) < 450


def test_aliases_are_refused_in_milliseconds_with_a_line():
    errors, seconds = _timed(check_policy, BOMB)
    assert seconds < 1.0  # before the fix this took ~30 s (each level multiplies by nine)
    assert len(errors) == 1
    assert errors[0].line == 1
    assert "aliases" in errors[0].message


def test_an_alias_used_once_is_refused_too():
    errors = check_policy("publishing: &p {}\ninbox: *p\n")
    assert [e.line for e in errors] == [1]


def test_deep_nesting_is_a_clear_error_not_a_recursion_error():
    errors, seconds = _timed(check_policy, DEEP)
    assert seconds < 1.0
    assert len(errors) == 1 and errors[0].line == 1
    assert f"more than {MAX_POLICY_DEPTH} levels" in errors[0].message


def test_oversized_documents_are_refused_before_parsing():
    text = "# " + "x" * MAX_POLICY_BYTES + "\n"
    errors, seconds = _timed(check_policy, text)
    assert seconds < 1.0
    assert len(errors) == 1 and "at most 256 KB" in errors[0].message


@pytest.mark.django_db
def test_api_check_and_put_refuse_the_bomb_quickly(member, workspace, owner):
    analyst = member(Role.ANALYST)  # any token may call /policy/check
    _, raw = api_token_create(access=access_workspace(actor=analyst, slug=workspace.slug), name="probe")
    TokenClient(raw).request("POST", "/policy/check", {"yaml": "{}"})  # warm up (URLconf, API schema)
    response, seconds = _timed(TokenClient(raw).request, "POST", "/policy/check", {"yaml": BOMB})
    assert seconds < 1.0
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False and body["errors"][0]["line"] == 1

    _, raw = api_token_create(access=access_workspace(actor=owner, slug=workspace.slug), name="probe")
    for payload in (BOMB, DEEP):
        response, seconds = _timed(TokenClient(raw).request, "PUT", "/policy", {"yaml": payload})
        assert seconds < 1.0
        assert response.status_code == 400
        assert response.json()["errors"][0]["line"] == 1
    assert not PolicyVersion.objects.exists()


@pytest.mark.django_db
def test_ui_editor_shows_the_refusal_as_a_form_error(login, owner, workspace):
    client = login(owner)
    url = reverse("policy_yaml", kwargs={"ws": workspace.slug})
    client.get(url)  # warm up (URLconf, templates)
    for action in ("check", "save"):
        response, seconds = _timed(client.post, url, {"text": BOMB, "action": action})
        assert seconds < 1.0
        assert response.status_code == 200
        assert "Line 1" in response.text and "aliases" in response.text
    assert not PolicyVersion.objects.exists()
    assert "max_per_day" in policy_export_yaml(workspace=workspace)


def test_command_check_refuses_the_bomb(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB)
    out = io.StringIO()
    started = time.perf_counter()
    with pytest.raises(CommandError, match="1 error"):
        call_command("policy", "check", str(bomb), stdout=out)
    assert time.perf_counter() - started < 1.0
    assert out.getvalue().startswith(f"{bomb}:1: (document): anchors and aliases")
