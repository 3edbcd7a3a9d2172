from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "kopiena.home"
    label = "home"
