from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "kopiena.reports"
    label = "reports"
