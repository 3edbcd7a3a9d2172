from django.apps import AppConfig


class ContestsConfig(AppConfig):
    name = "kopiena.contests"
    label = "contests"
