"""API clients: ``api_client(user, workspace)`` sends a fresh personal token of ``user`` in ``workspace``."""

from __future__ import annotations

import json as jsonlib

import pytest
from django.test import Client

from kopiena.teams.selectors import access_workspace
from kopiena.teams.services import api_token_create


class TokenClient:
    """A Django test client that sends ``Authorization: Bearer <raw>`` on every request."""

    def __init__(self, raw: str):
        self.raw = raw
        self._client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path: str, **kwargs):
        return self._client.get("/api/v1" + path, **kwargs)

    def request(self, method: str, path: str, json=None):
        return self._client.generic(
            method,
            "/api/v1" + path,
            data=b"" if json is None else jsonlib.dumps(json),
            content_type="application/json",
        )


@pytest.fixture
def api_client():
    def make(user, workspace) -> TokenClient:
        access = access_workspace(actor=user, slug=workspace.slug)
        _, raw = api_token_create(access=access, name="tests")
        return TokenClient(raw)

    return make
