from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "kopiena.planning"
    label = "planning"
