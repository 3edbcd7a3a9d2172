from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "kopiena.analytics"
    label = "analytics"
