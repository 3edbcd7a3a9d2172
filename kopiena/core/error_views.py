"""Error pages (``handler400``/``handler404`` in the root URLconf).

Under ``/api/`` every answer is JSON in the API's error shape, also for URLs no operation matches (a
non-numeric id in ``/api/v1/posts/abc/submit`` never reaches django-ninja); elsewhere the HTML pages. A
body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is the client's 413, not a generic 400 (issue 9 item 11).
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        if _is_api(request):
            return JsonResponse({"detail": "The request body is too large.", "code": "too_large"}, status=413)
        return render(request, "413.html", status=413)
    if _is_api(request):
        return JsonResponse({"detail": "Bad request.", "code": "bad_request"}, status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)
