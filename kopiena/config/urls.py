"""URL map. Workspace pages live under /w/<slug>/ so every tenant URL names its workspace explicitly."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from kopiena.config.api import api
from kopiena.contests.urls import public_urlpatterns as contest_public_urls
from kopiena.teams.forms import AdminLoginForm

workspace_patterns = [
    path("settings/accounts/", include("kopiena.integrations.urls")),
    path("", include("kopiena.policy.urls")),
    path("", include("kopiena.publishing.urls")),
    path("", include("kopiena.planning.urls")),
    path("", include("kopiena.analytics.urls")),
    path("", include("kopiena.home.urls")),
    path("", include("kopiena.reports.urls")),
    path("", include("kopiena.inbox.urls")),
    path("", include("kopiena.listening.urls")),
    path("", include("kopiena.contests.urls")),
    path("", include("kopiena.teams.urls_workspace")),
]

urlpatterns = [
    path("", include("kopiena.core.urls")),
    path("", include("kopiena.teams.urls")),
    path("", include("kopiena.notifications.urls")),
    path("", include("kopiena.publishing.urls_user")),
    path("w/<slug:ws>/", include(workspace_patterns)),
    path("integrations/", include("kopiena.integrations.urls_public")),
    path("", include(contest_public_urls)),
    path("r/", include("kopiena.reports.urls_public")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]
handler400 = "kopiena.core.error_views.bad_request"
handler404 = "kopiena.core.error_views.page_not_found"

admin.site.login_form = AdminLoginForm  # /admin/login/ is throttled like /login/
if settings.DEBUG:
    urlpatterns.append(path("admin/", admin.site.urls))
