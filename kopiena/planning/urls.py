from django.urls import path

from kopiena.planning import views

urlpatterns = [
    path("calendar/week/", views.week_plan_view, name="week_plan"),
]
