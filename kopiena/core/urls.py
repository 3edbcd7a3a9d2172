from django.urls import path

from kopiena.core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("w/<slug:ws>/settings/health/", views.health, name="health"),
]
