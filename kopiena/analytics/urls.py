from django.urls import path

from kopiena.analytics import views

urlpatterns = [
    path("analytics/", views.analytics, name="analytics"),
]
