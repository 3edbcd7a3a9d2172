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

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger

from kopiena.core.auth_api import ApiTokenAuth
from kopiena.core.errors import DomainError, NotPermitted
from kopiena.core.text import NulStrippingParser

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
    "/contests": "kopiena.contests.apis",
    "/reports": "kopiena.reports.apis",
    "/analytics": "kopiena.analytics.apis",
}

# Answers any operation may give besides the ones it declares (issue 9 item 17: the document must describe
# every answer). Each is {"detail", "code", …} from the handlers below.
ERROR_SCHEMA = "ApiError"
VALIDATION_ERROR_SCHEMA = "ApiValidationError"
_ERROR_COMPONENTS = {
    ERROR_SCHEMA: {
        "type": "object",
        "title": ERROR_SCHEMA,
        "description": "A refused request: a message for a person and a stable machine code.",
        "required": ["detail", "code"],
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string"},
            "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
    },
    VALIDATION_ERROR_SCHEMA: {
        "type": "object",
        "title": VALIDATION_ERROR_SCHEMA,
        "description": "Parameters or body that do not match this document (code `validation`).",
        "required": ["detail", "code", "errors"],
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object"}},
        },
    },
}
_ERROR_DESCRIPTIONS = {
    "400": "Refused: the request is well formed but cannot be done (the message says why).",
    "401": "Missing, unknown or revoked API token.",
    "403": "The token's role does not allow this.",
    "404": "No such object in the token's workspace.",
    "413": "The request body is larger than the server accepts.",
    "422": "Parameters or body do not match this document.",
}


def _error_statuses(method: str, operation: dict) -> dict[str, str]:
    """Which of the common error answers ``operation`` can give, each with the schema its body has."""
    takes_input = bool(operation.get("parameters")) or "requestBody" in operation
    statuses = {}
    if operation.get("security"):
        statuses |= {"401": ERROR_SCHEMA, "403": ERROR_SCHEMA}
    if takes_input or method != "get":
        statuses["400"] = ERROR_SCHEMA  # a DomainError from the service
    if takes_input:
        statuses |= {"404": ERROR_SCHEMA, "422": VALIDATION_ERROR_SCHEMA}
    if "requestBody" in operation or method in ("post", "put", "patch"):
        statuses["413"] = ERROR_SCHEMA
    return statuses


class KopienaApi(NinjaAPI):
    """NinjaAPI whose OpenAPI document also lists the error answers every operation can give."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {}).update(_ERROR_COMPONENTS)
        for path_item in schema.get("paths", {}).values():
            for method, operation in path_item.items():
                # ninja keys declared statuses by int; one key type, or "422" and 422 both end up in the JSON
                responses = {str(code): answer for code, answer in operation.get("responses", {}).items()}
                operation["responses"] = responses
                for status, name in _error_statuses(method, operation).items():
                    ref = {"$ref": f"#/components/schemas/{name}"}
                    declared = responses.get(status)
                    if declared is None:
                        responses[status] = {
                            "description": _ERROR_DESCRIPTIONS[status],
                            "content": {"application/json": {"schema": ref}},
                        }
                        continue
                    # The operation has its own body for this status (the reply's problems, the policy's
                    # errors): that one, or the common error.
                    content = declared.setdefault("content", {}).setdefault("application/json", {})
                    own = content.get("schema")
                    content["schema"] = {"anyOf": [own, ref]} if own else ref
        return schema


api = KopienaApi(
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
    parser=NulStrippingParser(),  # NUL never reaches a service (PostgreSQL refuses it in text)
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


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    # ninja's own refusals (a body that is not JSON: 400) in our error shape, so the document describes them.
    return _error(request, exc.status_code, str(exc), "parse_error" if exc.status_code == 400 else "refused")


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE; that is the client's 413, not our 500.
    return _error(request, 413, "The request body is too large.", "too_large")


@api.exception_handler(Exception)
def _server_error(request, exc: Exception):
    # ninja's default prints the traceback into the response in DEBUG; ours never echoes exception text.
    logger.error("API error in %s %s", request.method, request.path, exc_info=exc)
    return _error(request, 500, "Something went wrong on our side; it has been logged.", "server_error")


for _prefix, _module in ROUTERS.items():
    api.add_router(_prefix, import_module(_module).router)
