from django.urls import path

from kopiena.analytics import views

urlpatterns = [
    path("analytics/", views.analytics, name="analytics"),
    path("analytics/export/<slug:table>.<slug:fmt>", views.analytics_export, name="analytics_export"),
    path("analytics/suggest-time/", views.suggest_time_view, name="analytics_suggest_time"),
]
