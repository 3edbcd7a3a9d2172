"""NUL characters never enter the database.

PostgreSQL refuses ``\\x00`` in text and JSON (the whole statement fails, so one bad comment cost a
batch of good ones, and a pasted NUL made a form a 500); SQLite stores it. To behave the same on both, NUL
is removed at every edge: form fields and query strings (``NulStrippingMiddleware``), JSON API bodies
(``NulStrippingParser``), and platform data at ingest. A NUL is never meaningful in text people write.
"""

from __future__ import annotations

from django.http import QueryDict, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from ninja.parser import Parser

NUL = "\x00"


def strip_nul(value):
    """``value`` with NUL removed from every string in it (lists, tuples and dict keys/values too)."""
    if isinstance(value, str):
        return value.replace(NUL, "") if NUL in value else value
    if isinstance(value, list):
        return [strip_nul(v) for v in value]
    if isinstance(value, tuple):
        return tuple(strip_nul(v) for v in value)
    if isinstance(value, dict):
        return {strip_nul(k): strip_nul(v) for k, v in value.items()}
    return value


def _cleaned(query: QueryDict) -> QueryDict | None:
    """A copy of ``query`` without NUL, or None when it holds none (the common case: no copy)."""
    if not any(NUL in key or any(NUL in v for v in values) for key, values in query.lists()):
        return None
    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        cleaned.setlist(strip_nul(key), [strip_nul(v) for v in values])
    cleaned._mutable = False
    return cleaned


class NulStrippingMiddleware:
    """Removes NUL from the query string and from form fields (not from uploaded files) of every request."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cleaned = _cleaned(request.GET)
        if cleaned is not None:
            request.GET = cleaned
        # The API parses its own bodies (NulStrippingParser for JSON; the import reads the raw body, whose
        # cells the importer cleans): reading its stream here would leave request.body unreadable.
        if (
            request.method == "POST"
            and request.content_type in self.FORM_TYPES
            and not request.path_info.startswith("/api/")
        ):
            try:
                post = request.POST  # too big (RequestDataTooBig) raises here, as it would in the CSRF check
            except (UnreadablePostError, MultiPartParserError):
                # The client went away, or sent a multipart body without a boundary: as CsrfViewMiddleware,
                # leave it to the view (an API operation that reads request.body answers it as bad input).
                post = None
            cleaned = _cleaned(post) if post is not None else None
            if cleaned is not None:
                request.POST = cleaned
        return self.get_response(request)


class NulStrippingParser(Parser):
    """django-ninja's JSON parser, with NUL removed from every string of the body."""

    def parse_body(self, request):
        return strip_nul(super().parse_body(request))
