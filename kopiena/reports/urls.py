from django.urls import path

from kopiena.reports import views

urlpatterns = [
    path("reports/", views.reports, name="reports"),
    path("reports/new/", views.report_edit, name="report_new"),
    path("reports/branding/", views.branding, name="report_branding"),
    path("reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("reports/<int:report_id>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:report_id>/delete/", views.report_delete_view, name="report_delete"),
    path("reports/<int:report_id>/report.pdf", views.report_pdf_view, name="report_pdf"),
    path("reports/<int:report_id>/links/", views.share_link_create_view, name="report_link_create"),
    path("reports/links/<int:link_id>/revoke/", views.share_link_revoke_view, name="report_link_revoke"),
]
