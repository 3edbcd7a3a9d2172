"""Contests under /w/<ws>/contests/ (URL name ``contests`` is the navigation's)."""

from django.urls import path

from kopiena.contests import views

urlpatterns = [
    path("contests/", views.contest_list, name="contests"),
    path("contests/new/", views.contest_new, name="contest_new"),
    path("contests/<int:contest_id>/", views.contest_detail, name="contest_detail"),
    path("contests/<int:contest_id>/edit/", views.contest_edit, name="contest_edit"),
    path("contests/<int:contest_id>/checklist/", views.contest_checklist, name="contest_checklist"),
    path("contests/<int:contest_id>/approve/", views.contest_approve, name="contest_approve"),
    path("contests/<int:contest_id>/collect/", views.contest_collect, name="contest_collect"),
    path("contests/<int:contest_id>/close/", views.contest_close, name="contest_close"),
    path("contests/<int:contest_id>/draw/", views.contest_draw, name="contest_draw"),
    path("contests/<int:contest_id>/redraw/", views.contest_redraw, name="contest_redraw"),
    path("contests/<int:contest_id>/announce/", views.contest_announce, name="contest_announce"),
    path("contests/<int:contest_id>/entries.csv", views.entries_export, name="contest_entries_csv"),
    path(
        "contests/<int:contest_id>/entries/<int:entry_pk>/overrule/",
        views.entry_overrule,
        name="contest_overrule",
    ),
    path(
        "contests/<int:contest_id>/winners/<int:winner_pk>/mark/",
        views.winner_mark,
        name="contest_winner_mark",
    ),
    path(
        "contests/<int:contest_id>/winners/<int:winner_pk>/reply/",
        views.winner_reply,
        name="contest_winner_reply",
    ),
]

public_urlpatterns = [
    path("c/<str:public_id>/", views.public_rules, name="contest_rules"),
    path("c/<str:public_id>/verify/", views.public_verify, name="contest_verify"),
    path("c/<str:public_id>/draw.json", views.public_export, name="contest_export"),
]
