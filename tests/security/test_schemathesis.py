"""Issue 9 item 17: schemathesis with ALL its checks against the /api/v1 OpenAPI document.

Runs in-process through the WSGI application (same database transaction as the test) as the owner of a
demo-like workspace, with a personal API token. Every operation gets schemathesis' examples, coverage
(boundary values, missing and malformed parameters) and a bounded, derandomized fuzzing phase; the test
fails on any 500 and on any status or body the document does not describe.
"""

from __future__ import annotations

import importlib
from collections import Counter

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.pytest._test_builder import build_operation_test

from kopiena.config.api import api
from kopiena.teams.models import Role
from tests.security.seeded import seed

# Large enough to vary every parameter of each of the ~90 operations (the coverage phase adds its own
# deterministic cases on top); the owner's run takes about 80 s on a quiet 2-core machine.
MAX_EXAMPLES = 40
SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,  # the same cases on every run: a failure here is reproducible
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing case is reported as is
    suppress_health_check=list(HealthCheck),
)
# A schema-valid request may still be refused by the service: 400 is the documented "cannot be done"
# (a policy with errors, a post in the wrong state), 404 another workspace's or a missing id, 409 the
# publishing policy's refusal. Never 422 (the document would be wrong) and never 5xx.
POSITIVE_STATUSES = ["2xx", "400", "401", "403", "404", "409"]
CONFIG = {
    "checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE_STATUSES}},
    "operations": [
        {
            # The reply's own 422 lists the problems of a well-formed answer (tone, links, empty).
            "include-path": "/api/v1/inbox/items/{item_id}/reply",
            "checks": {"positive_data_acceptance": {"expected-statuses": [*POSITIVE_STATUSES, "422"]}},
        }
    ],
}


@pytest.fixture
def wsgi_app():
    """The real WSGI application, minus closing the database connection after each request (as Django's
    test client does): the requests run inside the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,examples",
    # The owner may do everything, so every operation runs its full code; the analyst may only read,
    # so writes answer 403 — which must be documented too. Fewer examples: the refusals are uniform.
    # The analyst's run sends no query the owner's does not: on SQLite only (tests/conftest.py).
    [
        (Role.OWNER, MAX_EXAMPLES),
        pytest.param(Role.ANALYST, MAX_EXAMPLES // 4, marks=pytest.mark.database_independent),
    ],
)
def test_api_answers_only_what_it_documents(wsgi_app, role, examples):
    seeded = seed()
    # The token as configuration (not a header added at call time), so schemathesis knows the request
    # is authenticated and its negative cases that drop the token expect the 401 they get.
    headers = {"Authorization": f"Bearer {seeded.tokens[role]}"}
    schema = schemathesis.openapi.from_dict(
        api.get_openapi_schema(path_prefix="/api/v1"),
        config=SchemathesisConfig.from_dict({**CONFIG, "headers": headers}),
    )
    schema.app = wsgi_app
    config = schema.config
    load_all_checks()
    every_check = CHECKS.get_all()

    statuses: Counter[int] = Counter()

    def check(case):
        statuses[case.call_and_validate(checks=every_check).status_code] += 1

    failures = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        test = build_operation_test(
            config=config,
            operation=operation,
            test_func=check,
            given_kwargs={},
            feedback=FeedbackSources(),
            explicit_settings=hypothesis.settings(SETTINGS, max_examples=examples),
        )
        try:
            test()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup is an exception group
            failures[operation.label] = exc
    report = "\n\n".join(f"== {label}\n{exc}" for label, exc in failures.items())
    assert not failures, report
    # It really ran, authenticated: most answers are the operations' own, not the token's 401.
    assert sum(statuses.values()) > 500 and sum(n for code, n in statuses.items() if code < 300) > 50, (
        statuses
    )


def _document() -> dict:
    return api.get_openapi_schema(path_prefix="/api/v1")


def test_no_two_api_schemas_share_a_name():
    """Two Schema classes with one name become one component, and one operation documents the other's
    body (PUT /policy's 400 was the publishing RefusedOut)."""
    from ninja import Schema

    from kopiena.config.api import ROUTERS

    owners: dict[str, set[str]] = {}
    for module_path in ROUTERS.values():
        module = importlib.import_module(module_path)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module_path:
                owners.setdefault(value.__name__, set()).add(module_path)
    assert {name: where for name, where in owners.items() if len(where) > 1} == {}


def test_policy_400_and_reply_422_document_their_own_bodies():
    paths = _document()["paths"]
    policy_400 = paths["/api/v1/policy"]["put"]["responses"]["400"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/PolicyRefusedOut"} in policy_400["anyOf"]
    reply = paths["/api/v1/inbox/items/{item_id}/reply"]["post"]["responses"]["422"]
    assert {"$ref": "#/components/schemas/ReplyBlockedOut"} in reply["content"]["application/json"]["schema"][
        "anyOf"
    ]
    components = _document()["components"]["schemas"]
    assert "problems" in components["ReplyBlockedOut"]["required"]
    assert "errors" in components["PolicyRefusedOut"]["required"]


def test_every_operation_documents_the_errors_it_can_answer():
    for path, item in _document()["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            assert {"401", "403"} <= statuses, (method, path)
            if operation.get("parameters") or "requestBody" in operation:
                assert {"400", "404", "422"} <= statuses, (method, path)
