"""OAuth callbacks: one fixed URL per platform (platforms want the redirect URI registered exactly)."""

from django.urls import path

from kopiena.integrations import views

urlpatterns = [
    path("oauth/<slug:platform>/callback/", views.oauth_callback, name="oauth_callback"),
]
