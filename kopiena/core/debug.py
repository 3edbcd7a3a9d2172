"""What Django's debug error page (development only) may show: nothing anyone typed as a secret.

Django's ``SafeExceptionReporterFilter`` hides secret-looking *settings*, but in debug mode it shows the
POST data and every frame's local variables as they are, and only hides a request header whose name
looks secret (``Authorization`` does not). A token pasted into a connect form, a password on the sign-in
page or a bearer token in an API call would then be echoed on the 500 page. This filter is always active
and hides, wherever they appear (POST, GET, cookies, headers, local variables, nested dicts), values whose
name looks like a credential.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

from django.http import HttpRequest
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

_SECRET_NAMES = re.compile(
    r"API|TOKEN|KEY|SECRET|PASS|SIGNATURE|COOKIE|AUTH|CREDENTIAL|SESSION|CSRF|BEARER|PRIVATE|^RAW",
    flags=re.IGNORECASE,
)


class KopienaExceptionReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = _SECRET_NAMES

    def is_active(self, request):
        return True  # Django turns itself off when DEBUG is on: exactly when the page is shown

    def _cleanse_items(self, items) -> dict:
        return {key: self.cleanse_setting(key, value) for key, value in items}

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return self._cleanse_items(request.POST.items())

    def get_safe_cookies(self, request):
        if not hasattr(request, "COOKIES"):
            return {}
        return {key: self.cleansed_substitute for key in request.COOKIES}  # every cookie is a credential

    def cleanse_query(self, query: str) -> str:
        pairs = parse_qsl(query, keep_blank_values=True)
        return urlencode([(k, self.cleanse_setting(k, v)) for k, v in pairs], safe="*")

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        if isinstance(meta.get("QUERY_STRING"), str):
            meta["QUERY_STRING"] = self.cleanse_query(meta["QUERY_STRING"])
        for key in ("REQUEST_URI", "RAW_URI"):
            value = meta.get(key)
            if isinstance(value, str) and "?" in value:
                path, _, query = value.partition("?")
                meta[key] = f"{path}?{self.cleanse_query(query)}"
        return meta

    def get_traceback_frame_variables(self, request, tb_frame):
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self._cleanse_variable(name, value)) for name, value in variables]

    def _cleanse_variable(self, name, value):
        if isinstance(value, HttpRequest):  # its repr is the full path, query string included
            query = value.META.get("QUERY_STRING", "")
            shown = value.path + (f"?{self.cleanse_query(query)}" if query else "")
            return f"<{type(value).__name__}: {value.method} {shown!r}>"
        return self.cleanse_setting(name, value)


class KopienaExceptionReporter(ExceptionReporter):
    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.request is not None:
            data["request_GET_items"] = self.filter._cleanse_items(self.request.GET.items()).items()
            uri = data.get("request_insecure_uri") or ""
            if "?" in uri:
                path, _, query = uri.partition("?")
                data["request_insecure_uri"] = f"{path}?{self.filter.cleanse_query(query)}"
        return data
