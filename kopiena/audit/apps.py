from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kopiena.audit"
    label = "audit"
