"""The publishing UI under /w/<ws>/calendar/ (the navigation's "Calendar" entry)."""

from django.urls import path

from kopiena.publishing import views

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/events.json", views.calendar_events, name="calendar_events"),
    path("calendar/export.csv", views.calendar_export, name="calendar_export"),
    path("calendar/drafts/", views.drafts, name="drafts"),
    path("calendar/import/", views.import_upload, name="calendar_import"),
    path("calendar/approvals/", views.approvals, name="approvals"),
    path("calendar/mix/", views.content_mix, name="content_mix"),
    path("calendar/queues/", views.queue_list, name="queues"),
    path("calendar/queues/<int:slot_id>/delete/", views.queue_slot_delete, name="queue_slot_delete"),
    path("calendar/feeds/", views.feeds, name="calendar_feeds"),
    path("calendar/feeds/<str:token>.ics", views.ical_feed, name="ical_feed"),
    path("calendar/posts/new/", views.post_new, name="post_new"),
    path("calendar/posts/validate/", views.post_validate, name="post_validate"),
    path("calendar/posts/next-slot.json", views.post_next_slot, name="post_next_slot"),
    path("calendar/posts/<int:post_id>/", views.post_edit, name="post_edit"),
    path("calendar/posts/<int:post_id>/move/", views.post_move, name="post_move"),
    path("calendar/posts/<int:post_id>/submit/", views.post_submit_view, name="post_submit"),
    path("calendar/posts/<int:post_id>/approve/", views.post_approve_view, name="post_approve"),
    path("calendar/posts/<int:post_id>/send-back/", views.post_send_back_view, name="post_send_back"),
    path("calendar/posts/<int:post_id>/schedule/", views.post_schedule_view, name="post_schedule"),
    path("calendar/posts/<int:post_id>/cancel/", views.post_cancel_view, name="post_cancel"),
    path("calendar/posts/<int:post_id>/comment/", views.post_comment_view, name="post_comment"),
]
