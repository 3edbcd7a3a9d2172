"""Settings → Policy, under /w/<ws>/settings/policy/."""

from django.urls import path

from kopiena.policy import views

urlpatterns = [
    path("settings/policy/", views.policy, name="policy"),
    path("settings/policy/yaml/", views.policy_yaml, name="policy_yaml"),
    path("settings/policy/export.yaml", views.policy_export, name="policy_export"),
    path("settings/policy/versions/", views.policy_versions_view, name="policy_versions"),
    path("settings/policy/versions/<int:number>/diff/", views.policy_diff_view, name="policy_diff"),
    path("settings/policy/routing/new/", views.policy_route_rule, name="policy_route_rule_new"),
    path("settings/policy/routing/<int:index>/", views.policy_route_rule, name="policy_route_rule"),
    path("settings/policy/edit/<slug:section>/", views.policy_section, name="policy_section"),
]
