"""A URLconf for tests: the site's URLs plus the admin (mounted only in debug mode otherwise).

Its own module, imported only when a test asks for it: importing kopiena.config.urls while pytest is still
collecting (when DEBUG is still the development default) would add the admin to the real URLconf too."""

from django.contrib import admin
from django.urls import path

from kopiena.config.urls import urlpatterns as site_urlpatterns

urlpatterns = [*site_urlpatterns, path("admin/", admin.site.urls)]
