"""Settings → Accounts, under /w/<ws>/settings/accounts/ (included from config/urls.py)."""

from django.urls import path

from kopiena.integrations import views

urlpatterns = [
    path("", views.accounts, name="accounts"),
    path("connect/", views.account_connect_choose, name="account_connect_choose"),
    path("connect/<slug:platform>/", views.account_connect, name="account_connect"),
    path("connect/<slug:platform>/oauth/", views.account_oauth_start, name="account_oauth_start"),
    path(
        "connect/<slug:platform>/oauth/continue/", views.account_oauth_continue, name="account_oauth_continue"
    ),
    path("connect/<slug:platform>/pick/", views.account_oauth_pick, name="account_oauth_pick"),
    path("members/<int:membership_id>/", views.member_accounts, name="member_accounts"),
    path("<int:account_id>/", views.account_detail, name="account_detail"),
    path("<int:account_id>/disconnect/", views.account_disconnect_view, name="account_disconnect"),
    path("<int:account_id>/webhooks/", views.account_webhook_create, name="account_webhook_create"),
]
