from django.urls import path

from kopiena.home import views

urlpatterns = [
    path("today/", views.today, name="today"),
]
