"""The inbox under /w/<ws>/inbox/ (URL name ``inbox`` is the navigation's)."""

from django.urls import path

from kopiena.inbox import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:thread_id>/", views.thread_detail, name="inbox_thread"),
    path("inbox/<int:thread_id>/assign/", views.thread_assign_view, name="inbox_thread_assign"),
    path("inbox/<int:thread_id>/status/", views.thread_status_view, name="inbox_thread_status"),
    path("inbox/<int:thread_id>/notes/", views.thread_note_view, name="inbox_thread_note"),
    path("inbox/<int:thread_id>/tags/", views.thread_tag_view, name="inbox_thread_tag"),
    path("inbox/items/<int:item_id>/correct/", views.item_correct_view, name="inbox_item_correct"),
    path("inbox/items/<int:item_id>/reply/", views.item_reply_view, name="inbox_item_reply"),
    path("inbox/items/<int:item_id>/hide/", views.item_hide_view, name="inbox_item_hide"),
    path("inbox/replies/<int:reply_id>/approve/", views.reply_approve_view, name="inbox_reply_approve"),
    path("inbox/replies/<int:reply_id>/send-back/", views.reply_send_back_view, name="inbox_reply_send_back"),
    path("inbox/bulk/", views.threads_bulk_view, name="inbox_threads_bulk"),
    path("inbox/hidden/", views.hidden_items_view, name="inbox_hidden"),
    path("inbox/saved-replies/", views.saved_replies_view, name="inbox_saved_replies"),
    path(
        "inbox/saved-replies/<int:saved_reply_id>/delete/",
        views.saved_reply_delete_view,
        name="inbox_saved_reply_delete",
    ),
]
