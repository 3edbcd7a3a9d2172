"""Pages outside any workspace: signed public media links (notifications live in kopiena.notifications)."""

from django.urls import path

from kopiena.publishing import media_links

urlpatterns = [
    # Signed, expiring links for platforms that fetch media themselves (Instagram); no login by design.
    path("public-media/<str:token>/<str:filename>", media_links.public_media, name="public_media"),
]
