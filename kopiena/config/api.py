"""The REST API, mounted at ``/api/v1`` with OpenAPI docs at ``/api/v1/docs``.

Each domain app that has an API exposes ``router = Router(tags=[...])`` in ``kopiena/<app>/apis.py``; add its
dotted path to ``ROUTERS`` below (prefix → module). Operations get the caller's workspace access with
``kopiena.core.auth_api.request_access(request)`` and fetch tenant rows through the app's ``access_*``
selectors, so another workspace's object is a 404 exactly as in the web UI.

Swagger UI is served from django-ninja's bundled static files (``ninja`` is in INSTALLED_APPS), not a CDN,
so the docs work offline and under our ``script-src 'self'`` Content-Security-Policy.
"""

from __future__ import annotations

import logging
from importlib import import_module

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.openapi.docs import Swagger

from kopiena.core.auth_api import ApiTokenAuth
from kopiena.core.errors import DomainError, NotPermitted

logger = logging.getLogger(__name__)

# Explicit registry: URL prefix → module with a ``router``. Order is the order in the docs.
ROUTERS: dict[str, str] = {
    "": "kopiena.teams.apis",
    "/accounts": "kopiena.integrations.apis",
    "/policy": "kopiena.policy.apis",
    "/inbox": "kopiena.inbox.apis",
    "/posts": "kopiena.publishing.apis",
    "/planning": "kopiena.planning.apis",
    "/listening": "kopiena.listening.apis",
    "/listening/insights": "kopiena.listening.insight_apis",
}

api = NinjaAPI(
    title="Kopiena API",
    version="1",
    description=(
        "Personal API tokens: create one in Settings → API tokens, then send "
        "`Authorization: Bearer kop_…`. Each token acts in exactly one workspace with its owner's role."
    ),
    auth=ApiTokenAuth(),
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
)


def _error(request: HttpRequest, status: int, message: str, code: str, **extra) -> HttpResponse:
    return api.create_response(request, {"detail": message, "code": code, **extra}, status=status)


@api.exception_handler(NotPermitted)
def _not_permitted(request, exc: NotPermitted):
    return _error(request, 403, exc.message, exc.code)


@api.exception_handler(DomainError)  # ninja picks the most specific handler: NotPermitted stays 403
def _domain_error(request, exc: DomainError):
    return _error(request, 400, exc.message, exc.code, field=exc.field)


@api.exception_handler(Http404)
def _not_found(request, exc):
    # Same answer for "does not exist" and "belongs to another workspace", and no model names in DEBUG.
    return _error(request, 404, "Not found.", "not_found")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(request, 401, "Missing, unknown or revoked API token.", "unauthenticated")


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    return _error(request, 422, "The request is not valid.", "validation", errors=exc.errors)


@api.exception_handler(Exception)
def _server_error(request, exc: Exception):
    # ninja's default prints the traceback into the response in DEBUG; ours never echoes exception text.
    logger.error("API error in %s %s", request.method, request.path, exc_info=exc)
    return _error(request, 500, "Something went wrong on our side; it has been logged.", "server_error")


for _prefix, _module in ROUTERS.items():
    api.add_router(_prefix, import_module(_module).router)
