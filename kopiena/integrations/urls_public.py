"""Public endpoints with their own authorisation: OAuth callbacks (one fixed URL per platform, as
platforms want the redirect URI registered exactly) and webhook receivers (random token + signature)."""

from django.urls import path

from kopiena.integrations import views

urlpatterns = [
    path("oauth/<slug:platform>/callback/", views.oauth_callback, name="oauth_callback"),
    path("hooks/<str:token>/", views.webhook_receive, name="webhook_receive"),
]
