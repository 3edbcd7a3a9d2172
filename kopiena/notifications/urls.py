"""Pages outside any workspace: the signed-in person's notices and notification settings."""

from django.urls import path

from kopiena.notifications import views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/open/", views.notification_open, name="notification_open"),
    path("profile/notifications/", views.preferences, name="notification_preferences"),
    path("profile/notifications/webhooks/", views.webhook_add, name="notification_webhook_add"),
    path(
        "profile/notifications/webhooks/<int:endpoint_id>/delete/",
        views.webhook_delete,
        name="notification_webhook_delete",
    ),
    path(
        "profile/notifications/webhooks/<int:endpoint_id>/test/",
        views.webhook_test,
        name="notification_webhook_test",
    ),
]
