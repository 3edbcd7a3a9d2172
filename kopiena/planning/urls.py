from django.urls import path

from kopiena.planning import views

urlpatterns = [
    path("calendar/week/", views.week_plan_view, name="week_plan"),
    path("calendar/week/generate/", views.week_generate, name="week_generate"),
    path("calendar/week/accept/", views.week_accept, name="week_accept"),
    path(
        "calendar/week/proposals/<int:proposal_id>/regenerate/", views.week_regenerate, name="week_regenerate"
    ),
    path("calendar/days.json", views.days_json, name="calendar_days"),
    path("calendar/ideas/", views.ideas, name="ideas"),
    path("inbox/items/<int:item_id>/to-idea/", views.idea_from_item_view, name="idea_from_item"),
]
