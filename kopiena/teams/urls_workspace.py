"""Pages under /w/<ws>/. Each area's first path segment names its side-navigation entry (see docs/ui.md).

The areas still marked "placeholder" are empty states until their app ships its views: to take one over,
delete its line here and include your app's urls in ``workspace_patterns`` in config/urls.py, keeping the
URL name (``calendar``, ``inbox``, …) for the area's main page so the navigation keeps working.
"""

from django.urls import path

from kopiena.audit import views as audit_views
from kopiena.teams import views

urlpatterns = [
    # settings owned by teams and audit
    path("settings/", views.workspace_settings, name="settings"),
    path("settings/team/", views.team, name="team"),
    path("settings/team/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("settings/team/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("settings/audit-log/", audit_views.audit_log, name="audit_log"),
    path("settings/api-tokens/", views.api_tokens, name="api_tokens"),
    path("settings/api-tokens/<int:token_id>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]
