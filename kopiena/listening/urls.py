"""Listening under /w/<ws>/listening/ (URL name ``listening`` is the navigation's)."""

from django.urls import path

from kopiena.listening import views

urlpatterns = [
    path("listening/", views.listening, name="listening"),
    path("listening/queries/new/", views.query_create_view, name="listening_query_create"),
    path("listening/queries/<int:query_id>/delete/", views.query_delete_view, name="listening_query_delete"),
    path("listening/try/", views.query_try_view, name="listening_try"),
    path("listening/sources/feed/", views.source_feed_view, name="listening_source_feed"),
    path("listening/sources/opml/", views.source_opml_view, name="listening_source_opml"),
    path("listening/sources/search/", views.source_search_view, name="listening_source_search"),
    path(
        "listening/sources/<int:source_id>/toggle/", views.source_toggle_view, name="listening_source_toggle"
    ),
    path("listening/mentions/<int:mention_id>/spam/", views.mention_spam_view, name="listening_mention_spam"),
    path(
        "listening/mentions/<int:mention_id>/answered/",
        views.mention_answered_view,
        name="listening_mention_answered",
    ),
]

# Competitors, Trends and Leaders (issue 11 items 6-8) live in their own module.
from kopiena.listening.insight_urls import urlpatterns as _insights  # noqa: E402

urlpatterns += _insights
