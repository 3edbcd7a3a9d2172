"""A connected account's token never shows up in an API response, the audit log or a log line."""

from __future__ import annotations

import json
import logging
import re
import sys

import pytest
from django.contrib import admin
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory
from django.views.debug import ExceptionReporter

from kopiena.audit.models import AuditEvent
from kopiena.config.api import api
from kopiena.integrations import views as integration_views
from kopiena.integrations.models import Credential
from kopiena.integrations.services import (
    account_connect_checked,
    account_mark_needs_reconnect,
    webhook_endpoint_create,
)
from kopiena.teams.services import api_token_create
from tests.integrations.fakes import GOOD_TOKEN, fake_registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(monkeypatch, owner_access):
    with fake_registry(monkeypatch):
        account = account_connect_checked(
            access=owner_access, platform="fakehook", values={"access_token": GOOD_TOKEN, "chat_id": "7"}
        )
        webhook_endpoint_create(account=account, secret="whsec-" + GOOD_TOKEN[::-1])
        account_mark_needs_reconnect(account=account, error=f"HTTP 401 for Bearer {GOOD_TOKEN}")
        yield account


def _secrets(account) -> list[str]:
    ciphertext = Credential.objects.get(account=account).ciphertext
    return [GOOD_TOKEN, GOOD_TOKEN[::-1], ciphertext[:40]]


def test_no_api_response_contains_a_credential(account, owner_access, caplog):
    _, raw = api_token_create(access=owner_access, name="leak test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    caplog.set_level(logging.DEBUG)
    seen = 0
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        url = re.sub(r"\{[^}]+\}", str(account.pk), path)
        response = client.get(url)
        # Every id in a path is the account's: other objects (a listening query, a person) may not exist.
        assert response.status_code == 200 or ("{" in path and response.status_code == 404), url
        seen += response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        for secret in _secrets(account):
            assert secret not in body.decode(), f"{url} leaks a credential"
    assert seen >= 4
    assert json.loads(client.get(f"/api/v1/accounts/{account.pk}").content)["status"] == "needs_reconnect"
    for secret in _secrets(account):
        assert secret not in caplog.text


def test_the_audit_log_never_holds_a_credential(account):
    dump = json.dumps(
        list(AuditEvent.objects.values("action", "before", "after", "object_type")), default=str
    )
    assert "account.connect" in dump
    for secret in _secrets(account):
        assert secret not in dump


def test_credentials_are_not_in_the_admin():
    assert Credential not in admin.site._registry


def test_error_reports_of_a_crash_while_connecting_hide_the_token(monkeypatch, owner, workspace, settings):
    """A bug (not a platform error) while connecting: the error report Django would mail or log in
    production shows neither the posted token nor the secrets held in local variables."""
    settings.DEBUG = False
    request = RequestFactory().post(
        f"/w/{workspace.slug}/settings/accounts/connect/fakebook/",
        {"access_token": GOOD_TOKEN, "chat_id": "explode", "base_url": ""},
    )
    request.user, request.session = owner, SessionStore()
    with fake_registry(monkeypatch):
        try:
            integration_views.account_connect(request, ws=workspace.slug, platform="fakebook")
        except RuntimeError:
            exc_info = sys.exc_info()
        else:
            pytest.fail("the fake connector should have crashed")
    report = ExceptionReporter(request, *exc_info)
    html, text = report.get_traceback_html(), report.get_traceback_text()
    assert "a bug in a connector" in text  # the report itself is there
    assert GOOD_TOKEN not in html and GOOD_TOKEN not in text
