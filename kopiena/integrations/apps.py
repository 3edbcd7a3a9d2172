from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "kopiena.integrations"
    label = "integrations"
