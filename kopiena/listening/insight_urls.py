"""Competitors, Trends and Leaders under /w/<ws>/listening/ (appended to the listening URLs)."""

from django.urls import path

from kopiena.listening import insight_views as views

urlpatterns = [
    path("listening/competitors/", views.competitors_page, name="listening_competitors"),
    path("listening/competitors/new/", views.competitor_create_view, name="listening_competitor_create"),
    path("listening/competitors/export.csv", views.competitors_csv_view, name="listening_competitors_csv"),
    path(
        "listening/competitors/<int:competitor_id>/accounts/",
        views.competitor_account_view,
        name="listening_competitor_account",
    ),
    path(
        "listening/competitors/<int:competitor_id>/delete/",
        views.competitor_delete_view,
        name="listening_competitor_delete",
    ),
    path("listening/trends/", views.trends_page, name="listening_trends"),
    path("listening/trends/idea/", views.trend_idea_view, name="listening_trend_idea"),
    path("listening/leaders/", views.leaders_page, name="listening_leaders"),
    path("listening/leaders/export.csv", views.leaders_csv_view, name="listening_leaders_csv"),
    path("listening/people/<int:person_id>/", views.person_page, name="listening_person"),
    path("listening/people/<str:platform>/<path:handle>/", views.handle_page, name="listening_handle"),
    path("listening/people/note/", views.person_note_view, name="listening_person_note"),
    path("listening/people/task/", views.person_task_view, name="listening_person_task"),
    path(
        "listening/people/tasks/<int:task_id>/done/", views.person_task_done_view, name="listening_task_done"
    ),
    path("listening/people/handle/", views.person_handle_view, name="listening_person_handle"),
]
