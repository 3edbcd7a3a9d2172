"""The client's share link: works signed out, shows one report and nothing else of the workspace."""

from django.urls import path

from kopiena.reports import views

urlpatterns = [
    path("<str:token>/", views.share_view, name="report_share"),
    path("<str:token>/report.pdf", views.share_pdf, name="report_share_pdf"),
]
