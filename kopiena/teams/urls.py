"""Pages outside any workspace: home, signing in and out, password reset, invitations, profile."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from kopiena.teams import views
from kopiena.teams.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            form_class=PasswordChangeForm, success_url=reverse_lazy("password_change_done")
        ),
        name="password_change",
    ),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("invite/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    path("profile/", views.profile, name="profile"),
    path("language/", views.language_switch, name="language_switch"),
    path("workspaces/new/", views.workspace_new, name="workspace_create"),
]
