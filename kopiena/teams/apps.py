from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "kopiena.teams"
    label = "teams"
