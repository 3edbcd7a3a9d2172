"""Pages of the signed-in person, outside any workspace."""

from django.urls import path

from kopiena.publishing import views_notifications as views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/open/", views.notification_open, name="notification_open"),
]
