"""Pages outside any workspace: the signed-in person's notifications, and signed public media links."""

from django.urls import path

from kopiena.publishing import media_links
from kopiena.publishing import views_notifications as views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/open/", views.notification_open, name="notification_open"),
    # Signed, expiring links for platforms that fetch media themselves (Instagram); no login by design.
    path("public-media/<str:token>/<str:filename>", media_links.public_media, name="public_media"),
]
